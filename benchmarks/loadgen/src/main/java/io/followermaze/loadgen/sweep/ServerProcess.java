package io.followermaze.loadgen.sweep;

import io.followermaze.loadgen.Target;
import io.followermaze.loadgen.probe.ProcProbe;

import io.followermaze.server.StartLines;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;

/**
 * A server process started for one rate of a sweep ({@code --server-cmd}): the command, one command with its
 * arguments, runs under {@code /bin/sh -c "exec CMD"} (so the server is the process whose CPU and memory are
 * probed; the launcher execs java too; wrap a compound command in {@code sh -c "..."}), its ports are
 * learnt from its "events on HOST:P, clients on HOST:Q" log line (start it with port 0), and {@link #close()}
 * stops it with SIGTERM, then SIGKILL after a grace period. Its output is drained all along; the last
 * {@link #TAIL_LINES} lines are kept for the failure message.
 */
public final class ServerProcess implements AutoCloseable {
    static final int TAIL_LINES = 40;
    private static final long STOP_GRACE_SECONDS = 20;

    private final Process process;
    private final ArrayDeque<String> tail = new ArrayDeque<>();
    private final CompletableFuture<int[]> ports = new CompletableFuture<>();
    private final CompletableFuture<Integer> metricsPort = new CompletableFuture<>();
    private final Thread drain;

    private ServerProcess(Process process) {
        this.process = process;
        this.drain = new Thread(this::drain, "sweep-server-output");
        drain.setDaemon(true);
        drain.start();
    }

    /**
     * Starts {@code command} and waits up to {@code startupMillis} for its ports, and for its metrics port too if
     * the command has {@code --metrics-port}: then the run can wait until every client is registered instead of
     * for a fixed settle time.
     */
    public static ServerProcess start(String command, long startupMillis) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(List.of("/bin/sh", "-c", "exec " + command)).redirectErrorStream(true)
            .start();
        final ServerProcess s = new ServerProcess(p);
        try {
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(startupMillis);
            s.ports.get(startupMillis, TimeUnit.MILLISECONDS);
            if (command.contains("--metrics-port")) {
                s.metricsPort.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            return s;
        } catch (ExecutionException | TimeoutException e) {
            s.close();
            throw new IOException((e instanceof TimeoutException ? "server command printed no \"events on HOST:P,"
                + " clients on HOST:Q\" line within " + startupMillis + " ms" : e.getCause().getMessage())
                + "; its last output:\n" + s.tail());
        }
    }

    /** The ports in one log line, or null if the line is not the "listening" line of a server with both ports. */
    static int[] parsePorts(String line) {
        final Matcher m = StartLines.PORTS.matcher(line);
        if (!m.find() || m.group(1) == null || m.group(2) == null) {
            return null;
        }
        return new int[] {StartLines.port(m, 1), StartLines.port(m, 2)};
    }

    public int eventPort() {
        return ports.join()[0];
    }

    public int clientPort() {
        return ports.join()[1];
    }

    /**
     * The run's target: this process's ports, CPU and memory; ready once {@code clients} are registered if it
     * serves metrics, else after the run's settle time.
     */
    public Target target(String host, int clients) {
        final int metrics = metricsPort();
        return new Target("server", host, eventPort(), clientPort(),
            metrics < 0 ? null : new RegistrationProbe(host, metrics, clients), null, new ProcProbe(pid()));
    }

    /** The metrics port from its "Metrics on http://HOST:PORT/metrics" line, or -1 if none was seen. */
    public int metricsPort() {
        return metricsPort.isDone() && !metricsPort.isCompletedExceptionally() ? metricsPort.join() : -1;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** The last lines the server printed. */
    public String tail() {
        synchronized (tail) {
            return String.join("\n", tail);
        }
    }

    private void drain() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (tail) {
                    if (tail.size() == TAIL_LINES) {
                        tail.removeFirst();
                    }
                    tail.addLast(line);
                }
                if (!ports.isDone()) {
                    final int[] p = parsePorts(line);
                    if (p != null) {
                        ports.complete(p);
                    }
                } else if (!metricsPort.isDone()) {
                    final Matcher m = StartLines.METRICS.matcher(line);
                    if (m.find()) {
                        metricsPort.complete(StartLines.port(m, 1));
                    }
                }
            }
        } catch (IOException e) {
            // the process ended; what it printed is in the tail
        } finally {
            final IOException ended = new IOException("server command ended (exit "
                + (process.isAlive() ? "?" : process.exitValue()) + ") before listening");
            ports.completeExceptionally(ended);
            metricsPort.completeExceptionally(ended);
        }
    }

    /** SIGTERM (a graceful stop), SIGKILL if it has not ended within the grace period; its children too. */
    @Override
    public void close() throws InterruptedException {
        final List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS);
        }
        children.forEach(ProcessHandle::destroyForcibly);
        drain.join(TimeUnit.SECONDS.toMillis(5));
    }
}
