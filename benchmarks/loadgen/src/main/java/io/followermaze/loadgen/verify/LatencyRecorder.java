package io.followermaze.loadgen.verify;

import io.followermaze.loadgen.pace.Schedule;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.IntCountsHistogram;

import java.util.concurrent.TimeUnit;

/**
 * Delivery latencies of one reader thread. In a blast run: samples from the moment the event's batch was
 * written by the source to the moment the client read the notification. In a paced run (with a
 * {@link Schedule}): every notification, from its event's <em>scheduled</em> send time to its arrival, except
 * those of events due in the warm-up; and, warm-up included, one histogram per second of the schedule, the
 * second its event was <em>due</em> in (so a stall shows in every second it covers, not in the second the
 * backlog arrives). Single-threaded; merge with {@link #addTo(Histogram)} and {@link #addTo(LatencyBySecond)}.
 * Nothing is allocated per value: a second's histogram is made when its first notification arrives.
 */
public final class LatencyRecorder {
    /** Longest latency recorded exactly; longer ones are clamped. */
    public static final long MAX_NANOS = TimeUnit.MINUTES.toNanos(5);
    /** Per-second histograms cover at most the first hour of a run (about 17 KB each per reader). */
    public static final int MAX_SECONDS = 3_600;
    /** A second's histogram is exact to 2 significant digits (1%), enough for its p50, p99 and max. */
    static final int SECOND_DIGITS = 2;
    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    private final Histogram histogram = newHistogram();
    private final Schedule schedule;
    /** Indexed by the second of the schedule an event was due in; null until its first notification. */
    private final IntCountsHistogram[] bySecond;
    private long warmupSkipped;

    /** A blast run's sampling recorder. */
    public LatencyRecorder() {
        this(null);
    }

    /** @param schedule the paced run's schedule, or null for a blast run */
    public LatencyRecorder(Schedule schedule) {
        this.schedule = schedule;
        this.bySecond = schedule == null ? null
            : new IntCountsHistogram[Math.min(MAX_SECONDS, schedule.seconds())];
    }

    public static Histogram newHistogram() {
        return new Histogram(MAX_NANOS, 3);
    }

    /** Whether every notification is recorded against the schedule ({@link #recordArrival}). */
    public boolean paced() {
        return schedule != null;
    }

    /** @param latency nanoseconds from the batch's write to the notification's read */
    public void record(long latency) {
        if (latency >= 0) {
            histogram.recordValue(Math.min(latency, MAX_NANOS));
        }
    }

    /** Paced runs: the notification of event {@code seq} arrived at {@code arrivalNanos}. */
    public void recordArrival(long seq, long arrivalNanos) {
        final long due = schedule.dueOffsetOf(seq);
        final long latency = Math.min(MAX_NANOS, Math.max(0, arrivalNanos - schedule.startNanos() - due));
        final long second = due / NANOS_PER_SECOND;
        if (second < bySecond.length) {
            IntCountsHistogram h = bySecond[(int) second];
            if (h == null) {
                h = bySecond[(int) second] = new IntCountsHistogram(MAX_NANOS, SECOND_DIGITS);
            }
            h.recordValue(latency);
        }
        if (due < schedule.warmupNanos()) {
            warmupSkipped++;
            return;
        }
        histogram.recordValue(latency);
    }

    /** Notifications not recorded because their events were due in the warm-up. */
    public long warmupSkipped() {
        return warmupSkipped;
    }

    public void addTo(Histogram total) {
        total.add(histogram);
    }

    /** Adds this reader's per-second histograms (paced runs only). */
    public void addTo(LatencyBySecond total) {
        for (int s = 0; s < bySecond.length; s++) {
            if (bySecond[s] != null) {
                total.second(s).add(bySecond[s]);
            }
        }
    }
}
