package io.followermaze.loadgen.verify;

import io.followermaze.loadgen.RunControl;
import io.followermaze.loadgen.SecondsReport;
import io.followermaze.loadgen.pace.FakeClock;
import io.followermaze.loadgen.pace.Schedule;
import io.followermaze.loadgen.stream.EventGenerator;
import io.followermaze.loadgen.stream.Mix;
import io.followermaze.loadgen.stream.SourceStream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-second latency on a fake clock, through the real paced source and schedule: a server that stalls from
 * 1.5 s to 3.2 s of a 5 s run shows as latency in seconds 1, 2 and 3, whose events waited, each second's
 * figures those of its own events; not as one burst in the second the backlog arrived.
 */
class LatencyBySecondTest {
    private static final long START = 7_000_000_000L;
    private static final long SEC = 1_000_000_000L;
    private static final int RATE = 10_000;
    private static final int EVENTS = 5 * RATE;
    private static final long SERVICE = 50_000;
    private static final long STALL_AT = 1_500_000_000L;
    private static final long STALL = 1_700_000_000L;

    /**
     * The server: reads what the source writes and delivers each event's notification {@code SERVICE} ns later,
     * except that from 1.5 s it stops reading for 1.7 s; the source's write blocks meanwhile.
     */
    private static final class StallingServer implements WritableByteChannel {
        final FakeClock clock;
        final Schedule schedule;
        final LatencyRecorder recorder;
        long stallEnd = -1;

        StallingServer(FakeClock clock, Schedule schedule, LatencyRecorder recorder) {
            this.clock = clock;
            this.schedule = schedule;
            this.recorder = recorder;
        }

        @Override
        public int write(ByteBuffer src) {
            final int n = src.remaining();
            final boolean stalls = stallEnd < 0 && clock.nanoTime() - START >= STALL_AT;
            if (stalls) {
                clock.advance(STALL);
                stallEnd = clock.nanoTime();
            }
            final long arrival = clock.nanoTime() + SERVICE;
            long seq = 0;
            boolean inSeq = true;
            while (src.hasRemaining()) {
                final byte c = src.get();
                if (c == '\n') {
                    recorder.recordArrival(seq, arrival);
                    seq = 0;
                    inSeq = true;
                } else if (inSeq && c >= '0' && c <= '9') {
                    seq = seq * 10 + (c - '0');
                } else {
                    inSeq = false;
                }
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    private static LatencyBySecond runWithStall(long warmupNanos) throws IOException {
        final FakeClock clock = new FakeClock(START);
        final Schedule schedule = new Schedule(RATE, EVENTS, warmupNanos);
        final LatencyRecorder recorder = new LatencyRecorder(schedule);
        final int[] connected = EventGenerator.chooseConnectedUsers(1000, 100, 5);
        final SourceStream stream = new SourceStream(new EventGenerator(Mix.REFERENCE, 1000, connected, 5), EVENTS,
            100, 5, 1000, null, 16, 64 << 10, new RunControl(1)).pace(schedule, clock);
        schedule.start(START);
        final StallingServer server = new StallingServer(clock, schedule, recorder);
        stream.run(server);
        assertTrue(server.stallEnd > 0, "the server stalled");
        final LatencyBySecond bySecond = new LatencyBySecond(schedule);
        recorder.addTo(bySecond);
        return bySecond;
    }

    private static void assertNear(double expected, long actual, double tolerance, String what) {
        assertEquals(expected, actual, tolerance, what + ": " + actual);
    }

    @Test
    void aStallShowsInEverySecondItCovered() throws IOException {
        final LatencyBySecond s = runWithStall(0);
        assertEquals(5, s.size());
        long total = 0;
        for (int i = 0; i < 5; i++) {
            // a batch (1..100 events) is due, as a whole, at its first event's time: it may straddle a second
            assertEquals(RATE, s.second(i).getTotalCount(), 100, "second " + i + ": every notification of its events");
            total += s.second(i).getTotalCount();
        }
        assertEquals(EVENTS, total, "each notification in exactly one second");
        final double slack = 0.02 * SEC; // a batch (<= 100 events = 10 ms) and the 2-digit resolution
        // second 0: on time throughout
        assertNear(SERVICE, s.second(0).getMaxValue(), 1_000, "s0 max");
        // second 1: on time until 1.5 s, then every event waits for the stall's end (3.2 s)
        assertNear(1.7 * SEC, s.second(1).getMaxValue(), slack, "s1 max: the event due as the stall began");
        assertTrue(s.second(1).getValueAtPercentile(99) > SEC, "s1 p99");
        assertNear(SERVICE, s.second(1).getValueAtPercentile(40), 1_000, "s1 p40: its first half was on time");
        // second 2: all stalled, from 1.2 s (due at 2.0) down to 0.2 s (due at 3.0)
        assertNear(1.2 * SEC, s.second(2).getMaxValue(), slack, "s2 max");
        assertNear(0.2 * SEC, s.second(2).getMinValue(), slack, "s2 min");
        assertNear(0.7 * SEC, s.second(2).getValueAtPercentile(50), slack, "s2 p50");
        // second 3: the last 0.2 s of the stall, then on time
        assertNear(0.2 * SEC, s.second(3).getMaxValue(), slack, "s3 max");
        assertNear(SERVICE, s.second(3).getValueAtPercentile(50), 1_000, "s3 p50");
        // second 4: on time again
        assertNear(SERVICE, s.second(4).getMaxValue(), 1_000, "s4 max");
    }

    @Test
    void warmupSecondsAreKeptAndMarked() throws IOException {
        final LatencyBySecond s = runWithStall(2 * SEC);
        assertTrue(s.inWarmup(0) && s.inWarmup(1));
        assertFalse(s.inWarmup(2));
        assertEquals(RATE, s.second(1).getTotalCount(), 100, "warm-up seconds are still shown");
        final String table = SecondsReport.format("server", s);
        assertTrue(table.lines().anyMatch(l -> l.matches("\\s+1 w\\s+[\\d,]{5,6} .*")), table);
        assertTrue(table.lines().anyMatch(l -> l.matches("\\s+2  \\s+[\\d,]{5,6} .*")), table);
    }

    @Test
    void theIntervalLogHoldsOneHistogramPerSecond(@TempDir Path dir) throws IOException {
        final LatencyBySecond s = runWithStall(0);
        final Path file = dir.resolve("run.hlog");
        SecondsReport.writeLog("server", s, file);
        try (HistogramLogReader reader = new HistogramLogReader(file.toFile())) {
            for (int i = 0; i < 5; i++) {
                final Histogram h = (Histogram) reader.nextIntervalHistogram();
                assertEquals(i, (h.getStartTimeStamp() - s.startEpochMillis()) / 1000, "interval " + i + " starts");
                assertEquals(s.second(i).getTotalCount(), h.getTotalCount());
                assertEquals(s.second(i).getMaxValue(), h.getMaxValue(), "interval " + i + " max");
            }
            assertFalse(reader.hasNext());
        }
    }
}
