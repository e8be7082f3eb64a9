package io.followermaze.server.testing;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one series' value out of Prometheus text exposition. */
public final class Prometheus {
    private Prometheus() {
    }

    /** @return the value of {@code series} in what {@code registry} exposes now; fails the test when it is absent */
    public static double required(io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry, String series) {
        final String text = registry.scrape();
        final double v = value(text, series);
        if (Double.isNaN(v)) {
            throw new AssertionError("no series " + series + " in:\n" + text);
        }
        return v;
    }

    /** @return the value of {@code series} (name with its labels, as exposed), or NaN when it is absent */
    public static double value(String exposition, String series) {
        final Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(exposition);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }
}
