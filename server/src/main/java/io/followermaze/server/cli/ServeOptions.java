package io.followermaze.server.cli;

import io.followermaze.journal.FsyncPolicy;
import io.followermaze.journal.JournalConfig;
import io.followermaze.pipeline.PipelineConfig;
import io.followermaze.pipeline.WaitStrategyKind;
import io.followermaze.server.PipelineThread;
import io.followermaze.server.Role;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.TlsConfig;
import io.followermaze.server.Transport;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The options of {@code serve} that set a {@link ServerConfig} value, each declared once, here: its name, help text,
 * how to read the value from a configuration and how to set it on a builder. From this one table come
 * <ul>
 *   <li>the picocli options themselves, added to {@link ServeCommand} by this model transformer in table order
 *       (after {@code --config} and {@code --profile}, before the options {@code ServeCommand} declares itself);</li>
 *   <li>their built-in defaults, read from {@link ServerConfig#DEFAULT} (so from the {@code DEFAULT_*} constants);</li>
 *   <li>the values a {@link Profile} gives them ({@link ConfigDefaults}) and the profile table in {@code --help}.</li>
 * </ul>
 * To add an option: a component (with its {@code DEFAULT_*} constant and builder setter) in {@link ServerConfig} or
 * {@link PipelineConfig}, one row here, and its commented line in {@code dist/conf/followermaze.properties} and row
 * in the README (both checked by tests).
 */
final class ServeOptions implements CommandLine.IModelTransformer {

    /**
     * One option.
     *
     * @param name        long name without dashes; also the properties key and, in upper snake case, the variable
     * @param parse       how a value is read; null for picocli's own conversion (numbers, paths)
     */
    record Option<T>(String name, String label, String description, Class<T> type, Function<String, T> parse,
                     Function<ServerConfig, T> get, BiConsumer<ServerConfig.Builder, T> set) {

        /** The value in {@code config} as the option spells it, or null when unset. */
        String valueIn(ServerConfig config) {
            final T v = get.apply(config);
            return v == null ? null : v.toString();
        }

        OptionSpec toSpec(ServerConfig.Builder target) {
            final OptionSpec.Builder b = OptionSpec.builder("--" + name).paramLabel(label).description(description)
                .type(type).hasInitialValue(false).setter(new CommandLine.Model.ISetter() {
                    @Override
                    @SuppressWarnings("unchecked")
                    public <V> V set(V value) {
                        if (value != null) {
                            ServeOptions.Option.this.set.accept(target, (T) value);
                        }
                        return null;
                    }
                });
            final String builtIn = valueIn(ServerConfig.DEFAULT);
            if (builtIn != null) {
                b.defaultValue(builtIn);
            }
            if (parse != null) {
                b.converters(s -> {
                    try {
                        return parse.apply(s);
                    } catch (IllegalArgumentException e) {
                        throw new CommandLine.TypeConversionException(e.getMessage());
                    }
                });
            }
            return b.build();
        }
    }

    static final List<Option<?>> ALL = List.of(
        new Option<>("role", Role.names("|"), "What this process does: all (event and client ports, no Kafka), "
                + "ingest (event port only: appends the stream to the Kafka topic) or fanout (client port only: "
                + "reads the topic).",
            Role.class, Role::parse, ServerConfig::role, ServerConfig.Builder::role),
        server("kafka-bootstrap", "HOST:PORT[,...]", "Kafka bootstrap servers (needed by --role ingest and fanout).",
            String.class, ServerConfig::kafkaBootstrap, ServerConfig.Builder::kafkaBootstrap),
        server("kafka-topic", "NAME", "Kafka topic that carries the event stream from ingest to fan-out nodes.",
            String.class, ServerConfig::kafkaTopic, ServerConfig.Builder::kafkaTopic),
        server("kafka-client-config", "FILE", "Properties file of Kafka producer/consumer settings (security, "
                + "SASL/TLS, compression); acks=all and idempotence are kept.",
            Path.class, ServerConfig::kafkaClientConfig, ServerConfig.Builder::kafkaClientConfig),
        server("event-port", "PORT", "Event source port (0 = any free port).",
            int.class, ServerConfig::eventPort, ServerConfig.Builder::eventPort),
        server("client-port", "PORT", "Client port (0 = any free port).",
            int.class, ServerConfig::clientPort, ServerConfig.Builder::clientPort),
        server("bind", "ADDR", "Address both listeners bind to.",
            String.class, ServerConfig::bindAddress, ServerConfig.Builder::bindAddress),
        server("io-threads", "N", "Netty event loops for connections.",
            int.class, ServerConfig::ioThreads, ServerConfig.Builder::ioThreads),
        new Option<>("transport", Transport.names("|"), "Socket transport.",
            Transport.class, Transport::parse, ServerConfig::transport, ServerConfig.Builder::transport),
        server("client-high-water-mark", "BYTES",
            "Bytes queued for one client above which the pipeline waits for it to drain (backpressure).",
            int.class, ServerConfig::clientHighWaterMark, ServerConfig.Builder::clientHighWaterMark),
        server("slow-client-grace-ms", "MS",
            "How long the pipeline waits for one congested client before it stops waiting for it.",
            long.class, ServerConfig::slowClientGraceMillis, ServerConfig.Builder::slowClientGraceMillis),
        server("max-outbound-bytes", "BYTES",
            "Per-client bound on notification bytes not yet sent; a slow client past it is disconnected.",
            long.class, ServerConfig::maxOutboundBytes, ServerConfig.Builder::maxOutboundBytes),
        server("handoff-bytes", "BYTES",
            "Output after which the pipeline hands a batch to the event loops early (large fan-out).",
            long.class, ServerConfig::handoffBytes, ServerConfig.Builder::handoffBytes),
        server("max-client-id-length", "BYTES", "Longest client id line accepted.",
            int.class, ServerConfig::maxClientIdLength, ServerConfig.Builder::maxClientIdLength),
        server("client-id-timeout-ms", "MS", "A client that sends no id line within this time is disconnected.",
            long.class, ServerConfig::clientIdTimeoutMillis, ServerConfig.Builder::clientIdTimeoutMillis),
        server("max-clients", "N",
            "Most client connections open at once; more are refused with a log line. 0: as many as the "
                + "file-descriptor limit (ulimit -n) leaves after a reserve for everything else; a larger value is "
                + "clamped to that.",
            int.class, ServerConfig::maxClients, ServerConfig.Builder::maxClients),
        server("max-event-sources", "N",
            "Most event-source connections open at once; more are refused with a log line.",
            int.class, ServerConfig::maxEventSources, ServerConfig.Builder::maxEventSources),
        server("event-source-idle-timeout-ms", "MS",
            "Disconnect an event source that sends nothing for this long (0 = never).",
            long.class, ServerConfig::eventSourceIdleTimeoutMillis, ServerConfig.Builder::eventSourceIdleTimeoutMillis),
        server("max-total-outbound-bytes", "BYTES",
            "Bound on notification bytes held for all clients together; past it the largest backlogs are cut off "
                + "first (0 = 1/4 of the direct-memory limit).",
            long.class, ServerConfig::maxTotalOutboundBytes, ServerConfig.Builder::maxTotalOutboundBytes),
        server("client-stall-ms", "MS",
            "A congested client that drains nothing for this long is no longer waited for.",
            long.class, ServerConfig::clientStallMillis, ServerConfig.Builder::clientStallMillis),
        pipeline("max-line-length", "BYTES",
            "Longest event line accepted (without line end); longer lines are dropped and counted.",
            int.class, PipelineConfig::maxLineLength, PipelineConfig.Builder::maxLineLength),
        pipeline("window-size", "N",
            "Resequencer window (power of two): disorder up to this distance is handled in O(1).",
            int.class, PipelineConfig::windowSize, PipelineConfig.Builder::windowSize),
        pipeline("max-pending", "N",
            "Most events held back waiting for a missing seq; past it the gap is skipped and logged.",
            long.class, PipelineConfig::maxPending, PipelineConfig.Builder::maxPending),
        pipeline("gap-timeout-ms", "MS",
            "Skip a missing seq after this long while later events wait (0 = wait for ever).",
            long.class, PipelineConfig::gapTimeoutMillis, PipelineConfig.Builder::gapTimeoutMillis),
        pipeline("max-seq-ahead", "N",
            "Furthest a seq may be ahead of the next one awaited; further ones are rejected and counted.",
            long.class, PipelineConfig::maxSeqAhead, PipelineConfig.Builder::maxSeqAhead),
        pipeline("max-users", "N",
            "Most users the follow graph holds; a follow that would add more is rejected and counted.",
            long.class, PipelineConfig::maxUsers, PipelineConfig.Builder::maxUsers),
        pipeline("max-follows", "N",
            "Most follow edges the graph holds; a new follow beyond it is rejected and counted.",
            long.class, PipelineConfig::maxFollows, PipelineConfig.Builder::maxFollows),
        pipeline("ring-size", "N", "Ingress ring entries (power of two).",
            int.class, PipelineConfig::ringSize, PipelineConfig.Builder::ringSize),
        pipeline("chunk-bytes", "BYTES", "Bytes of event lines per ring entry.",
            int.class, PipelineConfig::chunkBytes, PipelineConfig.Builder::chunkBytes),
        new Option<>("wait-strategy", "NAME", "Pipeline thread wait strategy: " + WaitStrategyKind.names() + ".",
            WaitStrategyKind.class, WaitStrategyKind::parse, c -> c.pipeline().waitStrategy(),
            (b, v) -> b.pipeline(p -> p.waitStrategy(v))),
        new Option<>("pipeline-thread", PipelineThread.names("|"), "Where resequencing and routing run: a thread of "
                + "their own (own) or the event loop that reads the source and writes the clients (event-loop: one "
                + "thread, no hand-over; single node without a journal).",
            PipelineThread.class, PipelineThread::parse, ServerConfig::pipelineThread,
            ServerConfig.Builder::pipelineThread),
        journal("journal-dir", "DIR",
            "Journal every accepted event line to this directory before it is routed, and rebuild the state from it "
                + "at start (off when unset). With --role fanout: keep only snapshots (with Kafka offsets) here and "
                + "resume from the newest.",
            Path.class, null, JournalConfig::dir, JournalConfig.Builder::dir),
        journal("journal-segment-bytes", "BYTES", "Journal segment files roll over at this size.",
            long.class, null, JournalConfig::segmentBytes, JournalConfig.Builder::segmentBytes),
        journal("journal-fsync", "never|batch|interval:MS",
            "When the journal is forced to disk: never (survives a process crash), batch (before anything of the "
                + "batch is routed: survives power loss), interval:MS (a process crash loses nothing, power loss at "
                + "most MS ms).",
            FsyncPolicy.class, FsyncPolicy::parse, JournalConfig::fsync, JournalConfig.Builder::fsync),
        journal("journal-repair", "", "At start, truncate a journal damaged in the middle at the damage (dropping "
                + "everything after it) instead of refusing to start.",
            boolean.class, null, JournalConfig::repair, JournalConfig.Builder::repair),
        journal("snapshot-every", "EVENTS", "With a journal: a snapshot of the state every this many released events "
                + "and at a graceful shutdown (recovery then replays only the journal after it); 0: none. Also a "
                + "fan-out node's snapshots (then > 0).",
            long.class, null, JournalConfig::snapshotEvery, JournalConfig.Builder::snapshotEvery),
        tls("event-tls-cert", "TLS certificate chain for the event port.", TlsConfig::eventCert,
            TlsConfig.Builder::eventCert),
        tls("event-tls-key", "TLS private key (PKCS#8) for the event port.", TlsConfig::eventKey,
            TlsConfig.Builder::eventKey),
        tls("event-tls-trust", "Require event sources to present a certificate signed by one of these authorities.",
            TlsConfig::eventTrust, TlsConfig.Builder::eventTrust),
        tls("client-tls-cert", "TLS certificate chain for the client port.", TlsConfig::clientCert,
            TlsConfig.Builder::clientCert),
        tls("client-tls-key", "TLS private key (PKCS#8) for the client port.", TlsConfig::clientKey,
            TlsConfig.Builder::clientKey));

    private static final Map<String, Option<?>> BY_NAME = new LinkedHashMap<>();

    static {
        for (Option<?> o : ALL) {
            if (BY_NAME.put(o.name(), o) != null) {
                throw new ExceptionInInitializerError("option declared twice: " + o.name());
            }
        }
    }

    /** The options {@link ServeCommand} declares itself that come before the table in {@code --help}. */
    private static final Set<String> LEADING = Set.of("--config", "--profile");

    /** Adds the table's options to {@code serve}, bound to its builder. */
    @Override
    public CommandSpec transform(CommandSpec spec) {
        final ServeCommand serve = (ServeCommand) spec.userObject();
        final List<OptionSpec> trailing = new ArrayList<>();
        for (OptionSpec o : List.copyOf(spec.options())) {
            if (!LEADING.contains(o.longestName())) {
                spec.remove(o);
                trailing.add(o);
            }
        }
        for (Option<?> o : ALL) {
            spec.addOption(o.toSpec(serve.configBuilder));
        }
        trailing.forEach(spec::addOption);
        return spec;
    }

    /** @return the value {@code config} gives the option (long name without dashes), or null if no option has it */
    static String valueIn(String option, ServerConfig config) {
        final Option<?> o = BY_NAME.get(option);
        return o == null ? null : o.valueIn(config);
    }

    /** The options {@code profile} changes from the built-in defaults, with the values it gives them, in table order. */
    static Map<String, String> changedBy(Profile profile) {
        final ServerConfig preset = profile.apply(ServerConfig.DEFAULT);
        final Map<String, String> changed = new LinkedHashMap<>();
        for (Option<?> o : ALL) {
            final String v = o.valueIn(preset);
            if (!Objects.equals(v, o.valueIn(ServerConfig.DEFAULT))) {
                changed.put(o.name(), v);
            }
        }
        return changed;
    }

    private static <T> Option<T> server(String name, String label, String description, Class<T> type,
                                        Function<ServerConfig, T> get, BiConsumer<ServerConfig.Builder, T> set) {
        return new Option<>(name, label, description, type, null, get, set);
    }

    private static <T> Option<T> pipeline(String name, String label, String description, Class<T> type,
                                          Function<PipelineConfig, T> get, BiConsumer<PipelineConfig.Builder, T> set) {
        return new Option<>(name, label, description, type, null, c -> get.apply(c.pipeline()),
            (b, v) -> b.pipeline(p -> set.accept(p, v)));
    }

    private static <T> Option<T> journal(String name, String label, String description, Class<T> type,
                                         Function<String, T> parse, Function<JournalConfig, T> get,
                                         BiConsumer<JournalConfig.Builder, T> set) {
        return new Option<>(name, label, description, type, parse, c -> get.apply(c.journal()),
            (b, v) -> b.journal(j -> set.accept(j, v)));
    }

    private static Option<Path> tls(String name, String description, Function<TlsConfig, Path> get,
                                    BiConsumer<TlsConfig.Builder, Path> set) {
        return new Option<>(name, "PEM", description, Path.class, null, c -> get.apply(c.tls()),
            (b, v) -> b.tls(t -> set.accept(t, v)));
    }

    /** For picocli, which creates the transformer named in {@code @Command(modelTransformer = ...)}. */
    ServeOptions() {
    }
}
