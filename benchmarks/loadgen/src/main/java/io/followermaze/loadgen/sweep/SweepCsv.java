package io.followermaze.loadgen.sweep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Sweep rows as CSV, one row per series and rate, latencies in µs: what {@code --sweep-csv} writes and
 * {@code --plot-add} reads back, so sweeps made one after another (balanced, low-latency, relay floor) can be
 * drawn on one plot. Any number of series may share a file.
 */
public final class SweepCsv {
    public static final String HEADER = "series,offered_per_s,achieved_per_s,recorded,p50_us,p90_us,p99_us,p99_9_us,"
        + "p99_99_us,max_us,late_batches,server_cpu_s,result";

    private SweepCsv() {
    }

    public static String format(List<SweepRow> rows) {
        final StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (SweepRow r : rows) {
            sb.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%s,%s%n", r.series(), r.offered(),
                r.achieved(), r.recorded(), r.p50Micros(), r.p90Micros(), r.p99Micros(), r.p999Micros(),
                r.p9999Micros(), r.maxMicros(), r.lateBatches(),
                r.serverCpuSeconds() < 0 ? "" : String.format(Locale.ROOT, "%.2f", r.serverCpuSeconds()),
                r.passed() ? "PASS" : "FAIL"));
        }
        return sb.toString();
    }

    public static void write(List<SweepRow> rows, Path file) throws IOException {
        Files.writeString(file, format(rows), StandardCharsets.US_ASCII);
    }

    public static List<SweepRow> read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
    }

    /** @throws IllegalArgumentException naming the file and line of anything that is not a sweep row */
    static List<SweepRow> parse(String text, String source) {
        final List<String> lines = text.lines().toList();
        if (lines.isEmpty() || !lines.get(0).trim().equals(HEADER)) {
            throw new IllegalArgumentException(source + ": not a sweep CSV (first line must be " + HEADER + ")");
        }
        final List<SweepRow> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            final String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            final String[] f = line.split(",", -1);
            try {
                if (f.length != 13 || !(f[12].equals("PASS") || f[12].equals("FAIL"))) {
                    throw new IllegalArgumentException("13 fields ending in PASS or FAIL expected");
                }
                rows.add(new SweepRow(f[0], Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                    Long.parseLong(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]),
                    Long.parseLong(f[8]), Long.parseLong(f[9]), Long.parseLong(f[10]),
                    f[11].isEmpty() ? -1 : Double.parseDouble(f[11]), f[12].equals("PASS")));
            } catch (IllegalArgumentException e) { // NumberFormatException included
                throw new IllegalArgumentException(source + " line " + (i + 1) + ": " + e.getMessage() + ": " + line);
            }
        }
        return rows;
    }
}
