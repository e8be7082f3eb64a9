package io.followermaze.loadgen.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * CPU seconds each node spent between {@link #start} and {@link #report}, with what its metrics say it did. A node
 * that is gone (killed, crashed) has no CPU figure left to read: it shows a dash and how it ended, never a number
 * made up from a missing reading.
 */
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

    /** CPU seconds of each node since {@link #start}, in the order given; NaN for a node that could not be read. */
    public List<Double> seconds() {
        final List<Double> s = new ArrayList<>();
        for (int i = 0; i < before.length; i++) {
            s.add(elapsedSeconds(before[i], nodes.get(i).cpuNanos()));
        }
        return s;
    }

    /** {@code after - before} in seconds, or NaN if either reading failed (negative: the process is gone). */
    static double elapsedSeconds(long beforeNanos, long afterNanos) {
        return beforeNanos < 0 || afterNanos < 0 ? Double.NaN : (afterNanos - beforeNanos) / 1e9;
    }

    /** One line per node: pid, port, CPU s since start, events released, notifications sent, and whether it runs. */
    public String report() {
        final StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-10s %8s %6s %8s %14s %14s  %s%n",
            "node", "pid", "port", "cpu s", "released", "notifications", "state"));
        final List<Double> cpu = seconds();
        for (int i = 0; i < nodes.size(); i++) {
            final NodeProcess n = nodes.get(i);
            b.append(row(n.name(), n.pid(), Math.max(n.eventPort(), n.clientPort()), cpu.get(i),
                n.metric("followermaze_events_released_total"), n.metric("followermaze_notifications_sent_total"),
                n.state()));
        }
        return b.toString();
    }

    static String row(String name, long pid, int port, double cpuSeconds, double released, double notifications,
                      String state) {
        return String.format(Locale.ROOT, "%-10s %8d %6d %8s %14s %14s  %s%n", name, pid, port,
            Double.isNaN(cpuSeconds) ? "—" : String.format(Locale.ROOT, "%.2f", cpuSeconds), count(released),
            count(notifications), state);
    }

    /** A counter as {@code 1,000,000}, or a dash for a node without it (ingest has no pipeline). */
    static String count(double value) {
        return Double.isNaN(value) ? "—" : String.format(Locale.ROOT, "%,.0f", value);
    }
}
