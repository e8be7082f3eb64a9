package io.followermaze.loadgen.cli;

import io.followermaze.loadgen.LoadRun;
import io.followermaze.loadgen.LoadgenConfig;
import io.followermaze.loadgen.ReportTable;
import io.followermaze.loadgen.RunResult;
import io.followermaze.loadgen.Target;
import io.followermaze.loadgen.cluster.LocalCluster;
import io.followermaze.loadgen.cluster.NodeCpu;
import io.followermaze.loadgen.cluster.NodeLauncher;
import io.followermaze.loadgen.cluster.NodeProcess;
import io.followermaze.loadgen.kafka.DevBroker;
import io.followermaze.loadgen.probe.ProcProbe;
import io.followermaze.loadgen.stream.Mix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code cluster-bench}: the single node against the cluster on the same stream, side by side in one run, each
 * verified byte for byte. Per repetition and mix: (a) {@code serve} (role all) as a process; (b) a dev broker, an
 * ingest node and two fan-out nodes, each its own process, the clients split over both; then, once per repetition,
 * (d) the replay floor: a late fan-out node with no clients catching up on the whole topic, minus one catching up on
 * an empty topic (the JVM's and Kafka client's start). CPU seconds are utime + stime from /proc of each process,
 * over the loaded run.
 */
@Command(name = "cluster-bench", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
    description = "Single node vs dev broker + ingest + 2 fan-out nodes on the same verified stream: events/s,"
        + " notifications/s, p99, CPU seconds per process; and a fan-out node's CPU to replay the topic.",
    exitCodeListHeading = "Exit codes:%n", exitCodeList = {"0:every run PASS", "1:a run failed", "2:invalid options"})
public final class ClusterBenchCommand implements Callable<Integer> {
    private static final Duration START_LIMIT = Duration.ofSeconds(120);

    @Spec
    CommandSpec spec;

    @Option(names = "--total-events", paramLabel = "N", description = "Events per run.")
    long totalEvents = 10_000_000;

    @Option(names = "--repetitions", paramLabel = "R", description = "Rounds; each runs single then cluster.")
    int repetitions = 2;

    @Option(names = "--mixes", paramLabel = "MIX", split = ",", description = "Mixes, each run in every round.")
    List<Mix> mixes = List.of(Mix.REFERENCE, Mix.FANOUT);

    @Option(names = "--concurrency-level", paramLabel = "N", description = "Connected clients.")
    int concurrency = LoadgenConfig.DEFAULT_CONCURRENCY;

    @Option(names = "--fanouts", paramLabel = "N", description = "Fan-out nodes of the cluster.")
    int fanouts = 2;

    @Option(names = "--partitions", paramLabel = "P", description = "Partitions of the topic.")
    int partitions = 1;

    @Option(names = "--kafka-client-config", paramLabel = "FILE", description = "Passed to the ingest and fan-out"
        + " nodes: Kafka producer/consumer properties to measure (linger.ms, batch.size, fetch.min.bytes, ...).")
    Path kafkaClientConfig;

    @Option(names = "--timeout", paramLabel = "MS", description = "Longest wait for a client's next notification.")
    long timeoutMillis = 60_000;

    @Option(names = "--no-replay-floor", negatable = true, description = "Measure (d), the replay floor, each round.")
    boolean replayFloor = true;

    @Option(names = "--rate", paramLabel = "EVENTS_PER_S", description = "Open loop, as loadgen --rate: offer this"
        + " many events/s to both the single node and the cluster, so that their CPU seconds compare the same stream at"
        + " the same pace (choose one the cluster sustains: 'late batches' in the latency table says it fell behind)."
        + " 0: blast, as fast as each takes events.")
    long rate;

    /** One loaded run: its loadgen result and the CPU seconds of each process (single: one; cluster: broker first). */
    private record Row(int round, Mix mix, RunResult result, List<String> names, List<Double> cpu) {
    }

    @Override
    public Integer call() throws Exception {
        if (repetitions < 1 || fanouts < 1 || partitions < 1 || mixes.isEmpty()) {
            spec.commandLine().getErr().println("Invalid options: --repetitions, --fanouts, --partitions must be >= 1");
            return 2;
        }
        try {
            mixes.forEach(this::config); // every mix's configuration is valid before anything starts
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("Invalid options: " + e.getMessage());
            return 2;
        }
        DevBrokerCommand.quietKafkaLogs();
        final PrintWriter out = spec.commandLine().getOut();
        final NodeLauncher launcher = NodeLauncher.fromEnvironment();
        out.printf("cluster-bench: %,d events, %d clients, mixes %s, %d round(s), %s; nodes: %s%s%n", totalEvents,
            concurrency, mixes, repetitions, rate > 0 ? String.format(Locale.ROOT,
                "paced at %,d events/s (open loop)", rate) : "blast", launcher.describe(),
            kafkaClientConfig == null ? "" : "; Kafka client config " + kafkaClientConfig);
        out.flush();
        final List<Row> rows = new ArrayList<>();
        final List<String> floors = new ArrayList<>();
        for (int round = 1; round <= repetitions; round++) {
            for (Mix mix : mixes) {
                final LoadgenConfig config = config(mix);
                rows.add(single(round, mix, config, launcher));
                print(out, rows.get(rows.size() - 1));
                rows.add(cluster(round, mix, config, launcher, replayFloor && mix == mixes.get(0) ? floors : null));
                print(out, rows.get(rows.size() - 1));
            }
        }
        out.println();
        out.print(ReportTable.format(rows.stream().map(Row::result).toList()));
        out.println();
        out.print(cpuTable(rows));
        floors.forEach(out::println);
        final boolean passed = rows.stream().allMatch(r -> r.result().passed());
        out.println(passed ? "PASS" : "FAIL");
        out.flush();
        return passed ? 0 : 1;
    }

