package io.followermaze.loadgen.cli;

import io.followermaze.loadgen.LoadgenConfig;
import io.followermaze.loadgen.stream.Mix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line: options, help, exit codes, and the demo and null-server commands end to end. */
@Timeout(60)
class ToolsMainTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        final CommandLine cl = ToolsMain.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void helpDocumentsEveryReferenceVariableAndDefault() {
        assertEquals(0, run("loadgen", "--help"));
        final String help = out.toString().replaceAll("\\s+", " ");
        for (String env : new String[] {"totalEvents; default 10000000", "concurrencyLevel; default 100",
            "numberOfUsers; default concurrencyLevel x 10", "randomSeed; default 666", "timeout; default 20000",
            "maxEventSourceBatchSize; default 100", "eventListenerPort; default 9090",
            "clientListenerPort; default 9099", "logInterval; default 1000"}) {
            assertTrue(help.contains("[env " + env), "help lacks " + env + ":\n" + help);
        }
        for (String flag : new String[] {"--host", "--mix", "--settle-ms", "--null-server", "--compare-null",
            "--server-pid", "--total-events", "--max-event-source-batch-size", "--rate", "--warmup-s", "--histogram-out",
            "--relay", "--histogram-log", "--rate-sweep", "--sweep-seconds", "--server-cmd", "--sweep-csv", "--plot-out",
            "--plot-add"}) {
            assertTrue(help.contains(flag), "help lacks " + flag);
        }
    }

    @Test
    void flagsBuildTheConfigAndUsersDefaultToTenPerClient() {
        final LoadgenCommand cmd = new LoadgenCommand();
        new CommandLine(cmd).setCaseInsensitiveEnumValuesAllowed(true)
            .parseArgs("--total-events", "5000", "--concurrencyLevel", "7", "--mix", "FANOUT", "--timeout", "300");
        final LoadgenConfig c = cmd.toConfig();
        assertEquals(5000, c.totalEvents());
        assertEquals(7, c.concurrency());
        assertEquals(70, c.users());
        assertEquals(Mix.FANOUT, c.mix());
        assertEquals(300, c.timeoutMillis());
    }

    @Test
    void clusterBenchRatePacesBothSidesAndDefaultsToABlast() {
        final ClusterBenchCommand paced = new ClusterBenchCommand();
        new CommandLine(paced).setCaseInsensitiveEnumValuesAllowed(true)
            .parseArgs("--total-events", "3000000", "--rate", "500000", "--concurrency-level", "20");
        for (Mix mix : new Mix[] {Mix.REFERENCE, Mix.FANOUT}) {
            final LoadgenConfig c = paced.config(mix); // the one load both the single node and the cluster get
            assertTrue(c.paced());
            assertEquals(500_000, c.rate());
            assertEquals(3_000_000, c.totalEvents());
            assertEquals(20, c.concurrency());
            assertEquals(mix, c.mix());
        }
        final ClusterBenchCommand blast = new ClusterBenchCommand();
        new CommandLine(blast).parseArgs();
        assertFalse(blast.config(Mix.FANOUT).paced());
        assertEquals(0, blast.config(Mix.FANOUT).rate());
    }

    @Test
    void clusterBenchRejectsANegativeRateBeforeStartingAnything() {
        assertEquals(2, run("cluster-bench", "--rate", "-1", "--total-events", "1000"));
        assertTrue(err.toString().contains("Invalid options: rate must be >= 0"), err.toString());
        assertEquals("", out.toString());
        assertEquals(0, run("cluster-bench", "--help"));
        assertTrue(out.toString().contains("--rate=EVENTS_PER_S"), out.toString());
    }

    @Test
    void invalidOptionsExitWithTwo() {
        assertEquals(2, run("loadgen", "--concurrency-level", "50", "--number-of-users", "10"));
        assertTrue(err.toString().contains("numberOfUsers must be"), err.toString());
    }

    @Test
    void noServerListeningFailsWithAMessage() throws Exception {
        final int freePort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            freePort = s.getLocalPort();
        }
        assertEquals(1, run("loadgen", "--client-listener-port", "" + freePort, "--event-listener-port", "" + freePort,
            "--total-events", "10", "--concurrency-level", "1", "--log-interval", "0"));
        assertTrue(out.toString().contains("FAIL: java.net.ConnectException"), out.toString());
    }

    @Test
    void nullServerRunPrintsItsRow() {
        assertEquals(0, run("loadgen", "--null-server", "--total-events", "20000", "--concurrency-level", "5",
            "--log-interval", "0"), out + "\n" + err);
        assertTrue(out.toString().contains("null server  PASS"), out.toString());
        assertTrue(out.toString().endsWith("PASS" + System.lineSeparator()), out.toString());
    }

    @Test
    void pacedRunPrintsPercentilesAndWritesTheHistogram(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
        throws Exception {
        final java.nio.file.Path hgrm = dir.resolve("run.hgrm");
        final java.nio.file.Path hlog = dir.resolve("run.hlog");
        try (io.followermaze.server.FollowerMazeServer server = new io.followermaze.server.FollowerMazeServer(
            io.followermaze.server.ServerConfig.ephemeral()).start()) {
            assertEquals(0, run("loadgen", "--event-listener-port", "" + server.eventPort(), "--client-listener-port",
                "" + server.clientPort(), "--total-events", "40000", "--concurrency-level", "10", "--log-interval", "0",
                "--settle-ms", "300", "--rate", "200000", "--warmup-s", "0.05", "--histogram-out", hgrm.toString(),
                "--histogram-log", hlog.toString()),
                out + "\n" + err);
        }
        final String text = out.toString();
        assertTrue(text.contains("paced at 200,000 events/s (open loop), warm-up 50 ms"), text);
        assertTrue(text.matches("(?s).*run +rate/s +recorded +p50 +p90 +p99 +p99\\.9 +p99\\.99 +max +late batches.*"), text);
        assertTrue(text.matches("(?s).*\\nserver +200,000 +[0-9,]+ +\\d+ +\\d+ +\\d+ +\\d+ +\\d+ +\\d+ +[0-9,]+\\n.*"), text);
        final String dist = java.nio.file.Files.readString(hgrm);
        assertTrue(dist.contains("Value     Percentile TotalCount 1/(1-Percentile)"), dist);
        assertTrue(dist.contains("#[Max     ="), dist);
        assertTrue(text.matches("(?s).*latency per second of server .*\n +second +count +p50 +p99 +max\n +0 w +[0-9,]+ .*"),
            text); // 40,000 events at 200,000/s: all due in second 0, which began in the warm-up
        try (org.HdrHistogram.HistogramLogReader reader = new org.HdrHistogram.HistogramLogReader(hlog.toFile())) {
            final org.HdrHistogram.EncodableHistogram second0 = reader.nextIntervalHistogram();
            assertTrue(((org.HdrHistogram.Histogram) second0).getTotalCount() > 0, "second 0 in the interval log");
            assertFalse(reader.hasNext(), "one second, one interval");
        }
    }

    @Test
    void demoPasses() {
        assertEquals(0, run("demo", "--total-events", "30000", "--concurrency-level", "10", "--log-interval", "0"),
            out + "\n" + err);
        assertTrue(out.toString().contains("server       PASS"), out.toString());
        assertTrue(out.toString().contains("30,000 events released"), out.toString());
    }

    @Test
    void toolsJarOffersServeLoadgenAndDemo() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("serve"));
        assertTrue(out.toString().contains("loadgen"));
        assertTrue(out.toString().contains("demo"));
    }

    /** {@code ./followermaze --help} runs this jar: it must know every command the launcher runs, the server's too. */
    @Test
    void everyLauncherCommandIsASubcommandWithHelp() {
        final java.util.Set<String> commands = ToolsMain.commandLine().getSubcommands().keySet();
        assertTrue(commands.containsAll(java.util.Set.of("serve", "journal", "loadgen", "demo", "dev-broker",
            "cluster-bench", "help")), commands.toString());
        assertEquals(0, run("help", "journal"));
        assertTrue(out.toString().contains("inspect") && out.toString().contains("replay"), out.toString());
    }
}
