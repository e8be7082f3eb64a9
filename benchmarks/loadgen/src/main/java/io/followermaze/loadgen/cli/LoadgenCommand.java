package io.followermaze.loadgen.cli;

import io.followermaze.loadgen.LoadRun;
import io.followermaze.loadgen.LoadgenConfig;
import io.followermaze.loadgen.ReportTable;
import io.followermaze.loadgen.RunResult;
import io.followermaze.loadgen.SecondsReport;
import io.followermaze.loadgen.Target;
import io.followermaze.loadgen.nullserver.NullServer;
import io.followermaze.loadgen.probe.ProcProbe;
import io.followermaze.loadgen.relay.RelayRun;
import io.followermaze.loadgen.probe.ServerProbe;
import io.followermaze.loadgen.probe.ThreadCpuProbe;
import io.followermaze.loadgen.stream.Mix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code loadgen}: plays the reference test program against a running server and verifies every
 * notification; or measures the generator alone against an in-process null server; or both, for a ratio.
 * The reference program's options are read from its environment variables, with its defaults; a flag
 * overrides the variable.
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Send the reference event stream to a server and verify every client's notifications.",
        "Options marked [env X] default to environment variable X, as the reference test program does;"
            + " a flag overrides it."},
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:every client received exactly what it should", "1:a verification failure",
        "2:invalid options"})
