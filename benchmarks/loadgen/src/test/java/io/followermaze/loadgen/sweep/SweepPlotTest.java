package io.followermaze.loadgen.sweep;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plot: one polyline per series and percentile, points in rate order on log scales, the knee marked. */
class SweepPlotTest {
    private static SweepRow row(String series, long offered, long achieved, long p50, long p99, long p999,
                                boolean passed) {
        return new SweepRow(series, offered, achieved, 1000, p50, p50 * 2, p99, p999, p999 * 2, p999 * 3, 0, 1.5,
            passed);
    }

    /** Balanced (the knee at 2M: only 1.5M got through), and a floor; given out of rate order. */
    private static List<SweepRow> rows() {
        return List.of(
            row("balanced", 500_000, 499_000, 150, 900, 4_000, true),
            row("balanced", 100_000, 99_900, 120, 300, 2_000, true),
            row("balanced", 2_000_000, 1_500_000, 20_000, 400_000, 900_000, true),
            row("balanced", 1_000_000, 998_000, 200, 2_000, 8_000, true),
            row("relay floor", 100_000, 100_000, 60, 150, 1_000, true),
            row("relay floor", 2_000_000, 1_999_000, 70, 200, 1_500, false),
            new SweepRow("balanced", 3_000_000, 100_000, 0, 0, 0, 0, 0, 0, 0, 0, -1, false));
    }

    /** The (x, y) points of the polyline of {@code cls} and {@code series}. */
    private static List<double[]> points(String svg, String cls, String series) {
        final Matcher m = Pattern.compile("<polyline class=\"" + Pattern.quote(cls) + "\" data-series=\""
            + Pattern.quote(series) + "\"[^>]* points=\"([^\"]+)\"").matcher(svg);
        assertTrue(m.find(), cls + " of " + series + " in\n" + svg);
        final String points = m.group(1);
        assertFalse(m.find(), "one " + cls + " line per series");
        final List<double[]> pts = new ArrayList<>();
        for (String p : points.split(" ")) {
            final String[] xy = p.split(",");
            pts.add(new double[] {Double.parseDouble(xy[0]), Double.parseDouble(xy[1])});
        }
        return pts;
    }

    private static int count(String text, String pattern) {
        final Matcher m = Pattern.compile(pattern).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void onePolylinePerSeriesAndPercentileWithPointsInRateOrder() {
        final String svg = SweepPlot.svg(rows());
        assertEquals(2, count(svg, "<polyline class=\"p99\""));
        assertEquals(2, count(svg, "<polyline class=\"p50\""));
        assertEquals(2, count(svg, "<polyline class=\"p99.9\""));
        final List<double[]> p99 = points(svg, "p99", "balanced");
        assertEquals(4, p99.size(), "the failed 3M row measured nothing: no point");
        for (int i = 1; i < p99.size(); i++) {
            assertTrue(p99.get(i)[0] > p99.get(i - 1)[0], "x grows with the offered rate");
        }
        // 100k -> 300 µs, 500k -> 900, 1M -> 2,000, 2M -> 400,000: higher latency is higher up (smaller y)
        for (int i = 1; i < p99.size(); i++) {
            assertTrue(p99.get(i)[1] < p99.get(i - 1)[1], "y falls as p99 grows");
        }
        assertEquals(2, points(svg, "p99", "relay floor").size());
    }

    @Test
    void bothAxesAreLogarithmic() {
        final String svg = SweepPlot.svg(rows());
        final List<double[]> p99 = points(svg, "p99", "balanced");
        // x: 100k, 500k, 1M, 2M; log10 distances 0.699, 0.301, 0.301
        final double x1 = p99.get(1)[0] - p99.get(0)[0];
        final double x2 = p99.get(2)[0] - p99.get(1)[0];
        final double x3 = p99.get(3)[0] - p99.get(2)[0];
        assertEquals(x2, x3, 0.2, "500k->1M as wide as 1M->2M");
        assertEquals(Math.log10(5) / Math.log10(2), x1 / x2, 0.01, "100k->500k is log2(5) times 500k->1M");
        // y: 300 µs -> 900 µs is log10(3) of a decade; 1 ms ... 1 s ticks a decade apart
        final List<Double> decades = new ArrayList<>();
        final Matcher m = Pattern.compile("<line class=\"ytick\" [^>]*y1=\"([0-9.]+)\"").matcher(svg);
        while (m.find()) {
            decades.add(Double.parseDouble(m.group(1)));
        }
        assertTrue(svg.contains(">10 µs</text>") && svg.contains(">100 µs</text>") && svg.contains(">1 ms</text>") && svg.contains(">10 ms</text>")
            && svg.contains(">100 ms</text>") && svg.contains(">1 s</text>"), svg);
        assertEquals(6, decades.size(), "10 µs (the lowest p50, 60, rounded down) to 1 s (p99.9 900 ms, up): " + decades);
        final double decade = decades.get(0) - decades.get(1);
        for (int i = 1; i < decades.size(); i++) {
            assertEquals(decade, decades.get(i - 1) - decades.get(i), 0.2, "decades equally spaced");
        }
        assertEquals(Math.log10(3) * decade, p99.get(0)[1] - p99.get(1)[1], 0.2, "300 -> 900 µs");
        assertTrue(svg.contains(">100k</text>") && svg.contains(">500k</text>") && svg.contains(">1M</text>")
            && svg.contains(">2M</text>") && svg.contains(">3M</text>"), "a tick per offered rate");
    }

    @Test
    void theKneeAndFailuresAreMarked() {
        final String svg = SweepPlot.svg(rows());
        assertEquals(1, count(svg, "<circle class=\"short\""), "only balanced at 2M fell short (75% got through)");
        assertEquals(1, count(svg, "<line class=\"knee\" data-series=\"balanced\""));
        assertEquals(0, count(svg, "<line class=\"knee\" data-series=\"relay floor\""));
        assertEquals(2, count(svg, "<text class=\"failed\""), "the failed relay row, and balanced at 3M on the axis");
        final String html = SweepPlot.html("Latency", rows());
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.contains("<svg") && !html.contains("<script"), html);
        assertEquals(2, count(html, "<tr class=\"short\">"), "2M and the failed 3M");
        assertEquals(8, count(html, "<tr"), "header and seven rows");
    }

    @Test
    void labels() {
        assertEquals("50k", SweepPlot.rateLabel(50_000));
        assertEquals("2.5M", SweepPlot.rateLabel(2_500_000));
        assertEquals("1M", SweepPlot.rateLabel(1_000_000));
        assertEquals("750", SweepPlot.rateLabel(750));
        assertEquals("10 µs", SweepPlot.latencyLabel(10));
        assertEquals("100 ms", SweepPlot.latencyLabel(100_000));
        assertEquals("10 s", SweepPlot.latencyLabel(10_000_000));
    }
}
