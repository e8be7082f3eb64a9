package io.followermaze.loadgen.verify;

import io.followermaze.loadgen.pace.Schedule;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * Delivery latencies of one reader thread. In a blast run: samples from the moment the event's batch was
 * written by the source to the moment the client read the notification. In a paced run (with a
 * {@link Schedule}): every notification, from its event's <em>scheduled</em> send time to its arrival, except
 * those of events due in the warm-up. Single-threaded, allocation-free per value; merge with
 * {@link #addTo(Histogram)}.
 */
public final class LatencyRecorder {
    /** Longest latency recorded exactly; longer ones are clamped. */
    public static final long MAX_NANOS = TimeUnit.MINUTES.toNanos(5);

    private final Histogram histogram = newHistogram();
    private final Schedule schedule;
    private long warmupSkipped;

    /** A blast run's sampling recorder. */
    public LatencyRecorder() {
        this(null);
    }

    /** @param schedule the paced run's schedule, or null for a blast run */
    public LatencyRecorder(Schedule schedule) {
        this.schedule = schedule;
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
        if (schedule.inWarmup(seq)) {
            warmupSkipped++;
            return;
        }
        record(Math.max(0, arrivalNanos - schedule.scheduledNanos(seq)));
    }

    /** Notifications not recorded because their events were due in the warm-up. */
    public long warmupSkipped() {
        return warmupSkipped;
    }

    public void addTo(Histogram total) {
        total.add(histogram);
    }
}