public final class LoadgenCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"--total-events", "--totalEvents"}, paramLabel = "N", defaultValue = "${env:totalEvents:-10000000}",
        description = "Events to send. [env totalEvents; default 10000000; now ${DEFAULT-VALUE}]")
    long totalEvents;

    @Option(names = {"--concurrency-level", "--concurrencyLevel"}, paramLabel = "N",
        defaultValue = "${env:concurrencyLevel:-100}",
        description = "Connected clients, each a distinct user. [env concurrencyLevel; default 100; now ${DEFAULT-VALUE}]")
    int concurrency;

    @Option(names = {"--number-of-users", "--numberOfUsers"}, paramLabel = "N", defaultValue = "${env:numberOfUsers:-0}",
        description = "User ids 1..N appear in events; 0 means concurrencyLevel x 10."
            + " [env numberOfUsers; default concurrencyLevel x 10; now ${DEFAULT-VALUE}]")
    int users;

    @Option(names = {"--random-seed", "--randomSeed"}, paramLabel = "SEED", defaultValue = "${env:randomSeed:-666}",
        description = "Seed of the whole stream. [env randomSeed; default 666; now ${DEFAULT-VALUE}]")
    long seed;

    @Option(names = "--timeout", paramLabel = "MS", defaultValue = "${env:timeout:-20000}",
        description = "Longest a client may wait for its next notification. [env timeout; default 20000; now ${DEFAULT-VALUE}]")
    long timeoutMillis;

    @Option(names = {"--max-event-source-batch-size", "--maxEventSourceBatchSize"}, paramLabel = "N",
        defaultValue = "${env:maxEventSourceBatchSize:-100}",
        description = "Batches hold 1..N consecutive seqs, each batch shuffled."
            + " [env maxEventSourceBatchSize; default 100; now ${DEFAULT-VALUE}]")
    int maxBatch;

    @Option(names = {"--event-listener-port", "--eventListenerPort"}, paramLabel = "PORT",
        defaultValue = "${env:eventListenerPort:-9090}",
        description = "Server's event source port. [env eventListenerPort; default 9090; now ${DEFAULT-VALUE}]")
    int eventPort;

    @Option(names = {"--client-listener-port", "--clientListenerPort"}, paramLabel = "PORT",
        defaultValue = "${env:clientListenerPort:-9099}",
        description = "Server's client port. [env clientListenerPort; default 9099; now ${DEFAULT-VALUE}]")
    int clientPort;

    @Option(names = "--client-ports", paramLabel = "PORT", split = ",",
        description = "Spread the clients round robin over these client ports (the fan-out nodes of a cluster, "
            + "--role fanout); overrides --client-listener-port. Every client is verified as usual.")
    List<Integer> clientPorts;

    @Option(names = {"--log-interval", "--logInterval"}, paramLabel = "MS", defaultValue = "${env:logInterval:-1000}",
        description = "Progress line period on stderr; 0 for none. [env logInterval; default 1000; now ${DEFAULT-VALUE}]")
    long logIntervalMillis;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
        description = "Server host. Default: ${DEFAULT-VALUE}")
    String host;

    @Option(names = "--mix", paramLabel = "MIX", defaultValue = "reference",
        description = "Event mix: reference (B 0.01%%, P 15%%, F 15%%, U 15%%, S 55%%), fanout (F 30%%, U 10%%, S 35%%,"
            + " P 20%%, B 5%%, repeated follows), broadcast (B 90%%). Default: ${DEFAULT-VALUE}")
    Mix mix;

    @Option(names = "--settle-ms", paramLabel = "MS", defaultValue = "" + LoadgenConfig.DEFAULT_SETTLE_MILLIS,
        description = "Pause after clients sent their ids, before the first event. Default: ${DEFAULT-VALUE}")
    long settleMillis;

    @Option(names = "--grace-ms", paramLabel = "MS", defaultValue = "" + LoadgenConfig.DEFAULT_GRACE_MILLIS,
        description = "After the last expected notification, how long to watch for extra ones. Default: ${DEFAULT-VALUE}")
    long graceMillis;

    @Option(names = "--null-server", description = "Run against an in-process server that reads and discards"
        + " everything (host and ports ignored, nothing verified): the generator's own limit on this machine.")
    boolean nullServer;

    @Option(names = "--compare-null", description = "Run against the server, then against the null server with the"
        + " same stream; print both rows and the ratio of events/s.")
    boolean compareNull;

    @Option(names = "--server-pid", paramLabel = "PID", defaultValue = "0",
        description = "Server process on this host: report its CPU seconds and peak RSS from /proc. Default: none")
    long serverPid;

    @Option(names = "--reader-threads", paramLabel = "N", defaultValue = "1",
        description = "Threads reading and verifying client connections. Default: ${DEFAULT-VALUE}")
    int readerThreads;

    @Option(names = "--expectation-budget-mib", paramLabel = "MIB",
        defaultValue = "" + (LoadgenConfig.DEFAULT_EXPECTATION_BUDGET_BYTES >> 20),
        description = "Memory for all clients' expected-but-unreceived bytes; the source waits when a client's share"
            + " is full. Default: ${DEFAULT-VALUE}")
    long expectationBudgetMib;

    @Option(names = "--send-buffer-kib", paramLabel = "KIB", defaultValue = "" + (LoadgenConfig.DEFAULT_SEND_BUFFER_BYTES >> 10),
        description = "Event bytes buffered per write (at least one batch). Default: ${DEFAULT-VALUE}")
    int sendBufferKib;

    @Option(names = "--latency-sample", paramLabel = "N", defaultValue = "" + LoadgenConfig.DEFAULT_LATENCY_SAMPLE,
        description = "Sample the delivery latency of one notification in N (a power of two). Default: ${DEFAULT-VALUE}")
    int latencySample;

    @Option(names = "--rate", paramLabel = "EVENTS_PER_S", defaultValue = "0",
        description = "Open-loop: offer this many events/s, each batch written at its scheduled time whatever the"
            + " server does, and measure every notification from its event's scheduled send time (corrected for"
            + " coordinated omission). 0: send as fast as the server takes events. Default: ${DEFAULT-VALUE}")
    long rate;

    @Option(names = "--warmup-s", paramLabel = "S", defaultValue = "0",
        description = "With --rate: leave out notifications of events scheduled in the first S seconds."
            + " Default: ${DEFAULT-VALUE}")
    double warmupSeconds;

    @Option(names = "--histogram-out", paramLabel = "FILE",
        description = "With --rate: write the latency percentile distribution (HdrHistogram .hgrm, in µs) of the"
            + " first paced run here.")
    Path histogramOut;

    @Option(names = "--histogram-log", paramLabel = "FILE",
        description = "With --rate: write the first paced run's latency second by second here, in HdrHistogram's"
            + " interval log format (.hlog, values in ns): one interval per second of the schedule, holding the"
            + " notifications of the events due in it, warm-up included.")
    Path histogramLog;

    @Option(names = "--relay", description = "With --rate, instead of the server: a relay in this process that copies"
        + " the event stream straight to one client (no resequencing; host and ports ignored), measured the same"
        + " way: the latency floor of the generator, the kernel and loopback.")
    boolean relay;

    @Mixin
    SweepOptions sweep;

    LoadgenConfig toConfig() {
        return LoadgenConfig.builder().totalEvents(totalEvents).concurrency(concurrency).users(users).seed(seed)
            .timeoutMillis(timeoutMillis).maxBatch(maxBatch).logIntervalMillis(logIntervalMillis).mix(mix)
            .settleMillis(settleMillis).graceMillis(graceMillis).readerThreads(readerThreads)
            .expectationBudgetBytes(expectationBudgetMib << 20).sendBufferBytes(sendBufferKib << 10)
            .latencySample(latencySample).rate(rate).warmupMillis(Math.round(warmupSeconds * 1000)).build();
    }

    /**
     * Creates the folders the output files go in.
     *
     * @return null, or why one of them can not be made
     */
    static String makeParentDirectories(Path... files) {
        for (Path f : files) {
            final Path parent = f == null ? null : f.toAbsolutePath().getParent();
            if (parent != null) {
                try {
                    Files.createDirectories(parent);
                } catch (IOException e) {
                    return "can not make the folder for " + f + ": " + e;
                }
            }
        }
        return null;
    }

    @Override
    public Integer call() throws Exception {
        final LoadgenConfig config;
        try {
            config = toConfig();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("Invalid options: " + e.getMessage());
            return 2;
        }
        final String sweepProblem = sweep.invalid(relay, nullServer || compareNull || clientPorts != null, rate);
        if (sweepProblem != null) {
            spec.commandLine().getErr().println("Invalid options: " + sweepProblem);
            return 2;
        }
        final String noPlace = makeParentDirectories(histogramOut, histogramLog, sweep.csv, sweep.plotOut);
        if (noPlace != null) { // before the run, not after minutes of it
            spec.commandLine().getErr().println("Invalid options: " + noPlace);
            return 2;
        }
        final PrintWriter out = spec.commandLine().getOut();
        if (sweep.sweeping() || sweep.plotOnly()) {
            if (sweep.sweeping()) {
                out.println(describe(config, sweep.seconds > 0 ? String.format(Locale.ROOT,
                    "%s s of events per rate", sweep.seconds) : String.format(Locale.ROOT, "%,d events per rate",
                    config.totalEvents())) + ", rates " + sweep.rates);
                out.flush();
            }
            try {
                return sweep.run(config, relay, host, histogramOut, histogramLog, out);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("Invalid options: " + e.getMessage());
                return 2;
            }
        }
        if (relay && !config.paced()) {
            spec.commandLine().getErr().println("Invalid options: --relay measures latency at a rate: give --rate");
            return 2;
        }
        out.println(describe(config));
        out.flush();
        final List<RunResult> results = new ArrayList<>();
        try {
            if (relay) {
                results.add(RelayRun.run(config));
            } else if (!nullServer) {
                final ServerProbe probe = serverPid > 0 ? new ProcProbe(serverPid) : ServerProbe.NONE;
                results.add(new LoadRun(config, (clientPorts == null || clientPorts.isEmpty()
                    ? Target.remote(host, eventPort, clientPort, probe) : Target.remote(host, eventPort, clientPorts, probe)), System.err).run());
            }
            if (!relay && (nullServer || compareNull)) {
                results.add(runNull(config));
            }
        } catch (IOException e) {
            out.println("FAIL: " + e);
            out.flush();
            return 1;
        }
        out.print(ReportTable.format(results));
        for (RunResult r : results) {
            if (r.bySecond() != null) {
                out.print(SecondsReport.format(r.label(), r.bySecond()));
            }
        }
        if (histogramOut != null) {
            writeHistogram(results, histogramOut, out);
        }
        if (histogramLog != null) {
            writeHistogramLog(results, histogramLog, out);
        }
        if (serverPid > 0 && !nullServer && !relay) {
            out.println("server figures: " + new ProcProbe(serverPid).describe());
        }
        final boolean passed = results.stream().allMatch(RunResult::passed);
        out.println(passed ? "PASS" : "FAIL");
        out.flush();
        return passed ? 0 : 1;
    }

    /** Writes the first paced run's latency distribution in HdrHistogram's .hgrm text, values in µs. */
    static void writeHistogram(List<RunResult> results, Path file, PrintWriter out) throws IOException {
        for (RunResult r : results) {
            if (r.paced() && r.latency() != null) {
                try (PrintStream ps = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.US_ASCII)) {
                    r.latency().outputPercentileDistribution(ps, 1000.0);
                }
                out.println("latency distribution of " + r.label() + " (µs): " + file);
                return;
            }
        }
        out.println("no paced run: " + file + " not written (use --rate)");
    }

    /** Writes the first paced run's per-second histograms as an HdrHistogram interval log. */
    static void writeHistogramLog(List<RunResult> results, Path file, PrintWriter out) throws IOException {
        for (RunResult r : results) {
            if (r.bySecond() != null) {
                SecondsReport.writeLog(r.label(), r.bySecond(), file);
                out.println("latency per second of " + r.label() + " (HdrHistogram interval log, ns): " + file);
                return;
            }
        }
        out.println("no paced run: " + file + " not written (use --rate)");
    }

    /** The same stream against an in-process null server: generator and sockets only. */
    static RunResult runNull(LoadgenConfig config) throws IOException, InterruptedException {
        try (NullServer server = NullServer.start("127.0.0.1", 0, 0)) {
            final Target target = new Target("null server", "127.0.0.1", server.eventPort(), server.clientPort(),
                () -> true, server::eventBytesRead, new ThreadCpuProbe("nullserver-"));
            return new LoadRun(config.toBuilder().verify(false).build(), target, System.err).run();
        }
    }

    static String describe(LoadgenConfig c) {
        return describe(c, String.format(Locale.ROOT, "%,d events", c.totalEvents()));
    }

    static String describe(LoadgenConfig c, String events) {
        return String.format(Locale.ROOT, "loadgen: %s, %d clients of %d users, mix %s, batches 1..%d, seed %d,"
                + " timeout %d ms, expectation ring %d KiB per client", events, c.concurrency(), c.users(),
            c.mix().name().toLowerCase(Locale.ROOT), c.maxBatch(), c.seed(), c.timeoutMillis(),
            c.expectationCapacity() >> 10) + (c.paced() ? String.format(Locale.ROOT,
                ", paced at %,d events/s (open loop), warm-up %d ms", c.rate(), c.warmupMillis())
            : c.warmupMillis() > 0 ? ", warm-up " + c.warmupMillis() + " ms" : "");
    }
}
