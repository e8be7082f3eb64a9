package io.followermaze.loadgen.verify;

import io.followermaze.loadgen.pace.Schedule;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Open-loop latency maths through the reader's real path (verifier, expectation ring, seq parsed from the
 * verified line, schedule): each notification is measured from its event's scheduled send time, so a stall
 * is charged to every event scheduled during it.
 */
class OpenLoopLatencyTest {
    private static final long START = 5_000_000_000L;
    private static final long RATE = 100_000;          // one event every 10 µs, batches of one
    private static final int EVENTS = 20_000;          // 200 ms
    private static final long SERVICE = 50_000;        // 50 µs through the server when it runs
    private static final long STALL_FROM = 50_000_000; // the server stalls from 50 ms ...
    private static final long STALL_TO = 150_000_000;  // ... to 150 ms after the start

    private final Expectation expectation = new Expectation(7, 4096);
    private final ClientVerifier verifier = new ClientVerifier(expectation);

    private static Schedule schedule(long warmupNanos) {
        final Schedule s = new Schedule(RATE, EVENTS, warmupNanos);
        s.start(START);
        for (int seq = 1; seq <= EVENTS; seq++) {
            s.batch(seq, 1);
        }
        return s;
    }

    /** When the notification of the event due at {@code due} (relative to the start) arrives. */
    private static long arrival(long due) {
        final long leaves = due >= STALL_FROM && due < STALL_TO ? STALL_TO : due;
        return START + leaves + SERVICE;
    }

    /** Feeds every notification to the verifier at its arrival time; returns the merged histogram. */
    private Histogram receiveAll(LatencyRecorder recorder, Schedule schedule) {
        for (int seq = 1; seq <= EVENTS; seq++) {
            final byte[] line = (seq + "|S|3\r\n").getBytes(StandardCharsets.US_ASCII);
            expectation.append(line, 0, line.length);
            expectation.publish();
            final long due = schedule.scheduledNanos(seq) - START;
            assertNull(verifier.onBytes(line, 0, line.length, arrival(due), recorder));
        }
        final Histogram h = LatencyRecorder.newHistogram();
        recorder.addTo(h);
        return h;
    }

    /** Every event's true latency in the model, sorted. */
    private static long[] exactLatencies(long warmupNanos) {
        return java.util.stream.LongStream.range(0, EVENTS).map(i -> i * 10_000L).filter(due -> due >= warmupNanos)
            .map(due -> arrival(due) - START - due).sorted().toArray();
    }

    @Test
    void aStalledServerShowsAsLatencyOnEveryEventScheduledDuringTheStall() {
        final Schedule schedule = schedule(0);
        final Histogram h = receiveAll(new LatencyRecorder(schedule), schedule);
        assertEquals(EVENTS, h.getTotalCount(), "every notification recorded, none sampled");
        // The 10,000 events due during the 100 ms stall each wait until its end: latency >= STALL_TO - due.
        for (long threshold : new long[] {1_005_000, 10_005_000, 50_005_000, 90_005_000}) {
            final long stalledThatLong = Arrays.stream(exactLatencies(0)).filter(l -> l >= threshold).count();
            assertEquals((STALL_TO - STALL_FROM + SERVICE - threshold) / 10_000 + 1, stalledThatLong, "model check");
            // within the histogram's resolution at that value (3 significant digits; one event per 10 µs)
            final long slack = h.sizeOfEquivalentValueRange(threshold) / 10_000 + 1;
            assertEquals(stalledThatLong, h.getCountBetweenValues(threshold, h.getMaxValue()), slack,
                "latencies >= " + threshold + " ns: every event due more than that before the stall's end");
        }
        assertTrue(h.getCountBetweenValues(1_005_000, h.getMaxValue()) > 9_800,
            "not one slow sample but ~10,000 (a closed-loop source would have sent them after the stall)");
        assertTrue(h.valuesAreEquivalent(STALL_TO - STALL_FROM + SERVICE, h.getMaxValue()),
            "the first event due in the stall waited all of it: " + h.getMaxValue());
        assertEquals(SERVICE, h.getMinValue(), 50, "on time: the service time alone");
    }

