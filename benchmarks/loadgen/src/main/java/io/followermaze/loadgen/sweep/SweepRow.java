package io.followermaze.loadgen.sweep;

import io.followermaze.loadgen.RunResult;
import org.HdrHistogram.Histogram;

/**
 * One rate of a sweep: what was offered, what got through, the open-loop latency percentiles (µs, every
 * notification after the warm-up) and the verdict.
 *
 * @param series        the sweep's name ("balanced", "low-latency", "relay floor"): one line of the plot
 * @param offered       events/s offered
 * @param achieved      events/s achieved: events over the time from the first event to the last notification
 * @param recorded      notifications recorded (after the warm-up); latencies are 0 when none was
 * @param serverCpuSeconds server CPU during the run, -1 when not measured
 * @param passed        whether every client received exactly what it should (or the relay every line once)
 */
public record SweepRow(String series, long offered, long achieved, long recorded, long p50Micros, long p90Micros,
                       long p99Micros, long p999Micros, long p9999Micros, long maxMicros, long lateBatches,
                       double serverCpuSeconds, boolean passed) {

    /** A rate "fell short" when less than this share of it got through: the sweep has passed the knee. */
    public static final double SHORTFALL = 0.95;

    public SweepRow {
        if (series == null || series.isBlank() || series.matches(".*[,\"\\r\\n].*")) {
            throw new IllegalArgumentException("a series name is one line without commas or quotes: " + series);
        }
        if (offered < 1) {
            throw new IllegalArgumentException("offered rate must be >= 1: " + offered);
        }
    }

    public static SweepRow of(String series, RunResult r) {
        final Histogram h = r.latency();
        final boolean any = h != null && h.getTotalCount() > 0;
        return new SweepRow(series, r.rate(), Math.round(r.eventsPerSecond()), any ? h.getTotalCount() : 0,
            any ? micros(h.getValueAtPercentile(50)) : 0, any ? micros(h.getValueAtPercentile(90)) : 0,
            any ? micros(h.getValueAtPercentile(99)) : 0, any ? micros(h.getValueAtPercentile(99.9)) : 0,
            any ? micros(h.getValueAtPercentile(99.99)) : 0, any ? micros(h.getMaxValue()) : 0, r.lateBatches(),
            r.serverCpuNanos() < 0 ? -1 : r.serverCpuNanos() / 1e9, r.passed());
    }

    private static long micros(long nanos) {
        return Math.round(nanos / 1e3);
    }

    /** Less than {@link #SHORTFALL} of the offered rate got through. */
    public boolean fellShort() {
        return achieved < SHORTFALL * offered;
    }
}
