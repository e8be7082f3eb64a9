package io.followermaze.loadgen.sweep;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The sweep as a self-contained HTML page (inline SVG, no script, nothing fetched): latency against offered
 * rate, both on log scales, one colour per series; p99 solid with a dot per rate, p99.9 dashed, p50 dotted.
 * Rates that fell short of the offered load get a red ring and the series a dashed vertical "knee" line at the
 * first of them; failed verifications a red cross (on the rate axis when nothing was measured). Below the
 * plot, the rows as a table.
 */
public final class SweepPlot {
    static final int WIDTH = 980;
    static final int HEIGHT = 560;
    static final int LEFT = 90;
    static final int RIGHT = 740;
    static final int TOP = 50;
    static final int BOTTOM = 480;
    private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
        "#17becf", "#7f7f7f"};

    private SweepPlot() {
    }

    /** The HTML page for {@code rows}, any number of series, in the order they first appear. */
    public static String html(String title, List<SweepRow> rows) {
        final StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").append(esc(title))
            .append("</title>\n<style>\nbody{font-family:sans-serif;margin:1.5em;color:#222}\n"
                + "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:2px 8px;"
                + "text-align:right}td:first-child,th:first-child{text-align:left}tr.short td{background:#fde3e3}\n"
                + "</style>\n</head>\n<body>\n<h1>").append(esc(title)).append("</h1>\n")
            .append("<p>One fresh open-loop run per offered rate. Latency of a notification = its arrival − its event's"
                + " <em>scheduled</em> send time (corrected for coordinated omission), every notification after the"
                + " warm-up. Red ring: less than ").append(Math.round(SweepRow.SHORTFALL * 100))
            .append("% of the offered rate got through (past the knee).</p>\n");
        sb.append(svg(rows));
        sb.append(table(rows));
        return sb.append("</body>\n</html>\n").toString();
    }

    /** The plot alone. */
    static String svg(List<SweepRow> rows) {
        final Map<String, List<SweepRow>> bySeries = bySeries(rows);
        final TreeSet<Long> rates = new TreeSet<>();
        long lo = Long.MAX_VALUE;
        long hi = 1;
        for (SweepRow r : rows) {
            rates.add(r.offered());
            if (r.recorded() > 0) {
                lo = Math.min(lo, Math.max(1, Math.min(r.p50Micros(), Math.min(r.p99Micros(), r.p999Micros()))));
                hi = Math.max(hi, Math.max(r.p50Micros(), Math.max(r.p99Micros(), r.p999Micros())));
            }
        }
        if (lo == Long.MAX_VALUE) {
            lo = 1;
        }
        final Scale x = rates.isEmpty() ? new Scale(1, 10, LEFT, RIGHT)
            : new Scale(rates.first() / 1.3, rates.last() * 1.3, LEFT, RIGHT);
        final double yLo = Math.pow(10, Math.floor(Math.log10(lo)));
        final double yHi = Math.max(yLo * 10, Math.pow(10, Math.ceil(Math.log10(hi))));
        final Scale y = new Scale(yLo, yHi, BOTTOM, TOP);

        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
            + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fff\""
            + " stroke=\"#444\"/>%n", LEFT, TOP, RIGHT - LEFT, BOTTOM - TOP));
        for (double d = yLo; d <= yHi * 1.0001; d *= 10) {
            for (int m : new int[] {1, 2, 5}) {
                final double v = d * m;
                if (v > yHi * 1.0001) {
                    break;
                }
                final double py = y.at(v);
                sb.append(String.format(Locale.ROOT, "<line class=\"%s\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\""
                    + " stroke=\"%s\"/>%n", m == 1 ? "ytick" : "yminor", LEFT, RIGHT, py, py,
                    m == 1 ? "#bbb" : "#eee"));
                if (m == 1) {
                    sb.append(String.format(Locale.ROOT, "<text class=\"ylabel\" x=\"%d\" y=\"%.1f\""
                        + " text-anchor=\"end\">%s</text>%n", LEFT - 6, py + 4, latencyLabel(v)));
                }
            }
        }
        for (long rate : rates) {
            final double px = x.at(rate);
            sb.append(String.format(Locale.ROOT, "<line class=\"xtick\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\""
                + " stroke=\"#eee\"/>%n<text class=\"xlabel\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                px, px, TOP, BOTTOM, px, BOTTOM + 18, rateLabel(rate)));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">offered events/s (log"
            + " scale)</text>%n", (LEFT + RIGHT) / 2, BOTTOM + 42));
        sb.append(String.format(Locale.ROOT, "<text x=\"20\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90"
            + " 20 %d)\">latency from the scheduled send time (log scale)</text>%n", (TOP + BOTTOM) / 2,
            (TOP + BOTTOM) / 2));

        int i = 0;
        for (Map.Entry<String, List<SweepRow>> e : bySeries.entrySet()) {
            final String colour = COLOURS[i % COLOURS.length];
            final String name = esc(e.getKey());
            final List<SweepRow> rs = e.getValue();
            final List<SweepRow> measured = rs.stream().filter(r -> r.recorded() > 0).toList();
            line(sb, "p50", name, colour, "1.5", "2,3", measured, x, y, SweepRow::p50Micros);
            line(sb, "p99.9", name, colour, "1.5", "8,4", measured, x, y, SweepRow::p999Micros);
            line(sb, "p99", name, colour, "2.5", null, measured, x, y, SweepRow::p99Micros);
            rs.stream().filter(SweepRow::fellShort).findFirst().ifPresent(k -> sb.append(String.format(Locale.ROOT,
                "<line class=\"knee\" data-series=\"%s\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"%s\""
                    + " stroke-dasharray=\"4,4\"/>%n", name, x.at(k.offered()), x.at(k.offered()), TOP, BOTTOM,
                colour)));
            for (SweepRow r : measured) {
                final double px = x.at(r.offered());
                final double py = y.at(Math.max(1, r.p99Micros()));
                final String tip = String.format(Locale.ROOT, "%s at %,d/s offered (%,d/s achieved): p50 %,d µs,"
                        + " p99 %,d µs, p99.9 %,d µs, max %,d µs, %s", name, r.offered(), r.achieved(), r.p50Micros(),
                    r.p99Micros(), r.p999Micros(), r.maxMicros(), r.passed() ? "PASS" : "FAIL");
                sb.append(String.format(Locale.ROOT, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\""
                    + " fill=\"%s\"><title>%s</title></circle>%n", px, py, colour, tip));
                if (r.fellShort()) {
                    sb.append(String.format(Locale.ROOT, "<circle class=\"short\" cx=\"%.1f\" cy=\"%.1f\" r=\"8\""
                        + " fill=\"none\" stroke=\"#d00\" stroke-width=\"2\"/>%n", px, py));
                }
                if (!r.passed()) {
                    sb.append(String.format(Locale.ROOT, "<text class=\"failed\" x=\"%.1f\" y=\"%.1f\""
                        + " text-anchor=\"middle\" fill=\"#d00\" font-size=\"18\">×</text>%n", px, py - 10));
                }
            }
            for (SweepRow r : rs) {
                if (r.recorded() == 0 && !r.passed()) { // nothing measured: the cross on the rate axis
                    sb.append(String.format(Locale.ROOT, "<text class=\"failed\" x=\"%.1f\" y=\"%d\""
                        + " text-anchor=\"middle\" fill=\"#d00\" font-size=\"18\"><title>%s at %,d/s: FAIL, nothing"
                        + " measured</title>×</text>%n", x.at(r.offered()), BOTTOM - 6, name, r.offered()));
                }
            }
            final int ly = TOP + 10 + 22 * i;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\""
                    + " stroke-width=\"2.5\"/>%n<text class=\"legend\" x=\"%d\" y=\"%d\">%s</text>%n", RIGHT + 20,
                RIGHT + 50, ly, ly, colour, RIGHT + 58, ly + 4, name));
            i++;
        }
        final int ky = TOP + 20 + 22 * i;
        sb.append(String.format(Locale.ROOT, "<g class=\"key\" font-size=\"11\">"
                + "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#444\" stroke-width=\"2.5\"/>"
                + "<text x=\"%d\" y=\"%d\">p99</text>"
                + "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#444\" stroke-dasharray=\"8,4\"/>"
                + "<text x=\"%d\" y=\"%d\">p99.9</text>"
                + "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#444\" stroke-dasharray=\"2,3\"/>"
                + "<text x=\"%d\" y=\"%d\">p50</text>"
                + "<circle cx=\"%d\" cy=\"%d\" r=\"7\" fill=\"none\" stroke=\"#d00\" stroke-width=\"2\"/>"
                + "<text x=\"%d\" y=\"%d\">achieved &lt; %d%% of offered</text>"
                + "<text x=\"%d\" y=\"%d\" fill=\"#d00\" font-size=\"16\" text-anchor=\"middle\">×</text>"
                + "<text x=\"%d\" y=\"%d\">verification failed</text></g>%n",
            RIGHT + 20, RIGHT + 50, ky, ky, RIGHT + 58, ky + 4,
            RIGHT + 20, RIGHT + 50, ky + 20, ky + 20, RIGHT + 58, ky + 24,
            RIGHT + 20, RIGHT + 50, ky + 40, ky + 40, RIGHT + 58, ky + 44,
            RIGHT + 35, ky + 60, RIGHT + 58, ky + 64, Math.round(SweepRow.SHORTFALL * 100),
            RIGHT + 35, ky + 85, RIGHT + 58, ky + 84));
        return sb.append("</svg>\n").toString();
    }

    private static void line(StringBuilder sb, String cls, String series, String colour, String width, String dash,
                             List<SweepRow> rows, Scale x, Scale y, java.util.function.ToLongFunction<SweepRow> value) {
        if (rows.isEmpty()) {
            return;
        }
        sb.append("<polyline class=\"").append(cls).append("\" data-series=\"").append(series)
            .append("\" fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"").append(width).append('"');
        if (dash != null) {
            sb.append(" stroke-dasharray=\"").append(dash).append('"');
        }
        sb.append(" points=\"");
        for (SweepRow r : rows) {
            sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.at(r.offered()),
                y.at(Math.max(1, value.applyAsLong(r)))));
        }
        sb.setLength(sb.length() - 1);
        sb.append("\"/>\n");
    }

    private static String table(List<SweepRow> rows) {
        final StringBuilder sb = new StringBuilder("<table>\n<tr><th>series</th><th>offered/s</th><th>achieved/s</th>"
            + "<th>p50 µs</th><th>p90 µs</th><th>p99 µs</th><th>p99.9 µs</th><th>p99.99 µs</th><th>max µs</th>"
            + "<th>late batches</th><th>server CPU s</th><th>result</th></tr>\n");
        for (List<SweepRow> rs : bySeries(rows).values()) {
            for (SweepRow r : rs) {
                sb.append(r.fellShort() ? "<tr class=\"short\">" : "<tr>").append("<td>").append(esc(r.series()))
                    .append(String.format(Locale.ROOT, "</td><td>%,d</td><td>%,d</td>", r.offered(), r.achieved()));
                for (long v : new long[] {r.p50Micros(), r.p90Micros(), r.p99Micros(), r.p999Micros(), r.p9999Micros(),
                    r.maxMicros()}) {
                    sb.append("<td>").append(r.recorded() == 0 ? "-" : String.format(Locale.ROOT, "%,d", v)).append("</td>");
                }
                sb.append(String.format(Locale.ROOT, "<td>%,d</td><td>%s</td><td>%s</td></tr>%n", r.lateBatches(),
                    r.serverCpuSeconds() < 0 ? "-" : String.format(Locale.ROOT, "%.2f", r.serverCpuSeconds()),
                    r.passed() ? "PASS" : "FAIL"));
            }
        }
        return sb.append("</table>\n").toString();
    }

    /** Rows grouped by series, in order of first appearance, each group in rate order. */
    static Map<String, List<SweepRow>> bySeries(List<SweepRow> rows) {
        final Map<String, List<SweepRow>> m = new LinkedHashMap<>();
        for (SweepRow r : rows) {
            m.computeIfAbsent(r.series(), k -> new ArrayList<>()).add(r);
        }
        m.values().forEach(l -> l.sort(Comparator.comparingLong(SweepRow::offered)));
        return m;
    }

    /** "50k", "1M", "2.5M", "500". */
    static String rateLabel(long rate) {
        if (rate >= 1_000_000) {
            return trim(rate / 1e6) + "M";
        }
        return rate >= 1_000 ? trim(rate / 1e3) + "k" : Long.toString(rate);
    }

    /** "1 µs", "100 µs", "1 ms", "10 s". */
    static String latencyLabel(double micros) {
        if (micros >= 1e6) {
            return trim(micros / 1e6) + " s";
        }
        return micros >= 1e3 ? trim(micros / 1e3) + " ms" : trim(micros) + " µs";
    }

    private static String trim(double v) {
        final String s = String.format(Locale.ROOT, "%.2f", v);
        return s.replaceAll("\\.?0+$", "");
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** A log10 scale from [lo, hi] onto [from, to] pixels. */
    private record Scale(double lo, double hi, double from, double to) {
        double at(double v) {
            final double f = (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
            return from + f * (to - from);
        }
    }
}
