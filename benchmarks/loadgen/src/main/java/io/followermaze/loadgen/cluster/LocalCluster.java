package io.followermaze.loadgen.cluster;

import io.followermaze.loadgen.Target;
import io.followermaze.loadgen.kafka.DevBroker;
import io.followermaze.loadgen.probe.ServerProbe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A dev broker, one ingest node and N fan-out nodes on this machine, in a temporary directory. The broker runs in
 * this JVM ({@code demo}) or as a child process of its own ({@code cluster-bench}: its CPU then is its own); the
 * nodes are always child processes. {@link #close()} stops every one and deletes the directory; a shutdown hook does
 * the same on Ctrl-C, so no node outlives this JVM (except after SIGKILL of this JVM, which runs no hook).
 */
public final class LocalCluster implements AutoCloseable {
    public static final String TOPIC = "followermaze.events";
    private static final Duration START_LIMIT = Duration.ofSeconds(120);

    private final Path dir;
    private final Thread hook = new Thread(this::close, "cluster-teardown");
    private final List<NodeProcess> fanouts = new ArrayList<>();
    private final NodeLauncher launcher;
    private final List<String> nodeArgs;
    private DevBroker inProcessBroker;
    private NodeProcess brokerProcess;
    private NodeProcess ingest;
    private String bootstrap;
    private boolean closed;

    private LocalCluster(NodeLauncher launcher, List<String> nodeArgs, Path dir) {
        this.launcher = launcher;
        this.nodeArgs = List.copyOf(nodeArgs);
        this.dir = dir;
    }

    /**
     * Starts the broker, creates the topic with {@code partitions} partitions, then the ingest node and
     * {@code fanouts} fan-out nodes (each also given {@code nodeArgs}, e.g. {@code --kafka-client-config FILE}),
     * and waits until every node has opened its port.
     */
    public static LocalCluster start(NodeLauncher launcher, int fanouts, int partitions, boolean brokerProcess,
                                     List<String> nodeArgs) {
        final LocalCluster c;
        try {
            c = new LocalCluster(launcher, nodeArgs, Files.createTempDirectory("followermaze-cluster-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(c.hook);
        try {
            c.startAll(fanouts, partitions, brokerProcess);
            return c;
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    private void startAll(int n, int partitions, boolean brokerAsProcess) {
        if (brokerAsProcess) {
            brokerProcess = NodeProcess.broker(launcher, dir.resolve("kafka"), dir.resolve("broker.log"), START_LIMIT);
            bootstrap = brokerProcess.bootstrap();
        } else {
            inProcessBroker = DevBroker.start(dir.resolve("kafka"), 0);
            bootstrap = inProcessBroker.bootstrap();
        }
        DevBroker.createTopic(bootstrap, TOPIC, partitions, Map.of());
        ingest = NodeProcess.serve("ingest", launcher, role("ingest", TOPIC), dir.resolve("ingest.log"));
        for (int i = 1; i <= n; i++) {
            fanouts.add(startFanout("fanout-" + i, TOPIC)); // started together: they catch up and warm up side by side
        }
        ingest.awaitPorts(START_LIMIT);
        for (NodeProcess f : fanouts) {
            f.awaitPorts(START_LIMIT);
        }
    }

    /** One more fan-out node on the same topic, not waited for (a late joiner catches up before its port opens). */
    public NodeProcess startFanout(String name, String topic) {
        return NodeProcess.serve(name, launcher, role("fanout", topic), dir.resolve(name + ".log"));
    }

    private List<String> role(String role, String topic) {
        final List<String> args = new ArrayList<>(List.of("--role", role, "--kafka-bootstrap", bootstrap,
            "--kafka-topic", topic));
        args.addAll(nodeArgs);
        return args;
    }

    /** The load generator's view: events to the ingest node, clients round robin over the fan-out nodes. */
    public Target target(String label, int clients) {
        final List<Integer> ports = fanouts.stream().map(NodeProcess::clientPort).toList();
        return new Target(label, "127.0.0.1", ingest.eventPort(), ports.get(0),
            () -> connected() >= clients, null, new NodesProbe(nodes()), ports);
    }

    /** Clients registered over all fan-out nodes (their {@code /metrics}). */
    private long connected() {
        long sum = 0;
        for (NodeProcess f : fanouts) {
            final double v = f.metric("followermaze_clients_connected");
            sum += Double.isNaN(v) ? 0 : (long) v;
        }
        return sum;
    }

    /** Ingest, then the fan-out nodes. */
    public List<NodeProcess> nodes() {
        final List<NodeProcess> all = new ArrayList<>();
        all.add(ingest);
        all.addAll(fanouts);
        return all;
    }

    public List<NodeProcess> fanouts() {
        return List.copyOf(fanouts);
    }

    /** The broker's process, or null when it runs in this JVM. */
    public NodeProcess brokerProcess() {
        return brokerProcess;
    }

    public String bootstrap() {
        return bootstrap;
    }

    public Path dir() {
        return dir;
    }

    /** Stops every node, then the broker, and deletes the directory; idempotent, also the Ctrl-C hook. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (NodeProcess f : fanouts) {
            f.close();
        }
        if (ingest != null) {
            ingest.close(); // flushes its producer while the broker still runs
        }
        if (brokerProcess != null) {
            brokerProcess.close();
        }
        if (inProcessBroker != null) {
            inProcessBroker.close();
        }
        delete(dir);
        if (Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already exiting: the hook runs and finds everything closed
            }
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }

    /** CPU of the nodes together (the loadgen's "srv cpu s"); peak RSS of the largest. */
    private record NodesProbe(List<NodeProcess> nodes) implements ServerProbe {
        @Override
        public Sample sample() {
            long cpu = 0;
            for (NodeProcess n : nodes) {
                final long c = n.cpuNanos();
                if (c < 0) {
                    return new Sample(-1, -1); // a node is gone: its CPU can not be read, so the sum is unknown
                }
                cpu += c;
            }
            return new Sample(cpu, -1);
        }

        @Override
        public String describe() {
            return "utime+stime of the ingest and fan-out processes together (/proc)";
        }
    }
}
