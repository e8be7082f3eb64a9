package io.followermaze.server.cli;

import io.followermaze.pipeline.PipelineConfig;
import io.followermaze.pipeline.WaitStrategyKind;
import io.followermaze.server.PipelineThread;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Precedence: flag > environment > properties file > profile > built-in default. */
class ConfigDefaultsTest {
    @TempDir
    Path dir;

    private static ServerConfig parse(Map<String, String> env, String... args) {
        final ServeCommand serve = new ServeCommand();
        final CommandLine cli = new CommandLine(serve);
        cli.setDefaultValueProvider(ConfigDefaults.from(args, env));
        cli.parseArgs(args);
        return serve.toConfig();
    }

    @Test
    void builtInDefaultsWhenNothingIsSet() {
        final ServerConfig c = parse(Map.of());
        assertEquals(ServerConfig.DEFAULT, c);
    }

    @Test
    void environmentOverridesDefaults() {
        final ServerConfig c = parse(Map.of("FOLLOWERMAZE_EVENT_PORT", "7000", "FOLLOWERMAZE_WINDOW_SIZE", "1024"));
        assertEquals(7000, c.eventPort());
        assertEquals(1024, c.pipeline().windowSize());
        assertEquals(ServerConfig.DEFAULT_CLIENT_PORT, c.clientPort());
    }

    @Test
    void flagOverridesEnvironment() {
        final ServerConfig c = parse(Map.of("FOLLOWERMAZE_EVENT_PORT", "7000"), "--event-port", "7001");
        assertEquals(7001, c.eventPort());
    }

    @Test
    void fileOverridesProfileAndEnvironmentOverridesFile() throws Exception {
        final Path file = dir.resolve("fm.properties");
        Files.writeString(file, "profile=throughput\nclient-port=8001\nchunk-bytes=32768\nevent-port=8000\n");
        final ServerConfig c = parse(Map.of("FOLLOWERMAZE_EVENT_PORT", "7000"), "--config", file.toString());
        assertEquals(7000, c.eventPort(), "environment beats file");
        assertEquals(8001, c.clientPort(), "file beats default");
        assertEquals(32768, c.pipeline().chunkBytes(), "file beats profile");
        assertEquals(1024, c.pipeline().ringSize(), "profile (named in the file) beats default");
    }

    @Test
    void profileFlagSetsPresetValues() {
        final ServerConfig c = parse(Map.of(), "--profile=low-latency");
        assertEquals(PipelineThread.EVENT_LOOP, c.pipelineThread());
        assertEquals(4096, c.pipeline().chunkBytes());
        final ServerConfig env = parse(Map.of("FOLLOWERMAZE_PROFILE", "throughput"));
        assertEquals(1024, env.pipeline().ringSize());
    }

    @Test
    void profilesAreTypedPresetsUsableFromCode() {
        final ServerConfig low = Profile.LOW_LATENCY.apply(ServerConfig.DEFAULT);
        assertEquals(PipelineThread.EVENT_LOOP, low.pipelineThread());
        assertEquals(PipelineConfig.DEFAULT_WAIT_STRATEGY, low.pipeline().waitStrategy());
        assertEquals(4096, low.pipeline().chunkBytes());
        assertEquals(65536, low.handoffBytes());
        assertEquals(131072, low.clientHighWaterMark());
        assertEquals(ServerConfig.DEFAULT, Profile.BALANCED.apply(ServerConfig.DEFAULT));
        // the CLI gives the same configuration as the preset applied in code
        assertEquals(low, parse(Map.of(), "--profile", "low-latency"));
        assertEquals(Profile.THROUGHPUT.apply(ServerConfig.DEFAULT), parse(Map.of("FOLLOWERMAZE_PROFILE", "throughput")));
    }

    @Test
    void anExplicitValueBeatsTheProfileFromEverySource() throws Exception {
        assertEquals(8192, parse(Map.of(), "--profile", "low-latency", "--chunk-bytes", "8192").pipeline().chunkBytes());
        assertEquals(8192, parse(Map.of("FOLLOWERMAZE_CHUNK_BYTES", "8192"), "--profile", "low-latency")
            .pipeline().chunkBytes());
        final Path file = dir.resolve("p.properties");
        Files.writeString(file, "pipeline-thread=own\n");
        assertEquals(PipelineThread.OWN, parse(Map.of(), "--profile", "low-latency", "--config", file.toString())
            .pipelineThread());
    }

    @Test
    void enumOptionsTakeTheNamesUsersTypeAndListTheValidOnes() {
        assertEquals(WaitStrategyKind.BUSY_SPIN, parse(Map.of(), "--wait-strategy", "busy-spin").pipeline().waitStrategy());
        assertEquals(WaitStrategyKind.LITE_BLOCKING,
            parse(Map.of("FOLLOWERMAZE_WAIT_STRATEGY", "lite-blocking")).pipeline().waitStrategy());
        assertEquals(Transport.NIO, parse(Map.of(), "--transport=nio").transport());
        assertEquals(Transport.EPOLL, parse(Map.of("FOLLOWERMAZE_TRANSPORT", "epoll")).transport());
        final CommandLine.ParameterException bad = assertThrows(CommandLine.ParameterException.class,
            () -> parse(Map.of(), "--wait-strategy", "spinning"));
        assertEquals("Invalid value for option '--wait-strategy': unknown wait strategy 'spinning' "
            + "(blocking, lite-blocking, sleeping, yielding, busy-spin)", bad.getMessage());
        final CommandLine.ParameterException badTransport = assertThrows(CommandLine.ParameterException.class,
            () -> parse(Map.of(), "--transport", "kqueue"));
        assertEquals("Invalid value for option '--transport': unknown transport 'kqueue' (auto, epoll, nio)",
            badTransport.getMessage());
    }

