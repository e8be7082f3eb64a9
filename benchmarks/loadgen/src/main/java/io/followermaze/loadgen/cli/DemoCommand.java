package io.followermaze.loadgen.cli;

import io.followermaze.loadgen.LoadRun;
import io.followermaze.loadgen.LoadgenConfig;
import io.followermaze.loadgen.ReportTable;
import io.followermaze.loadgen.RunResult;
import io.followermaze.loadgen.Target;
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
 * and PASS or FAIL.
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

    /** A target for a server in this JVM: ready once it has registered every client; CPU of its threads. */
    public static Target inProcess(FollowerMazeServer server, int clients) {
        final long registeredBefore = server.pipeline().stats().registrations();
        return new Target("server", "127.0.0.1", server.eventPort(), server.clientPort(),
            () -> server.pipeline().stats().registrations() - registeredBefore >= clients, null,
            new ThreadCpuProbe("followermaze-"));
    }
}
