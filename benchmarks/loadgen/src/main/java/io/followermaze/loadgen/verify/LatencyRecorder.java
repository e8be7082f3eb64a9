package io.followermaze.loadgen.verify;

import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * Delivery latency samples of one reader thread: from the moment the event's batch was written by the source
 * to the moment the client read the notification. Single-threaded; merge with
 * {@link #addTo(Histogram)}.
 */
public final class LatencyRecorder {
    /** Longest latency recorded exactly; longer ones are clamped. */
    public static final long MAX_NANOS = TimeUnit.MINUTES.toNanos(5);

    private final Histogram histogram = newHistogram();

    public static Histogram newHistogram() {
        return new Histogram(MAX_NANOS, 3);
    }

    /** @param latency nanoseconds from the batch's write to the notification's read */
    public void record(long latency) {
        if (latency >= 0) {
            histogram.recordValue(Math.min(latency, MAX_NANOS));
        }
    }

    public void addTo(Histogram total) {
        total.add(histogram);
    }
}
