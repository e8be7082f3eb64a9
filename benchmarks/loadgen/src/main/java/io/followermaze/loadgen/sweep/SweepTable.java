package io.followermaze.loadgen.sweep;

import java.util.List;
import java.util.Locale;

/** The sweep's text table: one row per series and rate; rows past the knee (achieved < 95% offered) marked. */
public final class SweepTable {
    static final String HEADER = String.format(Locale.ROOT, "%-14s %12s %12s %9s %9s %9s %9s %9s %9s %-6s %s",
        "series", "offered/s", "achieved/s", "p50 µs", "p90 µs", "p99 µs", "p99.9 µs", "p99.99 µs", "max µs", "result",
        "");
    static final String SHORT_MARK = "<< short of the offered rate";

    private SweepTable() {
    }

    public static String header() {
        return HEADER.stripTrailing();
    }

    public static String row(SweepRow r) {
        return String.format(Locale.ROOT, "%-14s %,12d %,12d %9s %9s %9s %9s %9s %9s %-6s %s", r.series(), r.offered(),
            r.achieved(), lat(r, r.p50Micros()), lat(r, r.p90Micros()), lat(r, r.p99Micros()), lat(r, r.p999Micros()),
            lat(r, r.p9999Micros()), lat(r, r.maxMicros()), r.passed() ? "PASS" : "FAIL",
            r.fellShort() ? SHORT_MARK : "").stripTrailing();
    }

    public static String format(List<SweepRow> rows) {
        final StringBuilder sb = new StringBuilder(header()).append('\n');
        rows.forEach(r -> sb.append(row(r)).append('\n'));
        return sb.toString();
    }

    private static String lat(SweepRow r, long micros) {
        return r.recorded() == 0 ? "-" : String.format(Locale.ROOT, "%,d", micros);
    }
}
