package io.followermaze.loadgen.verify;

import io.followermaze.loadgen.pace.Schedule;
import org.HdrHistogram.Histogram;

/**
 * A paced run's latencies second by second: histogram {@code s} holds every notification of the events due in
 * second {@code s} of the schedule (warm-up included), merged over the reader threads at the end of the run.
 * A stall of the server shows as latency in each second it covered (whose events waited) rather than in the
 * second the backlog was delivered. Covers at most {@link LatencyRecorder#MAX_SECONDS}.
 */
public final class LatencyBySecond {
    private final Histogram[] seconds;
    private final long warmupNanos;
    private final long startEpochMillis;

    /** After the run: the schedule has started. */
    public LatencyBySecond(Schedule schedule) {
        this.seconds = new Histogram[Math.min(LatencyRecorder.MAX_SECONDS, schedule.seconds())];
        this.warmupNanos = schedule.warmupNanos();
        this.startEpochMillis = System.currentTimeMillis() - (System.nanoTime() - schedule.startNanos()) / 1_000_000;
    }

    /** Wall-clock time of second 0's start, for the interval log. */
    public long startEpochMillis() {
        return startEpochMillis;
    }

    /** Seconds covered: 0 .. {@code size() - 1}. */
    public int size() {
        return seconds.length;
    }

    /** Second {@code s}'s histogram (ns), empty if none of its notifications arrived. */
    public Histogram second(int s) {
        if (seconds[s] == null) {
            seconds[s] = new Histogram(LatencyRecorder.MAX_NANOS, LatencyRecorder.SECOND_DIGITS);
        }
        return seconds[s];
    }

    /** Whether second {@code s} began within the warm-up (its notifications are left out of the run's total). */
    public boolean inWarmup(int s) {
        return s * 1_000_000_000L < warmupNanos;
    }
}
