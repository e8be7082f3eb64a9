package io.followermaze.server.cli;

import io.followermaze.journal.JournalCorruptException;
import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.ServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.followermaze.server.metrics.MetricsEndpoint;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code followermaze serve}: runs the server until SIGINT/SIGTERM, then shuts down gracefully. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false, modelTransformer = ServeOptions.class,
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

    @Option(names = "--profile", paramLabel = "NAME", converter = ProfileConverter.class,
        description = "Preset: balanced, low-latency or throughput (see the table below).")
    Profile profile = Profile.BALANCED;

    // The options that set ServerConfig values come next in --help: ServeOptions declares them and binds them here.
    final ServerConfig.Builder configBuilder = ServerConfig.DEFAULT.toBuilder();

    @Option(names = "--metrics-port", paramLabel = "PORT",
        description = "Serve Prometheus /metrics and /health on this port (0 = any free port). Off when unset.")
    Integer metricsPort;

    @Option(names = "--metrics-max-connections", paramLabel = "N",
        description = "Most HTTP connections to the metrics port at once; a new one past that closes the oldest.")
    int metricsMaxConnections = MetricsEndpoint.DEFAULT_MAX_CONNECTIONS;

    @Option(names = "--metrics-timeout-ms", paramLabel = "MS",
        description = "An HTTP request must arrive whole within this time, and an idle HTTP connection is closed after it.")
    long metricsTimeoutMillis = MetricsEndpoint.DEFAULT_TIMEOUT_MILLIS;

    @Option(names = "--status-interval-ms", paramLabel = "MS",
        description = "Log a progress line this often while events flow (0 = never).")
    long statusIntervalMillis = StatusReporter.DEFAULT_INTERVAL_MILLIS;

    @Option(names = "--log-level", paramLabel = "LEVEL", description = "ERROR, WARN, INFO, DEBUG or TRACE.")
    String logLevel = DEFAULT_LOG_LEVEL;

    static final String DEFAULT_LOG_LEVEL = "INFO";

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

    /** The configuration the options describe (each set from its flag, variable, file, profile or default). */
    ServerConfig toConfig() {
        return configBuilder.build();
    }

    /** Profile names as users type them; an unknown one is an error that lists the valid ones. */
    static final class ProfileConverter implements CommandLine.ITypeConverter<Profile> {
        @Override
        public Profile convert(String value) {
            try {
                return Profile.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    private static void setLogLevel(String level) {
        final org.slf4j.Logger root = LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root instanceof ch.qos.logback.classic.Logger logback) {
            logback.setLevel(ch.qos.logback.classic.Level.toLevel(level, ch.qos.logback.classic.Level.INFO));
        }
    }

    /** Exit status when the journal is damaged in the middle and {@code --journal-repair} is off (EX_DATAERR). */
    public static final int JOURNAL_DAMAGED_EXIT_STATUS = 65;
    /** Exit status when the journal can not be read or opened for writing (EX_IOERR). */
    public static final int JOURNAL_IO_EXIT_STATUS = 74;

    /** Exit status after a fatal error: in the pipeline, or the Kafka log failing for good (EX_SOFTWARE). */
    public static final int FATAL_EXIT_STATUS = 70;

    /**
     * Crash-only: after an {@link Error} in the pipeline its state can not be trusted, and after the Kafka log failed
     * for good (a fan-out node's consumer died, a record ingest could not append) no further event flows, so the process exits
     * (a supervisor restarts it) rather than accept connections it can not serve. The exit runs the shutdown hook
     * (listeners and clients are closed); a watchdog halts the JVM should that hang.
     */
    static void exitOnFatal(Throwable error) {
        LOG.error("Exiting with status {} after a fatal error: {}", FATAL_EXIT_STATUS, error.toString());
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

    /**
     * The ingress ring (ring-size entries of chunk-bytes each) is allocated at start: one larger than the heap can
     * only end the JVM with an OutOfMemoryError, so it is refused as a configuration error instead.
     */
    static void requireRingFitsHeap(ServerConfig config) {
        final long ringBytes = (long) config.pipeline().ringSize() * config.pipeline().chunkBytes();
        final long heapMax = Runtime.getRuntime().maxMemory();
        if (ringBytes >= heapMax) {
            throw new IllegalArgumentException("the ingress ring (--ring-size " + config.pipeline().ringSize()
                + " x --chunk-bytes " + config.pipeline().chunkBytes() + " = " + (ringBytes >> 20)
                + " MiB) does not fit in the " + (heapMax >> 20) + " MiB heap: lower them or raise -Xmx "
                + "(FOLLOWERMAZE_JAVA_OPTS)");
        }
    }

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
            requireRingFitsHeap(config);
        } catch (IllegalArgumentException e) {
            System.err.println("Invalid configuration: " + e.getMessage());
            return 2;
        }
        setLogLevel(logLevel);
        LOG.info("Profile {}", profile);
        final FollowerMazeServer server;
        try {
            server = new FollowerMazeServer(config, ServeCommand::exitOnFatal).start();
        } catch (UncheckedIOException e) {
            // the journal could not be recovered: starting without the state it holds would route wrongly
            final boolean damaged = e.getCause() instanceof JournalCorruptException;
            LOG.error("Cannot start: {}", e.getCause().getMessage());
            System.err.println("followermaze: cannot start: " + e.getCause().getMessage());
            return damaged ? JOURNAL_DAMAGED_EXIT_STATUS : JOURNAL_IO_EXIT_STATUS;
        } catch (RuntimeException e) {
            // A port in use, or a fan-out node's catch-up failing (retention deleted records it was reading): one
            // line, no port left open; Main's System.exit ends the threads already started.
            LOG.error("Cannot start: {}", e.getMessage());
            LOG.debug("Start-up failure", e);
            System.err.println("followermaze: cannot start: " + e.getMessage());
            return FATAL_EXIT_STATUS;
        }
        final MetricsEndpoint metrics = metricsPort == null ? null : new MetricsEndpoint(server, config.bindAddress(), metricsPort,
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
