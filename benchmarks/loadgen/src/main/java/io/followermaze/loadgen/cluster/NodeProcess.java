package io.followermaze.loadgen.cluster;

import io.followermaze.loadgen.probe.ProcProbe;
import io.followermaze.server.StartLines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One child JVM of the cluster (a {@code serve} node or the dev broker), its output in a log file; started when its
 * ready line (with the ports the OS chose) is in that file. {@link #close()} stops it: SIGTERM, then SIGKILL after a
 * few seconds, so nothing outlives the parent's tear-down.
 */
public final class NodeProcess implements AutoCloseable {
    static final Pattern BROKER_READY = Pattern.compile("dev-broker ready on (\\S+:\\d+)");
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final String name;
    private final Process process;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private int eventPort = -1;
    private int clientPort = -1;
    private int metricsPort = -1;
    private String bootstrap;

    private NodeProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** {@code serve} on loopback, ports from the OS, no status line; {@code args} chooses the role. Not yet ready. */
    public static NodeProcess serve(String name, NodeLauncher launcher, List<String> args, Path log) {
        return start(name, launcher.serve(args), log);
    }

    /** Waits for the node's ports (a fan-out node opens its client port once it has caught up with the log). */
    public NodeProcess awaitPorts(Duration limit) {
        awaitLine(limit, StartLines.PORTS, StartLines.METRICS);
        final Matcher ports = find(StartLines.PORTS);
        eventPort = StartLines.port(ports, 1);
        clientPort = StartLines.port(ports, 2);
        metricsPort = StartLines.port(find(StartLines.METRICS), 1);
        return this;
    }

    /** {@code dev-broker} in its own JVM (so that its CPU is its own), port from the OS. */
    static NodeProcess broker(NodeLauncher launcher, Path dir, Path log, Duration limit) {
        final NodeProcess node = start("broker", launcher.devBroker(dir), log);
        node.awaitLine(limit, BROKER_READY);
        node.bootstrap = node.find(BROKER_READY).group(1);
        return node;
    }

    private static NodeProcess start(String name, List<String> command, Path log) {
        // the launcher's FOLLOWERMAZE_SERVER_JAR/_OPTS pass through: serve knows them as launcher variables
        final ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        try {
            return new NodeProcess(name, pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    /** Waits until every pattern has a line in the log; fails with the log's tail if the process ends first. */
    private void awaitLine(Duration limit, Pattern... patterns) {
        final long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            boolean all = true;
            for (Pattern p : patterns) {
                all &= find(p) != null;
            }
            if (all) {
                return;
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                close();
                throw new IllegalStateException(name + (process.isAlive() ? " not ready within " + limit
                    : " exited at start") + "; its log " + log + " ends:\n" + tail(20));
            }
            try {
                Thread.sleep(50); // polling a child's log file: nothing to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException("interrupted while starting " + name, e);
            }
        }
    }

    private Matcher find(Pattern p) {
        for (String line : lines()) {
            final Matcher m = p.matcher(line);
            if (m.find()) {
                return m;
            }
        }
        return null;
    }

    private List<String> lines() {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The last {@code n} lines of its output. */
    public String tail(int n) {
        final List<String> all = lines();
        return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
    }

    /** A Prometheus series' value from its {@code /metrics}, or NaN when absent or not answering. */
    public double metric(String series) {
        try {
            final String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort
                + "/metrics")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            final Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE)
                .matcher(body);
            return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    /** utime + stime so far, in nanoseconds (/proc). */
    public long cpuNanos() {
        return new ProcProbe(process.pid()).sample().cpuNanos();
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** "up", or how it ended: "exit 70", "exit 137 (signal 9)". */
    public String state() {
        return process.isAlive() ? "up" : ended(process.exitValue());
    }

    static String ended(int status) {
        return "exit " + status + (status > 128 ? " (signal " + (status - 128) + ")" : "");
    }

    public int eventPort() {
        return eventPort;
    }

    public int clientPort() {
        return clientPort;
    }

    /** The dev broker's host:port. */
    public String bootstrap() {
        return bootstrap;
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy(); // SIGTERM: the node's shutdown hook closes its sockets and Kafka clients
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
