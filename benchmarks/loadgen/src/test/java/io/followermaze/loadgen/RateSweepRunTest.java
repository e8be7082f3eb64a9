package io.followermaze.loadgen;

import io.followermaze.loadgen.cli.DemoCommand;
import io.followermaze.loadgen.probe.ServerProbe;
import io.followermaze.loadgen.stream.Mix;
import io.followermaze.loadgen.sweep.RateSweep;
import io.followermaze.loadgen.sweep.SweepRow;
import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Small real sweeps: a fresh in-process server per rate, each run verified; and why it must be fresh. */
@Timeout(120)
class RateSweepRunTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    private static LoadgenConfig.Builder small() {
        return LoadgenConfig.builder().logIntervalMillis(0).expectationBudgetBytes(32 << 20).graceMillis(50)
            .totalEvents(3_000).concurrency(10).users(30).mix(Mix.FANOUT).timeoutMillis(10_000); // a loaded box may stall a while
    }

    /** A fresh server for the run, the way --server-cmd gives each rate a fresh process. */
    private static RunResult freshServer(LoadgenConfig config) throws java.io.IOException, InterruptedException {
        try (FollowerMazeServer server = new FollowerMazeServer(ServerConfig.ephemeral()).start()) {
            return new LoadRun(config, DemoCommand.inProcess(server, config.concurrency()), QUIET).run();
        }
    }

    @Test
    void oneVerifiedRowPerRateInTheOrderGiven() throws Exception {
        final StringWriter text = new StringWriter();
        final List<SweepRow> rows = new RateSweep(small().build(), 0, "in-process")
            .run(List.of(30_000L, 10_000L), RateSweepRunTest::freshServer, new PrintWriter(text), null);
        assertEquals(2, rows.size());
        assertEquals(30_000, rows.get(0).offered());
        assertEquals(10_000, rows.get(1).offered());
        for (SweepRow r : rows) {
            assertTrue(r.passed(), text.toString());
            assertTrue(r.recorded() > 3_000, "every notification of 3,000 fan-out events: " + r.recorded());
            assertTrue(r.p50Micros() > 0 && r.p50Micros() <= r.p99Micros() && r.p99Micros() <= r.maxMicros(),
                r.toString());
            // open loop: the run lasts at least the schedule, so no more than the offered rate gets through
            assertTrue(r.achieved() > 0 && r.achieved() <= r.offered() * 1.01, r.toString());
        }
        assertEquals(3, text.toString().lines().filter(l -> l.startsWith("series") || l.startsWith("in-process"))
            .count(), "the header and a row per rate as each ends:\n" + text);
    }

    @Test
    void aVerificationFailureFailsItsRow() throws Exception {
        final StringWriter text = new StringWriter();
        final List<SweepRow> rows = new RateSweep(small().build(), 0, "broken").run(List.of(20_000L), config -> {
            try (FollowerMazeServer server = new FollowerMazeServer(ServerConfig.ephemeral()).start();
                 LineDropProxy proxy = new LineDropProxy(server.clientPort(), false, line -> line.contains("|S|"))) {
                final Target target = new Target("broken", "127.0.0.1", server.eventPort(), proxy.port(),
                    () -> server.pipeline().stats().registrations() >= config.concurrency(), null, ServerProbe.NONE);
                return new LoadRun(config, target, QUIET).run();
            }
        }, new PrintWriter(text), null);
        assertFalse(rows.get(0).passed(), text.toString());
        assertTrue(text.toString().contains("broken at 20,000/s FAILED: user "), text.toString());
        assertTrue(text.toString().lines().anyMatch(l -> l.startsWith("broken") && l.contains(" FAIL")), text.toString());
    }

    @Test
    void aLongRunningServerTakesOneStreamOnlySoEachRateNeedsAFreshOne() throws Exception {
        try (FollowerMazeServer server = new FollowerMazeServer(ServerConfig.ephemeral()).start()) {
            final RunResult first = new LoadRun(small().rate(20_000).build(), DemoCommand.inProcess(server, 10), QUIET)
                .run();
            assertNull(first.failure());
            // a new source and new clients: the source closed, but the server awaits seq 3,001 now, not seq 1; the
            // short timeout only shortens this run, which can never pass
            final LoadgenConfig config = small().rate(20_000).timeoutMillis(500).build();
            final RunResult second = new LoadRun(config, DemoCommand.inProcess(server, 10), QUIET).run();
            assertFalse(second.passed(), "a second stream from seq 1 is not delivered");
            assertTrue(second.failure().contains("no notification for"), second.failure());
        }
    }

    @Test
    void sweepSecondsSetTheEventsPerRate() {
        final RateSweep sweep = new RateSweep(small().warmupMillis(200).build(), 0.5, "s");
        assertEquals(25_000, sweep.configFor(50_000).totalEvents());
        assertEquals(50_000, sweep.configFor(50_000).rate());
        assertEquals(3_000, new RateSweep(small().build(), 0, "s").configFor(50_000).totalEvents(), "else the count");
        assertThrows(IllegalArgumentException.class, () -> new RateSweep(small().warmupMillis(500).build(), 0.5, "s"),
            "the warm-up would take the whole run");
    }
}