    @Test
    void pipelineThreadTakesItsNamesAndIsForTheSingleNodeWithoutAJournal() {
        assertEquals(PipelineThread.OWN, parse(Map.of()).pipelineThread());
        assertEquals(PipelineThread.EVENT_LOOP, parse(Map.of(), "--pipeline-thread", "event-loop").pipelineThread());
        assertEquals(PipelineThread.EVENT_LOOP,
            parse(Map.of("FOLLOWERMAZE_PIPELINE_THREAD", "event-loop")).pipelineThread());
        final CommandLine.ParameterException bad = assertThrows(CommandLine.ParameterException.class,
            () -> parse(Map.of(), "--pipeline-thread", "loop"));
        assertEquals("Invalid value for option '--pipeline-thread': unknown pipeline thread 'loop' (own|event-loop)",
            bad.getMessage());
        final IllegalArgumentException journal = assertThrows(IllegalArgumentException.class,
            () -> parse(Map.of(), "--pipeline-thread", "event-loop", "--journal-dir", dir.toString()));
        assertEquals("--pipeline-thread event-loop can not be combined with --journal-dir: the journal stage runs on "
            + "a thread of its own ahead of the pipeline", journal.getMessage());
        final IllegalArgumentException fanout = assertThrows(IllegalArgumentException.class,
            () -> parse(Map.of(), "--pipeline-thread", "event-loop", "--role", "fanout", "--kafka-bootstrap", "k:9092",
                "--journal-dir", dir.toString(), "--snapshot-every", "1000"));
        assertEquals("--pipeline-thread event-loop is for the single node (--role all), not --role fanout: its log "
            + "consumer would hand every record to the loop", fanout.getMessage());
        final IllegalArgumentException ingest = assertThrows(IllegalArgumentException.class,
            () -> parse(Map.of(), "--pipeline-thread", "event-loop", "--role", "ingest", "--kafka-bootstrap", "k:9092"));
        assertEquals("--pipeline-thread event-loop is for the single node (--role all), not --role ingest: it has no "
            + "pipeline", ingest.getMessage());
    }

    @Test
    void unknownProfileIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--profile", "turbo"));
    }

    /** Issue 9: a typo in a properties file or a FOLLOWERMAZE_* variable was ignored without a word. */
    @Test
    void anUnknownKeyInTheFileOrEnvironmentIsAnErrorNamingTheNearestOption() throws Exception {
        final Path file = dir.resolve("typo.properties");
        Files.writeString(file, "evnt-port=8000\n");
        final IllegalArgumentException inFile = assertThrows(IllegalArgumentException.class,
            () -> check(Map.of(), "--config", file.toString()));
        assertEquals("unknown key 'evnt-port' in the configuration file (did you mean 'event-port'?)", inFile.getMessage());

        final IllegalArgumentException inEnv = assertThrows(IllegalArgumentException.class,
            () -> check(Map.of("FOLLOWERMAZE_MAX_PENDNG", "10")));
        assertEquals("unknown environment variable FOLLOWERMAZE_MAX_PENDNG (did you mean FOLLOWERMAZE_MAX_PENDING?)",
            inEnv.getMessage());

        // the launcher's own variables and every option are fine; SERVER_JAR and SERVER_OPTS are what the launcher
        // exports to loadgen, whose --server-cmd "./followermaze serve ..." inherits them
        check(Map.of("FOLLOWERMAZE_JAVA_OPTS", "-Xmx1g", "FOLLOWERMAZE_PROFILE", "throughput",
            "FOLLOWERMAZE_AOT", "off", "FOLLOWERMAZE_AOT_TRAIN_EVENTS", "20000",
            "FOLLOWERMAZE_SERVER_JAR", "/x/followermaze.jar", "FOLLOWERMAZE_SERVER_OPTS", "-Xmx512m",
            "FOLLOWERMAZE_EVENT_PORT", "7000", "PATH", "/bin"));
    }

    private static void check(Map<String, String> env, String... args) {
        final CommandLine cli = new CommandLine(new ServeCommand());
        final ConfigDefaults defaults = ConfigDefaults.from(args, env);
        final java.util.List<String> options = new java.util.ArrayList<>();
        cli.getCommandSpec().options().forEach(o -> options.add(o.longestName().replaceFirst("^-+", "")));
        defaults.requireKnownKeys(options);
    }

    @Test
    void environmentNamesAreUpperSnakeCase() {
        assertEquals("FOLLOWERMAZE_MAX_OUTBOUND_BYTES", ConfigDefaults.envName("max-outbound-bytes"));
    }
}