    @Test
    void percentilesComeFromTheHistogramOfEveryNotification() {
        final Schedule schedule = schedule(0);
        final Histogram h = receiveAll(new LatencyRecorder(schedule), schedule);
        final long[] exact = exactLatencies(0);
        for (double p : new double[] {50, 90, 99, 99.9, 99.99, 100}) {
            final long expected = exact[(int) Math.ceil(p / 100 * exact.length) - 1];
            final long actual = h.getValueAtPercentile(p);
            assertTrue(h.valuesAreEquivalent(expected, actual), "p" + p + ": " + actual + " vs exact " + expected);
        }
        // Half the events were stalled, their latencies spread evenly over 50 µs .. 100 ms:
        assertTrue(h.getValueAtPercentile(90) > 79_000_000 && h.getValueAtPercentile(90) < 81_000_000,
            "p90 ~ 80 ms: " + h.getValueAtPercentile(90));
    }

    @Test
    void warmupExcludesNotificationsOfEventsScheduledInIt() {
        final Schedule schedule = schedule(60_000_000); // the first 60 ms: 6,000 events, 1,000 of them stalled
        final LatencyRecorder recorder = new LatencyRecorder(schedule);
        final Histogram h = receiveAll(recorder, schedule);
        assertEquals(6_000, recorder.warmupSkipped());
        assertEquals(EVENTS - 6_000, h.getTotalCount());
        assertEquals(exactLatencies(60_000_000).length, h.getTotalCount());
        assertTrue(h.valuesAreEquivalent(STALL_TO - 60_000_000 + SERVICE, h.getMaxValue()),
            "the longest wait left is the first event after the warm-up: " + h.getMaxValue());
    }

    @Test
    void timingEveryNotificationAllocatesNothing() {
        final Schedule schedule = schedule(0);
        final LatencyRecorder recorder = new LatencyRecorder(schedule);
        final byte[][] lines = new byte[EVENTS + 1][];
        for (int seq = 1; seq <= EVENTS; seq++) {
            lines[seq] = (seq + "|S|3\r\n").getBytes(StandardCharsets.US_ASCII);
        }
        final com.sun.management.ThreadMXBean mx =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        final long tid = Thread.currentThread().getId();
        long allocated = -1;
        for (int round = 0; round < 2; round++) { // the first round loads and links classes
            final long before = mx.getThreadAllocatedBytes(tid);
            for (int seq = 1 + round * (EVENTS / 2); seq <= (round + 1) * (EVENTS / 2); seq++) {
                expectation.append(lines[seq], 0, lines[seq].length);
                expectation.publish();
                if (verifier.onBytes(lines[seq], 0, lines[seq].length, START + seq * 20_000L, recorder) != null) {
                    throw new AssertionError("verification failed at seq " + seq);
                }
            }
            allocated = mx.getThreadAllocatedBytes(tid) - before;
        }
        assertEquals(0, allocated, "bytes allocated verifying and timing " + EVENTS / 2 + " notifications");
        assertEquals(EVENTS, verifier.linesVerified());
    }

    @Test
    void aLineIsTimedWhenItsLastByteArrives() {
        final Schedule s = new Schedule(1_000, 3, 0); // 1 event per ms
        s.start(0);
        s.batch(1, 2); // seqs 1 and 2 due at 0
        s.batch(3, 1); // seq 3 due at 2 ms
        final LatencyRecorder recorder = new LatencyRecorder(s);
        final byte[] lines = "2|B\r\n1|B\r\n3|P|1|7\r\n".getBytes(StandardCharsets.US_ASCII);
        expectation.append(lines, 0, lines.length);
        expectation.publish();
        assertNull(verifier.onBytes(lines, 0, 3, 1_000_000, recorder));       // "2|B": nothing complete
        assertNull(verifier.onBytes(lines, 3, 9, 4_000_000, recorder));       // ends "2|B", "1|B" and starts "3|P"
        assertNull(verifier.onBytes(lines, 12, lines.length - 12, 9_000_000, recorder)); // ends "3|P|1|7"
        final Histogram h = LatencyRecorder.newHistogram();
        recorder.addTo(h);
        assertEquals(3, h.getTotalCount());
        assertEquals(2, h.getCountAtValue(4_000_000), "seqs 2 and 1: due at 0, complete at 4 ms");
        assertEquals(1, h.getCountAtValue(7_000_000), "seq 3: due at 2 ms, complete at 9 ms");
        assertEquals(3, verifier.linesVerified());
    }
}
