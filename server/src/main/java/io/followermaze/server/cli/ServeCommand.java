package io.followermaze.server.cli;

import io.followermaze.pipeline.PipelineConfig;
import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.TlsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.followermaze.server.metrics.MetricsEndpoint;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code followermaze serve}: runs the server until SIGINT/SIGTERM, then shuts down gracefully. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run the Follower Maze server until interrupted (SIGINT/SIGTERM shut it down gracefully).",
    showDefaultValues = true,
    footer = {"",
        "Every option can also be set in the environment as FOLLOWERMAZE_<OPTION> (upper snake case, e.g.",
        "FOLLOWERMAZE_EVENT_PORT=9090) or in a properties file given by --config (keys without dashes,",
        "e.g. event-port=9090). Precedence: flag > environment > file > profile > default.",
        ""})
public final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    // Declared so picocli accepts and documents --config; never read here: ConfigDefaults reads it ahead of parsing.
    @Option(names = "--config", paramLabel = "FILE",
        description = "Properties file with option values (keys are option names without dashes).")
    String configFile;

    @Option(names = "--profile", paramLabel = "NAME",
        description = "Preset: balanced, low-latency or throughput (see the table below).")
    String profile = "balanced";

    @Option(names = "--event-port", paramLabel = "PORT", description = "Event source port (0 = any free port).")
    int eventPort = ServerConfig.DEFAULT_EVENT_PORT;

    @Option(names = "--client-port", paramLabel = "PORT", description = "Client port (0 = any free port).")
    int clientPort = ServerConfig.DEFAULT_CLIENT_PORT;

    @Option(names = "--bind", paramLabel = "ADDR", description = "Address both listeners bind to.")
    String bind = ServerConfig.DEFAULT_BIND_ADDRESS;

    @Option(names = "--io-threads", paramLabel = "N", description = "Netty event loops for connections.")
    int ioThreads = ServerConfig.DEFAULT_IO_THREADS;

    @Option(names = "--transport", paramLabel = "auto|epoll|nio", description = "Socket transport.")
    String transport = ServerConfig.DEFAULT_TRANSPORT;

    @Option(names = "--client-high-water-mark", paramLabel = "BYTES",
        description = "Bytes queued for one client above which the pipeline waits for it to drain (backpressure).")
    int clientHighWaterMark = ServerConfig.DEFAULT_CLIENT_HIGH_WATER_MARK;

    @Option(names = "--slow-client-grace-ms", paramLabel = "MS",
        description = "How long the pipeline waits for one congested client before it stops waiting for it.")
    long slowClientGraceMillis = ServerConfig.DEFAULT_SLOW_CLIENT_GRACE_MILLIS;

    @Option(names = "--max-outbound-bytes", paramLabel = "BYTES",
        description = "Per-client bound on notification bytes not yet sent; a slow client past it is disconnected.")
    long maxOutboundBytes = ServerConfig.DEFAULT_MAX_OUTBOUND_BYTES;

    @Option(names = "--handoff-bytes", paramLabel = "BYTES",
        description = "Output after which the pipeline hands a batch to the event loops early (large fan-out).")
    long handoffBytes = ServerConfig.DEFAULT_HANDOFF_BYTES;

    @Option(names = "--max-client-id-length", paramLabel = "BYTES", description = "Longest client id line accepted.")
    int maxClientIdLength = ServerConfig.DEFAULT_MAX_CLIENT_ID_LENGTH;

    @Option(names = "--client-id-timeout-ms", paramLabel = "MS",
        description = "A client that sends no id line within this time is disconnected.")
    long clientIdTimeoutMillis = ServerConfig.DEFAULT_CLIENT_ID_TIMEOUT_MILLIS;

    @Option(names = "--max-clients", paramLabel = "N",
        description = "Most client connections open at once; more are refused with a log line. 0: as many as the "
            + "file-descriptor limit (ulimit -n) leaves after a reserve for everything else; a larger value is clamped "
            + "to that.")
    int maxClients = ServerConfig.DEFAULT_MAX_CLIENTS;

    @Option(names = "--max-event-sources", paramLabel = "N",
        description = "Most event-source connections open at once; more are refused with a log line.")
    int maxEventSources = ServerConfig.DEFAULT_MAX_EVENT_SOURCES;

    @Option(names = "--event-source-idle-timeout-ms", paramLabel = "MS",
        description = "Disconnect an event source that sends nothing for this long (0 = never).")
    long eventSourceIdleTimeoutMillis = ServerConfig.DEFAULT_EVENT_SOURCE_IDLE_TIMEOUT_MILLIS;

    @Option(names = "--max-total-outbound-bytes", paramLabel = "BYTES",
        description = "Bound on notification bytes held for all clients together; past it the largest backlogs are "
            + "cut off first (0 = 1/4 of the direct-memory limit).")
    long maxTotalOutboundBytes = ServerConfig.DEFAULT_MAX_TOTAL_OUTBOUND_BYTES;

    @Option(names = "--client-stall-ms", paramLabel = "MS",
        description = "A congested client that drains nothing for this long is no longer waited for.")
    long clientStallMillis = ServerConfig.DEFAULT_CLIENT_STALL_MILLIS;

    @Option(names = "--max-line-length", paramLabel = "BYTES",
        description = "Longest event line accepted (without line end); longer lines are dropped and counted.")
    int maxLineLength = PipelineConfig.DEFAULT.maxLineLength();

    @Option(names = "--window-size", paramLabel = "N",
        description = "Resequencer window (power of two): disorder up to this distance is handled in O(1).")
    int windowSize = PipelineConfig.DEFAULT.windowSize();

    @Option(names = "--max-pending", paramLabel = "N",
        description = "Most events held back waiting for a missing seq; past it the gap is skipped and logged.")
    long maxPending = PipelineConfig.DEFAULT.maxPending();

    @Option(names = "--gap-timeout-ms", paramLabel = "MS",
        description = "Skip a missing seq after this long while later events wait (0 = wait for ever).")
    long gapTimeoutMillis = PipelineConfig.DEFAULT.gapTimeoutMillis();

    @Option(names = "--max-seq-ahead", paramLabel = "N",
        description = "Furthest a seq may be ahead of the next one awaited; further ones are rejected and counted.")
    long maxSeqAhead = PipelineConfig.DEFAULT.maxSeqAhead();

    @Option(names = "--max-users", paramLabel = "N",
        description = "Most users the follow graph holds; a follow that would add more is rejected and counted.")
    long maxUsers = PipelineConfig.DEFAULT.maxUsers();

    @Option(names = "--max-follows", paramLabel = "N",
        description = "Most follow edges the graph holds; a new follow beyond it is rejected and counted.")
    long maxFollows = PipelineConfig.DEFAULT.maxFollows();

    @Option(names = "--ring-size", paramLabel = "N", description = "Ingress ring entries (power of two).")
    int ringSize = PipelineConfig.DEFAULT.ringSize();

    @Option(names = "--chunk-bytes", paramLabel = "BYTES", description = "Bytes of event lines per ring entry.")
    int chunkBytes = PipelineConfig.DEFAULT.chunkBytes();

    @Option(names = "--wait-strategy", paramLabel = "NAME",
        description = "Pipeline thread wait strategy: blocking, lite-blocking, sleeping, yielding, busy-spin.")
    String waitStrategy = PipelineConfig.DEFAULT.waitStrategy();

    @Option(names = "--event-tls-cert", paramLabel = "PEM", description = "TLS certificate chain for the event port.")
    Path eventTlsCert;

    @Option(names = "--event-tls-key", paramLabel = "PEM", description = "TLS private key (PKCS#8) for the event port.")
    Path eventTlsKey;

    @Option(names = "--event-tls-trust", paramLabel = "PEM",
        description = "Require event sources to present a certificate signed by one of these authorities.")
    Path eventTlsTrust;

    @Option(names = "--client-tls-cert", paramLabel = "PEM", description = "TLS certificate chain for the client port.")
    Path clientTlsCert;

    @Option(names = "--client-tls-key", paramLabel = "PEM", description = "TLS private key (PKCS#8) for the client port.")
    Path clientTlsKey;

    @Option(names = "--metrics-port", paramLabel = "PORT",
        description = "Serve Prometheus /metrics and /health on this port (0 = any free port). Off when unset.")
    Integer metricsPort;

    @Option(names = "--metrics-max-connections", paramLabel = "N",
        description = "Most HTTP connections to the metrics port at once; more are closed at once.")
    int metricsMaxConnections = 16;

    @Option(names = "--metrics-timeout-ms", paramLabel = "MS",
        description = "An HTTP request must arrive whole within this time, and an idle HTTP connection is closed after it.")
    long metricsTimeoutMillis = 5_000;

    @Option(names = "--status-interval-ms", paramLabel = "MS",
        description = "Log a progress line this often while events flow (0 = never).")
    long statusIntervalMillis = 5_000;

    @Option(names = "--log-level", paramLabel = "LEVEL", description = "ERROR, WARN, INFO, DEBUG or TRACE.")
    String logLevel = "INFO";

    /** Installs the environment / file / profile defaults on the {@code serve} subcommand of {@code root}. */
    public static void installDefaults(CommandLine root, String[] args) {
        final CommandLine serve = root.getSubcommands().get("serve");
        final ConfigDefaults defaults = ConfigDefaults.from(args, System.getenv());
        serve.setDefaultValueProvider(defaults);
        final String[] footer = serve.getCommandSpec().usageMessage().footer();
        final String[] withProfiles = java.util.Arrays.copyOf(footer, footer.length + 1);
        withProfiles[footer.length] = Profile.table();
        serve.getCommandSpec().usageMessage().footer(withProfiles);
    }

    ServerConfig toConfig() {
        final PipelineConfig pipeline = new PipelineConfig(ringSize, chunkBytes, maxLineLength, windowSize, maxPending,
            waitStrategy, gapTimeoutMillis, maxSeqAhead, maxUsers, maxFollows);
        return new ServerConfig(bind, eventPort, clientPort, ioThreads, transport, clientHighWaterMark,
            slowClientGraceMillis, maxOutboundBytes, handoffBytes, maxClientIdLength, clientIdTimeoutMillis, maxClients,
            maxEventSources, eventSourceIdleTimeoutMillis, maxTotalOutboundBytes, clientStallMillis, new TlsConfig(eventTlsCert, eventTlsKey, eventTlsTrust, clientTlsCert, clientTlsKey), pipeline);
    }

    private static void setLogLevel(String level) {
        final org.slf4j.Logger root = LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root instanceof ch.qos.logback.classic.Logger logback) {
            logback.setLevel(ch.qos.logback.classic.Level.toLevel(level, ch.qos.logback.classic.Level.INFO));
        }
    }

    /** Exit status after a fatal error in the pipeline (EX_SOFTWARE). */
    public static final int FATAL_EXIT_STATUS = 70;

    /**
     * Crash-only: after an {@link Error} in the pipeline its state can not be trusted, so the process exits
     * (a supervisor restarts it) rather than accept connections it can not serve. The exit runs the shutdown hook
     * (listeners and clients are closed); a watchdog halts the JVM should that hang.
     */
    static void exitOnFatal(Throwable error) {
        LOG.error("Exiting with status {} after a fatal error in the pipeline: {}", FATAL_EXIT_STATUS, error.toString());
        final Thread exit = new Thread(() -> System.exit(FATAL_EXIT_STATUS), "followermaze-fatal-exit");
        final Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException ignored) {
                // halting anyway
            }
            Runtime.getRuntime().halt(FATAL_EXIT_STATUS);
        }, "followermaze-fatal-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        exit.start();
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        final ServerConfig config;
        try {
            if (spec.defaultValueProvider() instanceof ConfigDefaults defaults) {
                final List<String> options = new ArrayList<>();
                spec.options().forEach(o -> options.add(o.longestName().replaceFirst("^-+", "")));
                defaults.requireKnownKeys(options);
            }
            config = toConfig();
        } catch (IllegalArgumentException e) {
            System.err.println("Invalid configuration: " + e.getMessage());
            return 2;
        }
        setLogLevel(logLevel);
        LOG.info("Profile {}", Profile.parse(profile).displayName());
        final FollowerMazeServer server = new FollowerMazeServer(config, ServeCommand::exitOnFatal).start();
        final MetricsEndpoint metrics = metricsPort == null ? null : new MetricsEndpoint(server, bind, metricsPort,
            metricsMaxConnections, metricsTimeoutMillis);
        final StatusReporter status = statusIntervalMillis > 0 ? new StatusReporter(server, statusIntervalMillis) : null;
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Signal received");
            if (status != null) {
                status.close();
            }
            server.close();
            if (metrics != null) {
                metrics.close();
            }
            stopped.countDown();
        }, "followermaze-shutdown"));
        stopped.await();
        return 0;
    }
}
