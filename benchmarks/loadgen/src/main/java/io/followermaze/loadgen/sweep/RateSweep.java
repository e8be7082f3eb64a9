package io.followermaze.loadgen.sweep;

import io.followermaze.loadgen.LoadgenConfig;
import io.followermaze.loadgen.RunResult;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs one fresh open-loop stream per offered rate, in the order given, each with the same seed, mix and
 * clients; each either the same number of events or {@code seconds} of events at its rate (so that high rates
 * do not take for ever). What a rate runs against is the {@link RateRun}'s business: a fresh server process, a
 * relay, an in-process server in tests. The server awaits seq 1 only once, so each rate needs a fresh one.
 */
public final class RateSweep {
    /** One rate's run; a thrown IOException makes that rate's row a FAIL and the sweep goes on. */
    @FunctionalInterface
    public interface RateRun {
        RunResult run(LoadgenConfig config) throws IOException, InterruptedException;
    }

    private final LoadgenConfig base;
    private final double seconds;
    private final String series;

    /**
     * @param base    settings of every run but the rate (and the event count when {@code seconds > 0})
     * @param seconds 0: every rate sends {@code base.totalEvents()}; else each sends rate x seconds events
     * @param series  the sweep's name in the table, CSV and plot
     */
    public RateSweep(LoadgenConfig base, double seconds, String series) {
        if (seconds < 0 || seconds > 0 && seconds * 1000 <= base.warmupMillis()) {
            throw new IllegalArgumentException("sweep seconds must be 0 (use the event count) or longer than the"
                + " warm-up (" + base.warmupMillis() + " ms): " + seconds);
        }
        this.base = base;
        this.seconds = seconds;
        this.series = series;
        new SweepRow(series, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, true); // the name must fit a CSV field
    }

    /** The settings of the run at {@code rate}; validated, so a bad rate fails before anything runs. */
    public LoadgenConfig configFor(long rate) {
        final long events = seconds > 0 ? Math.max(1, Math.round(rate * seconds)) : base.totalEvents();
        return base.toBuilder().rate(rate).totalEvents(events).build();
    }

    /**
     * Runs every rate; prints a row as each ends (and why a run failed) to {@code out}.
     *
     * @param each sees each run's result (to write its histograms), may be null
     */
    public List<SweepRow> run(List<Long> rates, RateRun runner, PrintWriter out,
                              java.util.function.Consumer<RunResult> each) throws InterruptedException {
        if (rates.isEmpty()) {
            throw new IllegalArgumentException("a sweep needs at least one rate");
        }
        final List<LoadgenConfig> configs = new ArrayList<>();
        rates.forEach(r -> configs.add(configFor(r)));
        final List<SweepRow> rows = new ArrayList<>();
        out.println(SweepTable.header());
        out.flush();
        for (LoadgenConfig config : configs) {
            SweepRow row;
            try {
                final RunResult r = runner.run(config);
                row = SweepRow.of(series, r);
                if (each != null) {
                    each.accept(r);
                }
                if (!r.passed()) {
                    out.println("  " + series + " at " + String.format(Locale.ROOT, "%,d", config.rate()) + "/s FAILED: "
                        + r.failure());
                }
            } catch (IOException e) {
                row = new SweepRow(series, config.rate(), 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, false);
                out.println("  " + series + " at " + String.format(Locale.ROOT, "%,d", config.rate()) + "/s FAILED: " + e);
            }
            rows.add(row);
            out.println(SweepTable.row(row));
            out.flush();
        }
        return rows;
    }
}
