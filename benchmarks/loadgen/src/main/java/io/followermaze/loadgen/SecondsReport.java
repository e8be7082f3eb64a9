package io.followermaze.loadgen;

import io.followermaze.loadgen.verify.LatencyBySecond;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A paced run second by second: a table of count, p50, p99 and max per second of the schedule, and the same
 * histograms in HdrHistogram's interval log format ({@code .hlog}, read by HistogramLogProcessor and
 * HdrHistogram's plotters). Second s holds the notifications of the events <em>due</em> in it.
 */
public final class SecondsReport {
    private static final String HEADER = String.format(Locale.ROOT, "%8s %12s %9s %9s %9s", "second", "count",
        "p50", "p99", "max");

    private SecondsReport() {
    }

    /** One row per second; warm-up seconds are marked {@code w}. */
    public static String format(String label, LatencyBySecond s) {
        final StringBuilder sb = new StringBuilder("latency per second of ").append(label)
            .append(" (µs; the notifications of the events due in that second, from their scheduled send time;"
                + " w = warm-up):\n").append(HEADER).append('\n');
        for (int i = 0; i < s.size(); i++) {
            final Histogram h = s.second(i);
            final boolean any = h.getTotalCount() > 0;
            sb.append(String.format(Locale.ROOT, "%6d %s %,12d %9s %9s %9s%n", i, s.inWarmup(i) ? "w" : " ",
                h.getTotalCount(), any ? micros(h.getValueAtPercentile(50)) : "-",
                any ? micros(h.getValueAtPercentile(99)) : "-", any ? micros(h.getMaxValue()) : "-"));
        }
        return sb.toString();
    }

    /** Writes every second (empty ones too) as one interval of an HdrHistogram log; values in ns. */
    public static void writeLog(String label, LatencyBySecond s, Path file) throws IOException {
        try (OutputStream os = Files.newOutputStream(file);
             PrintStream ps = new PrintStream(os, false, StandardCharsets.US_ASCII)) {
            final HistogramLogWriter w = new HistogramLogWriter(ps);
            w.outputComment("followermaze loadgen, " + label + ": open-loop latency in ns of the notifications of the"
                + " events due in each second of the schedule (from their scheduled send time), warm-up included");
            w.outputLogFormatVersion();
            w.outputStartTime(s.startEpochMillis());
            w.outputBaseTime(s.startEpochMillis());
            w.setBaseTime(s.startEpochMillis());
            w.outputLegend();
            for (int i = 0; i < s.size(); i++) {
                w.outputIntervalHistogram(i, i + 1, s.second(i), 1e6); // max column in ms, as HdrHistogram's tools expect
            }
            ps.flush();
            if (ps.checkError()) {
                throw new IOException("writing " + file + " failed");
            }
        }
    }

    private static String micros(long nanos) {
        return String.format(Locale.ROOT, "%,.0f", nanos / 1e3);
    }
}
