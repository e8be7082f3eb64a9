package io.followermaze.loadgen;

import io.followermaze.loadgen.verify.LatencyBySecond;
import org.HdrHistogram.Histogram;

/**
 * The outcome of one run: verdict, volumes, wall time, latency and CPU.
 *
 * @param failure            null when the run passed, else the first failure
 * @param notifications      notifications received and verified (0 when not verifying)
 * @param wallNanos          from the first event written to the last notification verified (or, without
 *                           verification, to the server having read the last event)
 * @param latency            delivery latency samples in nanoseconds; empty when not verifying
 * @param serverCpuNanos     server CPU during the run, -1 when not measured
 * @param serverPeakRssBytes server peak resident memory, -1 when not measured
 * @param loadgenCpuNanos    CPU of this tool's source and reader threads
 * @param rate               0 for a blast run; else the offered events/s of a paced run, whose {@code latency}
 *                           holds every notification after the warm-up, from its event's scheduled send time
 * @param lateBatches        paced runs: batches the source generated when already behind schedule
 * @param bySecond           paced runs: latency per second of the schedule (warm-up included); null otherwise
 */
public record RunResult(String label, boolean verified, String failure, long events, long notifications,
                        long wallNanos, Histogram latency, long serverCpuNanos, long serverPeakRssBytes,
                        long loadgenCpuNanos, long bytesSent, long backpressureWaits, long rate,
                        long lateBatches, LatencyBySecond bySecond) {

    /** A blast run's result. */
    public RunResult(String label, boolean verified, String failure, long events, long notifications,
                     long wallNanos, Histogram latency, long serverCpuNanos, long serverPeakRssBytes,
                     long loadgenCpuNanos, long bytesSent, long backpressureWaits) {
        this(label, verified, failure, events, notifications, wallNanos, latency, serverCpuNanos, serverPeakRssBytes,
            loadgenCpuNanos, bytesSent, backpressureWaits, 0, 0, null);
    }

    public boolean paced() {
        return rate > 0;
    }

    public boolean passed() {
        return failure == null;
    }

    public double seconds() {
        return wallNanos / 1e9;
    }

    public double eventsPerSecond() {
        return wallNanos <= 0 ? 0 : events / seconds();
    }

    public double notificationsPerSecond() {
        return wallNanos <= 0 ? 0 : notifications / seconds();
    }
}
