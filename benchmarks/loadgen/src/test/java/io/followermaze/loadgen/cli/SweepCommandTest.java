package io.followermaze.loadgen.cli;

import io.followermaze.loadgen.sweep.SweepCsv;
import io.followermaze.loadgen.sweep.SweepRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code loadgen --rate-sweep}: through the relay, against fresh server processes, and plotting CSVs together. */
@Timeout(180)
class SweepCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        final CommandLine cl = new CommandLine(new ToolsMain()).setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private static final String[] SMALL = {"--total-events", "4000", "--concurrency-level", "5", "--log-interval", "0",
        "--settle-ms", "300", "--warmup-s", "0"};

    private static String[] with(String... args) {
        final String[] all = new String[SMALL.length + args.length + 1];
        all[0] = "loadgen";
        System.arraycopy(args, 0, all, 1, args.length);
        System.arraycopy(SMALL, 0, all, 1 + args.length, SMALL.length);
        return all;
    }

    @Test
    void relaySweepWritesTheCsvAndThePlotAndAnotherPlotMergesIt(@TempDir Path dir) throws Exception {
        final Path csv = dir.resolve("not/yet/floor.csv"); // output folders are made, before the run
        final Path html = dir.resolve("plots/floor.html");
        assertEquals(0, run(with("--rate-sweep", "20000,40000", "--relay", "--sweep-csv", csv.toString(),
            "--plot-out", html.toString())), out + "\n" + err);
        final List<SweepRow> rows = SweepCsv.read(csv);
        assertEquals(2, rows.size());
        assertEquals("relay floor", rows.get(0).series());
        assertEquals(List.of(20_000L, 40_000L), rows.stream().map(SweepRow::offered).toList());
        assertTrue(rows.stream().allMatch(r -> r.passed() && r.recorded() == 4_000), rows.toString());
        assertTrue(Files.readString(html).contains("<polyline class=\"p99\" data-series=\"relay floor\""));
        assertTrue(out.toString().contains("relay floor") && out.toString().endsWith("PASS" + System.lineSeparator()),
            out.toString());

        // plot only: this CSV and a renamed copy of it, two series on one plot; nothing is run
        final Path other = dir.resolve("other.csv");
        Files.writeString(other, Files.readString(csv).replace("relay floor,", "other,"));
        final Path both = dir.resolve("both.html");
        assertEquals(0, run("loadgen", "--plot-out", both.toString(), "--plot-add", csv + "," + other), out + "\n" + err);
        final String page = Files.readString(both);
        assertTrue(page.contains("data-series=\"relay floor\"") && page.contains("data-series=\"other\""), page);
    }

    @Test
    void sweepsFreshServerProcessesLearningTheirPorts(@TempDir Path dir) throws Exception {
        final String java = ProcessHandle.current().info().command().orElse("java");
        final String serverCmd = "'" + java + "' -Xmx256m -Dlogback.configurationFile=logback.xml -cp '"
            + System.getProperty("java.class.path") + "' io.followermaze.server.cli.Main serve --event-port 0"
            + " --client-port 0 --metrics-port 0"; // registered clients from /metrics, not a settle time
        final Path csv = dir.resolve("server.csv");
        assertEquals(0, run(with("--rate-sweep", "20000,10000", "--server-cmd", serverCmd, "--sweep-label", "balanced",
            "--sweep-csv", csv.toString())), out + "\n" + err);
        final List<SweepRow> rows = SweepCsv.read(csv);
        assertEquals(List.of(20_000L, 10_000L), rows.stream().map(SweepRow::offered).toList());
        assertTrue(rows.stream().allMatch(r -> r.passed() && r.recorded() > 0 && r.serverCpuSeconds() >= 0),
            rows.toString());
        assertTrue(rows.stream().allMatch(r -> r.series().equals("balanced")));
    }

    @Test
    void anOutputFolderThatCanNotBeMadeStopsTheRunBeforeItStarts(@TempDir Path dir) throws Exception {
        final Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertEquals(2, run(with("--rate-sweep", "20000", "--relay", "--sweep-csv", file.resolve("floor.csv").toString())));
        assertTrue(err.toString().contains("can not make the folder for " + file.resolve("floor.csv")), err.toString());
        assertTrue(out.toString().isEmpty(), "nothing ran: " + out);
    }

    @Test
    void aSweepNeedsAFreshServerPerRateOrTheRelay() {
        assertEquals(2, run(with("--rate-sweep", "1000,2000")));
        assertTrue(err.toString().contains("one long-running server cannot take a second stream"), err.toString());
        assertEquals(2, run(with("--rate-sweep", "1000", "--relay", "--rate", "1000")));
        assertEquals(2, run("loadgen", "--server-cmd", "x"));
        assertEquals(2, run("loadgen", "--plot-out", "x.html"));
    }
}
