package io.followermaze.loadgen;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Locale;

/**
 * The final table: one row per run, and the ratio of the first to the second when comparing.
 * Latency columns are delivery latencies: in a blast run, sampled, from the batch written by the source to the
 * notification read by the client; in a paced run ({@code --rate}), every notification after the warm-up, from
 * its event's scheduled send time, with a second table of p50, p90, p99, p99.9, p99.99 and max in µs;
 * {@code srv cpu s} is the server's CPU during the run; {@code gen cpu s} is this tool's own CPU.
 */
public final class ReportTable {
    private static final String HEADER = String.format(Locale.ROOT,
        "%-12s %-6s %12s %14s %8s %12s %13s %9s %9s %9s %10s %10s %10s",
        "run", "result", "events", "notifications", "wall s", "events/s", "notif/s",
        "p50 ms", "p99 ms", "p999 ms", "srv cpu s", "srv rss MB", "gen cpu s");

    private static final String PACED_HEADER = String.format(Locale.ROOT,
        "%-12s %12s %14s %9s %9s %9s %9s %9s %9s %12s",
        "run", "rate/s", "recorded", "p50", "p90", "p99", "p99.9", "p99.99", "max", "late batches");

    private ReportTable() {
    }

    /** The header, one row per run, the ratio of the first two rows' events/s, and any failures. */
    public static String format(List<RunResult> results) {
        final StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (RunResult r : results) {
            sb.append(row(r)).append('\n');
        }
        if (results.size() == 2 && results.get(1).eventsPerSecond() > 0) {
            sb.append(String.format(Locale.ROOT, "ratio %s / %s events/s: %.3f%n", results.get(0).label(),
                results.get(1).label(), results.get(0).eventsPerSecond() / results.get(1).eventsPerSecond()));
        }
        if (results.stream().anyMatch(r -> r.paced() && r.latency() != null)) {
            sb.append("open-loop latency in µs, every notification after the warm-up, from its event's scheduled send"
                + " time:\n").append(PACED_HEADER).append('\n');
            for (RunResult r : results) {
                if (r.paced() && r.latency() != null) {
                    sb.append(pacedRow(r)).append('\n');
                }
            }
        }
        for (RunResult r : results) {
            if (!r.passed()) {
                sb.append(r.label()).append(" FAILED: ").append(r.failure()).append('\n');
            }
        }
        return sb.toString();
    }

    static String row(RunResult r) {
        final Histogram h = r.latency();
        final boolean lat = r.verified() && h != null && h.getTotalCount() > 0;
        return String.format(Locale.ROOT, "%-12s %-6s %,12d %14s %8.2f %,12.0f %13s %9s %9s %9s %10s %10s %10.2f",
            r.label(), r.passed() ? "PASS" : "FAIL", r.events(),
            r.verified() ? String.format(Locale.ROOT, "%,d", r.notifications()) : "-",
            r.seconds(), r.eventsPerSecond(),
            r.verified() ? String.format(Locale.ROOT, "%,.0f", r.notificationsPerSecond()) : "-",
            lat ? millis(h.getValueAtPercentile(50)) : "-", lat ? millis(h.getValueAtPercentile(99)) : "-",
            lat ? millis(h.getValueAtPercentile(99.9)) : "-",
            r.serverCpuNanos() < 0 ? "-" : String.format(Locale.ROOT, "%.2f", r.serverCpuNanos() / 1e9),
            r.serverPeakRssBytes() < 0 ? "-" : String.format(Locale.ROOT, "%.0f", r.serverPeakRssBytes() / 1048576.0),
            r.loadgenCpuNanos() / 1e9);
    }

    /** A paced run's latency row (µs); dashes when nothing was recorded. */
    static String pacedRow(RunResult r) {
        final Histogram h = r.latency();
        final boolean any = h.getTotalCount() > 0;
        return String.format(Locale.ROOT, "%-12s %,12d %,14d %9s %9s %9s %9s %9s %9s %,12d", r.label(), r.rate(),
            h.getTotalCount(), any ? micros(h.getValueAtPercentile(50)) : "-",
            any ? micros(h.getValueAtPercentile(90)) : "-", any ? micros(h.getValueAtPercentile(99)) : "-",
            any ? micros(h.getValueAtPercentile(99.9)) : "-", any ? micros(h.getValueAtPercentile(99.99)) : "-",
            any ? micros(h.getMaxValue()) : "-", r.lateBatches());
    }

    private static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.0f", nanos / 1e3);
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }
}
