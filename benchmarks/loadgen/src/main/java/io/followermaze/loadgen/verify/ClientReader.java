package io.followermaze.loadgen.verify;

import io.followermaze.loadgen.RunControl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One thread reading a share of the client connections through one selector. With verification on, every
 * read goes through the client's {@link ClientVerifier}; periodically it checks that no client has waited
 * longer than the timeout for its next expected notification. Once the source is done it reports itself
 * drained when every client has received everything published to it. Without verification (null server
 * runs) it just reads and discards.
 */
public final class ClientReader implements Runnable {
    /** One connection and its verifier (null when not verifying). */
    public record Client(SocketChannel channel, int userId, ClientVerifier verifier) {
    }

    private static final int READ_BUFFER_BYTES = 64 * 1024;

    private final RunControl control;
    private final LatencyRecorder recorder;
    private final long timeoutNanos;
    private final long scanIntervalNanos;
    private final boolean watchSource;
    private final Selector selector;
    private final ClientState[] states;
    private volatile boolean stop;
    private volatile long linesVerified;

    private boolean drainCounted;
    private int undrained = -1;
    private long lastEventsSent = -1;
    private long sourceStalledSince;

    private static final class ClientState {
        final Client client;
        long pendingSince;
        boolean drained;

        ClientState(Client client) {
            this.client = client;
        }
    }

    /**
     * @param recorder    latency samples; null when not verifying
     * @param watchSource whether this reader also fails the run when the source makes no progress for the
     *                    timeout (one reader per run does)
     */
    public ClientReader(List<Client> clients, RunControl control, LatencyRecorder recorder, long timeoutMillis,
                        boolean watchSource) throws IOException {
        this.control = control;
        this.recorder = recorder;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.scanIntervalNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(timeoutNanos / 10,
            TimeUnit.MILLISECONDS.toNanos(100)));
        this.watchSource = watchSource;
        this.selector = Selector.open();
        this.states = new ClientState[clients.size()];
        for (int i = 0; i < states.length; i++) {
            states[i] = new ClientState(clients.get(i));
            final SocketChannel ch = clients.get(i).channel();
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ, states[i]);
        }
    }

    private boolean verifying() {
        return recorder != null;
    }

    /** Notifications verified so far by this reader (for progress lines). */
    public long linesVerified() {
        return linesVerified;
    }

    /** Wakes the reader to look at the run state now (e.g. the source just finished). */
    public void wakeup() {
        selector.wakeup();
    }

    /** Asks the thread to finish after its current pass. */
    public void stop() {
        stop = true;
        selector.wakeup();
    }

    public void addLatenciesTo(org.HdrHistogram.Histogram total) {
        if (recorder != null) {
            recorder.addTo(total);
        }
    }

    /** Paced runs: adds this reader's per-second latencies; call after the thread has ended. */
    public void addLatenciesTo(LatencyBySecond total) {
        if (recorder != null && recorder.paced()) {
            recorder.addTo(total);
        }
    }

    @Override
    public void run() {
        try {
            loop();
        } catch (RunControl.Aborted e) {
            // the run failed elsewhere
        } catch (IOException | RuntimeException e) {
            if (!stop) {
                control.fail("client reader failed: " + e);
            }
        } finally {
            control.addCurrentThreadCpu();
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing a selector of a finished run
            }
        }
    }

    private void loop() throws IOException {
        final ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
        final long pollMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(scanIntervalNanos));
        long lastScan = System.nanoTime();
        while (!stop && !control.failed()) {
            selector.select(pollMillis);
            final long now = System.nanoTime();
            long lines = 0;
            final Iterator<SelectionKey> it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                final SelectionKey key = it.next();
                it.remove();
                final long read = readAll(key, buffer, now);
                if (read < 0) {
                    return;
                }
                lines += read;
            }
            if (lines > 0) {
                linesVerified += lines;
            }
            if (verifying() && !drainCounted && control.isGenerationDone()) {
                countUndrained(now);
            }
            if (now - lastScan >= scanIntervalNanos) {
                lastScan = now;
                if (verifying() && !checkTimeouts(now) || watchSource && !checkSource(now)) {
                    return;
                }
            }
        }
    }

    /**
     * Reads and verifies everything a ready client has.
     *
     * @return notification lines verified, or -1 if the run has failed
     */
    private long readAll(SelectionKey key, ByteBuffer buffer, long now) throws IOException {
        final ClientState state = (ClientState) key.attachment();
        final Client c = state.client;
        final ClientVerifier v = c.verifier();
        final long before = verifying() ? v.linesVerified() : 0;
        int n;
        while ((n = c.channel().read(buffer.clear())) > 0) {
            if (verifying()) {
                final String failure = v.onBytes(buffer.array(), 0, n, now, recorder);
                if (failure != null) {
                    control.fail(failure);
                    return -1;
                }
            }
            if (n < buffer.capacity()) {
                break;
            }
        }
        if (n < 0) {
            key.cancel();
            if (!stop) {
                final String partial = verifying() ? v.failureSoFar(now, 0) : null;
                control.fail(partial != null ? partial : "user " + c.userId() + ": server closed the connection; "
                    + (verifying() ? v.awaitedLine() : "no verification"));
                return -1;
            }
        }
        if (!verifying()) {
            return 0;
        }
        if (drainCounted && !state.drained && v.pendingBytes() == 0) {
            markDrained(state, now);
        }
        return v.linesVerified() - before;
    }

    /** Fails the run if the source has made no progress for the timeout; returns false if it did. */
    private boolean checkSource(long now) {
        if (control.isGenerationDone() || control.streamingStartNanos() == 0) {
            return true;
        }
        final long sent = control.eventsSent();
        if (sent != lastEventsSent) {
            lastEventsSent = sent;
            sourceStalledSince = now;
            return true;
        }
        if (now - sourceStalledSince <= timeoutNanos) {
            return true;
        }
        control.fail("event source stalled: the server accepted no events for "
            + TimeUnit.NANOSECONDS.toMillis(now - sourceStalledSince) + " ms after " + sent + " events");
        return false;
    }

    private void countUndrained(long now) {
        drainCounted = true;
        undrained = states.length;
        for (ClientState s : states) {
            if (s.client.verifier().pendingBytes() == 0) {
                markDrained(s, now);
            }
        }
        if (states.length == 0) {
            control.readerDrained(now);
        }
    }

    private void markDrained(ClientState s, long now) {
        s.drained = true;
        if (--undrained == 0) {
            control.readerDrained(now);
        }
    }

    /** Fails the run if a client has waited too long for its next notification; returns false if one has. */
    private boolean checkTimeouts(long now) {
        for (ClientState s : states) {
            final ClientVerifier v = s.client.verifier();
            final String partial = v.failureSoFar(now, scanIntervalNanos);
            if (partial != null) {
                control.fail(partial);
                return false;
            }
            if (v.pendingBytes() == 0) {
                s.pendingSince = 0;
                continue;
            }
            if (s.pendingSince == 0) {
                s.pendingSince = now;
            }
            final long waitingSince = Math.max(s.pendingSince, v.lastProgressNanos());
            if (now - waitingSince > timeoutNanos) {
                control.fail("user " + v.userId() + ": no notification for "
                    + TimeUnit.NANOSECONDS.toMillis(now - waitingSince) + " ms (timeout "
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms); " + v.awaitedLine());
                return false;
            }
        }
        return true;
    }
}
