package io.followermaze.loadgen.cli;

import io.followermaze.loadgen.LoadRun;
import io.followermaze.loadgen.LoadgenConfig;
import io.followermaze.loadgen.RunResult;
import io.followermaze.loadgen.SecondsReport;
import io.followermaze.loadgen.relay.RelayRun;
import io.followermaze.loadgen.sweep.RateSweep;
import io.followermaze.loadgen.sweep.ServerProcess;
import io.followermaze.loadgen.sweep.SweepCsv;
import io.followermaze.loadgen.sweep.SweepPlot;
import io.followermaze.loadgen.sweep.SweepRow;
import io.followermaze.loadgen.sweep.SweepTable;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The rate sweep's options of {@code loadgen} and what it does with them (see {@code sweep}). */
final class SweepOptions {
    /** A launcher that has to build the jar first takes a while. */
    private static final long SERVER_STARTUP_MILLIS = TimeUnit.MINUTES.toMillis(3);

    @Option(names = "--rate-sweep", paramLabel = "R1,R2,...", split = ",",
        description = "One fresh open-loop run per offered rate (events/s), in this order, against a fresh server per"
            + " rate (--server-cmd) or through the relay (--relay); prints one row per rate: offered and achieved"
            + " rate, p50 ... max, PASS/FAIL, and marks rates of which less than 95%% got through (the knee).")
    List<Long> rates;

    @Option(names = "--sweep-seconds", paramLabel = "S", defaultValue = "0",
        description = "With --rate-sweep: each rate sends S seconds of events (warm-up included) instead of"
            + " --total-events. Default: ${DEFAULT-VALUE}")
    double seconds;

    @Option(names = "--server-cmd", paramLabel = "CMD",
        description = "With --rate-sweep: the command that starts a server, run afresh for each rate with /bin/sh"
            + " (e.g. \"./followermaze serve --event-port 0 --client-port 0\"); the ports are read from its"
            + " \"events on HOST:P, clients on HOST:Q\" log line, its CPU and peak RSS from /proc; it is stopped"
            + " (SIGTERM) after the rate. A server awaits seq 1 once only, so a sweep needs a fresh one per rate."
            + " With --metrics-port 0 in CMD, each run waits until the server has registered every client"
            + " (else --settle-ms).")
    String serverCommand;

    @Option(names = "--sweep-label", paramLabel = "NAME",
        description = "The sweep's name in the table, CSV and plot (e.g. balanced, low-latency)."
            + " Default: \"relay floor\" with --relay, else \"server\"")
    String label;

    @Option(names = "--sweep-csv", paramLabel = "FILE",
        description = "Write the sweep's rows here (CSV, latencies in µs), to plot later with --plot-add.")
    Path csv;

    @Option(names = "--plot-out", paramLabel = "FILE.html",
        description = "Write latency (p50, p99, p99.9) against offered rate, log scales, as one self-contained HTML"
            + " page with an SVG plot and the table: this sweep and every --plot-add file. Without --rate-sweep: the"
            + " --plot-add files alone, nothing is run.")
    Path plotOut;

    @Option(names = "--plot-add", paramLabel = "CSV", split = ",",
        description = "Earlier sweeps (--sweep-csv files) to draw on the same plot, each series its own colour.")
    List<Path> plotAdd;

    boolean sweeping() {
        return rates != null && !rates.isEmpty();
    }

    boolean plotOnly() {
        return !sweeping() && plotOut != null;
    }

    /** Why these options cannot run together, or null. */
    String invalid(boolean relay, boolean otherRunModes, long rate) {
        if (!sweeping()) {
            if (plotOut == null && (plotAdd != null || csv != null)) {
                return "--plot-add and --sweep-csv belong to a sweep (--rate-sweep) or a plot (--plot-out)";
            }
            if (plotOut != null && (plotAdd == null || plotAdd.isEmpty())) {
                return "--plot-out without --rate-sweep plots --plot-add files: give at least one";
            }
            return serverCommand != null || label != null || seconds != 0
                ? "--server-cmd, --sweep-label and --sweep-seconds belong to --rate-sweep" : null;
        }
        if (rate != 0 || otherRunModes) {
            return "--rate-sweep runs on its own: not with --rate, --null-server, --compare-null or --client-ports";
        }
        if (relay == (serverCommand != null)) {
            return "--rate-sweep needs exactly one of --server-cmd (a fresh server per rate: a server awaits seq 1"
                + " once only, so one long-running server cannot take a second stream) and --relay";
        }
        return null;
    }

    /** Runs the sweep (or only plots); returns the exit status. */
    int run(LoadgenConfig base, boolean relay, String host, Path histogramOut, Path histogramLog, PrintWriter out)
        throws IOException, InterruptedException {
        final List<SweepRow> rows = new ArrayList<>();
        if (plotAdd != null) {
            for (Path p : plotAdd) {
                rows.addAll(SweepCsv.read(p));
            }
        }
        boolean passed = true;
        if (sweeping()) {
            final String series = label != null ? label : relay ? RelayRun.LABEL : "server";
            final RateSweep sweep = new RateSweep(base, seconds, series);
            final List<SweepRow> mine = sweep.run(rates, relay ? RelayRun::run : config -> runServer(config, host),
                out, r -> writeHistograms(r, histogramOut, histogramLog));
            passed = mine.stream().allMatch(SweepRow::passed);
            if (csv != null) {
                SweepCsv.write(mine, csv);
                out.println("sweep rows: " + csv);
            }
            rows.addAll(mine);
        }
        if (plotOut != null) {
            if (plotOnly()) {
                out.print(SweepTable.format(rows));
            }
            Files.writeString(plotOut, SweepPlot.html("Latency against offered load", rows), StandardCharsets.UTF_8);
            out.println("plot: " + plotOut);
        }
        if (sweeping()) {
            out.println(passed ? "PASS" : "FAIL");
        }
        out.flush();
        return passed ? 0 : 1;
    }

    private RunResult runServer(LoadgenConfig config, String host) throws IOException, InterruptedException {
        try (ServerProcess server = ServerProcess.start(serverCommand, SERVER_STARTUP_MILLIS)) {
            System.err.printf("sweep: server pid %d, events on %d, clients on %d, rate %,d/s, %,d events%n",
                server.pid(), server.eventPort(), server.clientPort(), config.rate(), config.totalEvents());
            final RunResult r = new LoadRun(config, server.target(host, config.concurrency()), System.err).run();
            if (!r.passed()) {
                System.err.println("sweep: the server's last output:\n" + server.tail());
            }
            return r;
        }
    }

    /** Per-rate files: {@code name-RATE.ext}. */
    private static void writeHistograms(RunResult r, Path histogramOut, Path histogramLog) {
        try {
            if (histogramOut != null && r.latency() != null) {
                try (PrintStream ps = new PrintStream(Files.newOutputStream(perRate(histogramOut, r.rate())), false,
                    StandardCharsets.US_ASCII)) {
                    r.latency().outputPercentileDistribution(ps, 1000.0);
                }
            }
            if (histogramLog != null && r.bySecond() != null) {
                SecondsReport.writeLog(r.label() + " at " + r.rate() + "/s", r.bySecond(), perRate(histogramLog, r.rate()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path perRate(Path file, long rate) {
        final String name = file.getFileName().toString();
        final int dot = name.lastIndexOf('.');
        final String named = dot > 0 ? name.substring(0, dot) + "-" + rate + name.substring(dot) : name + "-" + rate;
        return file.resolveSibling(named);
    }
}
