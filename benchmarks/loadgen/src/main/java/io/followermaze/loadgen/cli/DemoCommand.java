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
import io.followermaze.loadgen.probe.ThreadCpuProbe;
import io.followermaze.loadgen.stream.Mix;
import io.followermaze.pipeline.Pipeline;
import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code demo}: the whole system on one command. Starts a server in this JVM on free loopback ports, waits
 * until it has registered every client (no settle guess), plays and verifies the stream, prints the report
 * and PASS or FAIL. With {@code --cluster N}: a dev broker in this JVM, one ingest node and N fan-out nodes as
 * child processes of the server jar, the clients spread over the N client ports; every process is stopped at the
 * end, on failure and on Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
    description = "Start a server in-process, run the verified load against it, print the report and PASS/FAIL.",
    exitCodeListHeading = "Exit codes:%n", exitCodeList = {"0:PASS", "1:FAIL", "2:invalid options"})
public final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--total-events", paramLabel = "N", description = "Events to send.")
    long totalEvents = 1_000_000;

    @Option(names = "--concurrency-level", paramLabel = "N", description = "Connected clients.")
    int concurrency = LoadgenConfig.DEFAULT_CONCURRENCY;

    @Option(names = "--number-of-users", paramLabel = "N", description = "Users; 0 means concurrency-level x 10.")
    int users;

    @Option(names = "--max-event-source-batch-size", paramLabel = "N", description = "Largest shuffled batch.")
    int maxBatch = LoadgenConfig.DEFAULT_MAX_BATCH;

    @Option(names = "--mix", paramLabel = "MIX", description = "reference, fanout or broadcast.")
    Mix mix = Mix.REFERENCE;

    @Option(names = "--random-seed", paramLabel = "SEED", description = "Seed of the stream.")
    long seed = LoadgenConfig.DEFAULT_SEED;

    @Option(names = "--timeout", paramLabel = "MS", description = "Longest wait for a client's next notification.")
    long timeoutMillis = LoadgenConfig.DEFAULT_TIMEOUT_MILLIS;

    @Option(names = "--log-interval", paramLabel = "MS", description = "Progress line period on stderr; 0 for none.")
    long logIntervalMillis = LoadgenConfig.DEFAULT_LOG_INTERVAL_MILLIS;

    @Option(names = "--cluster", paramLabel = "N", description = "0: one server in this JVM. N > 0: a dev broker in"
        + " this JVM, one ingest node and N fan-out nodes as processes (the server jar), clients spread over the N.")
    int cluster;

    @Option(names = "--partitions", paramLabel = "P", description = "With --cluster: partitions of the topic.")
    int partitions = 1;

    @Override
    public Integer call() throws Exception {
        final LoadgenConfig config;
        try {
            config = LoadgenConfig.builder().totalEvents(totalEvents).concurrency(concurrency).users(users)
                .maxBatch(maxBatch).mix(mix).seed(seed).timeoutMillis(timeoutMillis)
                .logIntervalMillis(logIntervalMillis).build();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("Invalid options: " + e.getMessage());
            return 2;
        }
        final PrintWriter out = spec.commandLine().getOut();
        if (cluster < 0 || partitions < 1) {
            spec.commandLine().getErr().println("Invalid options: --cluster must be >= 0 and --partitions >= 1");
            return 2;
        }
        if (cluster > 0) {
            return runCluster(config, out);
        }
        final RunResult result;
        final FollowerMazeServer server = new FollowerMazeServer(ServerConfig.ephemeral()).start();
        try {
            out.println(LoadgenCommand.describe(config));
            out.flush();
            try {
                result = new LoadRun(config, inProcess(server, config.concurrency()), System.err).run();
            } catch (IOException e) {
                out.println("FAIL: " + e);
                out.flush();
                return 1;
            }
            final Pipeline p = server.pipeline();
            out.printf("server: %,d events released, %,d notifications delivered, %,d lines rejected,"
                    + " %d slow consumers cut off%n", p.stats().released(), p.stats().notificationsDelivered(), p.stats().rejectedTotal(),
                server.slowConsumersCutOff());
        } finally {
            server.close();
        }
        out.print(ReportTable.format(List.of(result)));
        out.println("server cpu: " + new ThreadCpuProbe("followermaze-").describe());
        out.println(result.passed() ? "PASS" : "FAIL");
        out.flush();
        return result.passed() ? 0 : 1;
    }

    private int runCluster(LoadgenConfig config, PrintWriter out) throws InterruptedException {
        DevBrokerCommand.quietKafkaLogs();
        final NodeLauncher launcher = NodeLauncher.fromEnvironment();
        out.printf("cluster: dev broker in this JVM, ingest + %d fan-out node(s) as processes of %s%n", cluster,
            launcher.describe());
        out.flush();
        RunResult result = null;
        try (LocalCluster c = LocalCluster.start(launcher, cluster, partitions, false, List.of())) {
            out.printf("cluster: broker %s, topic %s (%d partition(s)), ingest on %d, fan-out client ports %s%n",
                c.bootstrap(), LocalCluster.TOPIC, partitions, c.nodes().get(0).eventPort(),
                c.fanouts().stream().map(NodeProcess::clientPort).toList());
            out.println(LoadgenCommand.describe(config));
            out.flush();
            final NodeCpu cpu = NodeCpu.start(c.nodes());
            try {
                result = new LoadRun(config, c.target("cluster", config.concurrency()), System.err).run();
            } catch (IOException e) {
                out.println("FAIL: " + e);
            }
            out.print(cpu.report());
            if (result == null || !result.passed()) {
                for (NodeProcess n : c.nodes()) {
                    out.printf("--- %s log (last lines) ---%n%s%n", n.name(), n.tail(15));
                }
            }
        } catch (IllegalStateException e) {
            out.println("FAIL: the cluster did not start: " + e.getMessage());
        }
        if (result != null) {
            out.print(ReportTable.format(List.of(result)));
        }
        final boolean passed = result != null && result.passed();
        out.println(passed ? "PASS" : "FAIL");
        out.flush();
        return passed ? 0 : 1;
    }

    /** A target for a server in this JVM: ready once it has registered every client; CPU of its threads. */
    public static Target inProcess(FollowerMazeServer server, int clients) {
        final long registeredBefore = server.pipeline().stats().registrations();
        return new Target("server", "127.0.0.1", server.eventPort(), server.clientPort(),
            () -> server.pipeline().stats().registrations() - registeredBefore >= clients, null,
            new ThreadCpuProbe("followermaze-"));
    }
}
