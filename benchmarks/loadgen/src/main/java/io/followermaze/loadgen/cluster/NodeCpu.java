package io.followermaze.loadgen.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** CPU seconds each node spent between {@link #start} and {@link #report}, with what its metrics say it did. */
public final class NodeCpu {
    private final List<NodeProcess> nodes;
    private final long[] before;

    private NodeCpu(List<NodeProcess> nodes) {
        this.nodes = List.copyOf(nodes);
        this.before = new long[nodes.size()];
        for (int i = 0; i < before.length; i++) {
            before[i] = this.nodes.get(i).cpuNanos();
        }
    }

    public static NodeCpu start(List<NodeProcess> nodes) {
        return new NodeCpu(nodes);
    }

    /** CPU seconds of each node since {@link #start}, in the order given. */
    public List<Double> seconds() {
        final List<Double> s = new ArrayList<>();
        for (int i = 0; i < before.length; i++) {
            s.add((nodes.get(i).cpuNanos() - before[i]) / 1e9);
        }
        return s;
    }

    /** One line per node: pid, port, CPU s since start, events released and notifications sent. */
    public String report() {
        final StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-10s %8s %6s %8s %14s %14s%n",
            "node", "pid", "port", "cpu s", "released", "notifications"));
        final List<Double> cpu = seconds();
        for (int i = 0; i < nodes.size(); i++) {
            final NodeProcess n = nodes.get(i);
            b.append(String.format(Locale.ROOT, "%-10s %8d %6d %8.2f %14s %14s%n", n.name(), n.pid(),
                Math.max(n.eventPort(), n.clientPort()), cpu.get(i), count(n.metric("followermaze_events_released_total")),
                count(n.metric("followermaze_notifications_sent_total"))));
        }
        return b.toString();
    }

    /** A counter as {@code 1,000,000}, or a dash for a node without it (ingest has no pipeline). */
    static String count(double value) {
        return Double.isNaN(value) ? "—" : String.format(Locale.ROOT, "%,.0f", value);
    }
}
