package io.followermaze.loadgen;

import io.followermaze.loadgen.cli.DemoCommand;
import io.followermaze.loadgen.nullserver.NullServer;
import io.followermaze.loadgen.probe.ServerProbe;
import io.followermaze.loadgen.probe.ThreadCpuProbe;
import io.followermaze.loadgen.stream.Mix;
import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whole runs over loopback: against the real server, a broken one, and the null server. */
@Timeout(60)
class LoadRunTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    private FollowerMazeServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = new FollowerMazeServer(ServerConfig.ephemeral()).start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private static LoadgenConfig.Builder small() {
        return LoadgenConfig.builder().logIntervalMillis(0).expectationBudgetBytes(32 << 20).graceMillis(50);
    }

    @Test
    void passesAgainstTheRealServer() throws Exception {
        final LoadgenConfig config = small().totalEvents(200_000).concurrency(50).maxBatch(1000).build();
        final RunResult r = new LoadRun(config, DemoCommand.inProcess(server, 50), QUIET).run();
        assertNull(r.failure());
        assertEquals(200_000, r.events());
        assertTrue(r.notifications() > 0);
        assertEquals(server.pipeline().stats().notificationsDelivered(), r.notifications(),
            "the server delivered exactly what the loadgen verified");
        assertTrue(r.latency().getTotalCount() > 0, "latency samples");
        assertTrue(r.serverCpuNanos() > 0, "server CPU measured");
    }

    @Test
    void pacedRunHoldsTheRateAndTimesEveryNotificationAfterTheWarmup() throws Exception {
        final LoadgenConfig config = small().totalEvents(60_000).concurrency(20).rate(200_000).warmupMillis(100)
            .build();
        final RunResult r = new LoadRun(config, DemoCommand.inProcess(server, 20), QUIET).run();
        assertNull(r.failure());
        assertTrue(r.paced());
        assertEquals(200_000, r.rate());
        assertTrue(r.wallNanos() >= 295_000_000L, "60,000 events at 200,000/s take 0.3 s at least: " + r.wallNanos());
        final long recorded = r.latency().getTotalCount();
        assertTrue(recorded > r.notifications() / 2 && recorded < r.notifications(),
            "every notification but those of the first 0.1 s of 0.3 s: " + recorded + " of " + r.notifications());
    }

    @Test
    void passesWithTheFanoutMixAndSeveralReaders() throws Exception {
        final LoadgenConfig config = small().totalEvents(50_000).concurrency(20).users(60).mix(Mix.FANOUT)
            .readerThreads(3).build();
        final RunResult r = new LoadRun(config, DemoCommand.inProcess(server, 20), QUIET).run();
        assertNull(r.failure());
        assertEquals(server.pipeline().stats().notificationsDelivered(), r.notifications());
        assertTrue(r.notifications() > 50_000, "fanout notifies many: " + r.notifications());
    }

    @Test
    void failsWhenTheServerLosesAStatusUpdateNotification() throws Exception {
        // Between the clients and the server: drop the first status update any client is sent.
        try (LineDropProxy proxy = new LineDropProxy(server.clientPort(), false, line -> line.contains("|S|"))) {
            final LoadgenConfig config = small().totalEvents(20_000).concurrency(10).users(30).mix(Mix.FANOUT).build();
            final Target target = new Target("broken", "127.0.0.1", server.eventPort(), proxy.port(),
                () -> server.pipeline().stats().registrations() >= 10, null, ServerProbe.NONE);
            final RunResult r = new LoadRun(config, target, QUIET).run();
            final String dropped = proxy.droppedLine();
            assertNotNull(dropped);
            assertFalse(r.passed());
            assertTrue(r.failure().matches("user \\d+: notification \\d+ differs at byte \\d+: expected "
                + java.util.regex.Pattern.quote(quoted(dropped)) + ", actual \".*\\\\r\\\\n\""), r.failure());
        }
    }

    @Test
    void failsWhenAStatusUpdateNeverReachesTheServer() throws Exception {
        // Between the source and the server: remove one status update from the event stream. The server keeps
        // waiting for the missing seq, so the clients time out waiting for what follows it.
        try (LineDropProxy proxy = new LineDropProxy(server.eventPort(), true, line -> line.contains("|S|"))) {
            final LoadgenConfig config = small().totalEvents(20_000).concurrency(10).users(30).mix(Mix.FANOUT)
                .timeoutMillis(500).build();
            final Target target = new Target("broken", "127.0.0.1", proxy.port(), server.clientPort(),
                () -> server.pipeline().stats().registrations() >= 10, null, ServerProbe.NONE);
            final RunResult r = new LoadRun(config, target, QUIET).run();
            assertNotNull(proxy.droppedLine());
            assertFalse(r.passed());
            assertTrue(r.failure().matches("user \\d+: no notification for \\d+ ms \\(timeout 500 ms\\); expected line .*"),
                r.failure());
        }
    }

    @Test
    void nullServerRunMeasuresTheGeneratorAlone() throws Exception {
        try (NullServer nullServer = NullServer.start("127.0.0.1", 0, 0)) {
            final LoadgenConfig config = small().totalEvents(100_000).concurrency(20).verify(false).build();
            final Target target = new Target("null server", "127.0.0.1", nullServer.eventPort(),
                nullServer.clientPort(), () -> true, nullServer::eventBytesRead, new ThreadCpuProbe("nullserver-"));
            final RunResult r = new LoadRun(config, target, QUIET).run();
            assertNull(r.failure());
            assertEquals(100_000, r.events());
            assertEquals(r.bytesSent(), nullServer.eventBytesRead());
            assertTrue(r.wallNanos() > 0);
        }
    }

    @Test
    void verifyingAgainstTheNullServerTimesOut() throws Exception {
        try (NullServer nullServer = NullServer.start("127.0.0.1", 0, 0)) {
            final LoadgenConfig config = small().totalEvents(2_000).concurrency(5).users(10).timeoutMillis(300).build();
            final Target target = new Target("null server", "127.0.0.1", nullServer.eventPort(),
                nullServer.clientPort(), () -> true, null, ServerProbe.NONE);
            final RunResult r = new LoadRun(config, target, QUIET).run();
            assertFalse(r.passed());
            assertTrue(r.failure().contains("no notification for"), r.failure());
            assertEquals(0, r.notifications());
        }
    }

    @Test
    void reportTableShowsBothRowsAndTheRatio() throws Exception {
        final LoadgenConfig config = small().totalEvents(20_000).concurrency(10).build();
        final RunResult real = new LoadRun(config, DemoCommand.inProcess(server, 10), QUIET).run();
        final RunResult none = new RunResult("null server", false, null, 20_000, 0, 1_000_000, null, -1, -1, 0, 0, 0);
        final String text = ReportTable.format(List.of(real, none));
        assertTrue(text.contains("server       PASS"), text);
        assertTrue(text.contains("null server  PASS"), text);
        assertTrue(text.contains("ratio server / null server events/s: "), text);
    }

    private static String quoted(String line) {
        return "\"" + line.replace("\r", "\\r").replace("\n", "\\n") + "\"";
    }
}