    /** One run's load: the same for the single node and the cluster; paced when {@code --rate} is above 0. */
    LoadgenConfig config(Mix mix) {
        return LoadgenConfig.builder().totalEvents(totalEvents).concurrency(concurrency).mix(mix)
            .timeoutMillis(timeoutMillis).logIntervalMillis(0).rate(rate).build();
    }

    private Row single(int round, Mix mix, LoadgenConfig config, NodeLauncher launcher) throws Exception {
        final Path log = Files.createTempFile("followermaze-single-", ".log");
        try (NodeProcess node = NodeProcess.serve("single", launcher, List.of(), log).awaitPorts(START_LIMIT)) {
            final Target target = new Target("single " + shortName(mix), "127.0.0.1", node.eventPort(), node.clientPort(),
                () -> node.metric("followermaze_clients_connected") >= config.concurrency(), null,
                new ProcProbe(node.pid()));
            final RunResult r = new LoadRun(config, target, System.err).run();
            return new Row(round, mix, r, List.of("single"), List.of(r.serverCpuNanos() / 1e9));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private Row cluster(int round, Mix mix, LoadgenConfig config, NodeLauncher launcher, List<String> floors)
        throws Exception {
        try (LocalCluster c = LocalCluster.start(launcher, fanouts, partitions, true, kafkaClientConfig == null
            ? List.of() : List.of("--kafka-client-config", kafkaClientConfig.toAbsolutePath().toString()))) {
            final List<NodeProcess> nodes = new ArrayList<>();
            nodes.add(c.brokerProcess());
            nodes.addAll(c.nodes());
            final NodeCpu cpu = NodeCpu.start(nodes);
            final RunResult r = new LoadRun(config, c.target("cluster " + shortName(mix), config.concurrency()),
                System.err).run();
            final List<Double> seconds = cpu.seconds();
            if (floors != null && r.passed()) {
                floors.add(String.format(Locale.ROOT, "round %d, %s: %s", round, name(mix), replayFloor(c, r.events())));
            }
            return new Row(round, mix, r, nodes.stream().map(NodeProcess::name).toList(), seconds);
        }
    }

    /** A late fan-out node's CPU to catch up on the whole topic, minus one's on an empty topic; per million events. */
    private static String replayFloor(LocalCluster c, long events) {
        final double full = startedCpu(c, "late-full", LocalCluster.TOPIC);
        final String empty = "followermaze.empty";
        DevBroker.createTopic(c.bootstrap(), empty, 1, Map.of());
        final double none = startedCpu(c, "late-empty", empty);
        return String.format(Locale.ROOT, "replay floor: a fan-out node with no clients caught up on %,d events in "
                + "%.2f CPU s, on an empty topic in %.2f: %.3f CPU s per million events", events, full, none,
            (full - none) / (events / 1e6));
    }

    private static double startedCpu(LocalCluster c, String name, String topic) {
        try (NodeProcess late = c.startFanout(name, topic).awaitPorts(START_LIMIT)) {
            return late.cpuNanos() / 1e9; // its port opens once it has caught up
        }
    }

    /** "ref", "fan", "bro": the report's run column holds 12 characters. */
    private static String shortName(Mix mix) {
        return name(mix).substring(0, 3);
    }

    private static String name(Mix mix) {
        return mix.name().toLowerCase(Locale.ROOT);
    }

    private static void print(PrintWriter out, Row row) {
        final RunResult r = row.result();
        out.printf(Locale.ROOT, "round %d %-12s %s %,.0f events/s, %,.0f notifications/s,%s CPU s %s%n", row.round(),
            r.label(), r.passed() ? "PASS" : "FAIL (" + r.failure() + ")", r.eventsPerSecond(),
            r.notificationsPerSecond(), r.paced() ? String.format(Locale.ROOT, " %,d late batches,", r.lateBatches())
                : "", cpuList(row));
        out.flush();
    }

    private static String cpuList(Row row) {
        final StringBuilder b = new StringBuilder();
        for (int i = 0; i < row.names().size(); i++) {
            b.append(i == 0 ? "" : ", ").append(row.names().get(i)).append(' ')
                .append(String.format(Locale.ROOT, "%.2f", row.cpu().get(i)));
        }
        return b.toString();
    }

    /** Per round and mix: each fan-out node's CPU s against the single node's on the same stream. */
    private static String cpuTable(List<Row> rows) {
        final StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-5s %-9s %9s %9s %9s %s%n", "round",
            "mix", "single s", "broker s", "ingest s", "fan-out s (x single)"));
        for (int i = 0; i + 1 < rows.size(); i += 2) {
            final Row single = rows.get(i);
            final Row cluster = rows.get(i + 1);
            final double s = single.cpu().get(0);
            final StringBuilder fans = new StringBuilder();
            for (int k = 2; k < cluster.cpu().size(); k++) {
                fans.append(String.format(Locale.ROOT, "%.2f (%.2fx) ", cluster.cpu().get(k), cluster.cpu().get(k) / s));
            }
            b.append(String.format(Locale.ROOT, "%-5d %-9s %9.2f %9.2f %9.2f %s%n", single.round(),
                name(single.mix()), s, cluster.cpu().get(0), cluster.cpu().get(1), fans.toString().trim()));
        }
        return b.toString();
    }
}
