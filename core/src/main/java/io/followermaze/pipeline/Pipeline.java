package io.followermaze.pipeline;

import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.followermaze.graph.FollowerGraph;
import io.followermaze.metrics.Counter;
import io.followermaze.protocol.Event;
import io.followermaze.protocol.ParseOutcome;
import io.followermaze.session.ClientSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The Disruptor pipeline: any number of producers (event-source connections, client connections) publish
 * into one multi-producer ingress ring; one consumer thread parses, resequences, updates the graph and
 * routes, and at each batch end lets the egress hand the batch's bytes to the network.
 *
 * <pre>
 *  source reads ──(chunks of lines)──┐
 *  client register/unregister ───────┼─► ingress ring ─► [parse → resequence → graph → route] ─► sessions
 *                                    ┘   (arrival order)            one thread                 (batch end)
 * </pre>
 */
public final class Pipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    private final PipelineConfig config;
    private final Disruptor<IngressEntry> disruptor;
    private final RingBuffer<IngressEntry> ring;
    private final IngressConsumer consumer;
    private final ScheduledExecutorService ticker;
    private static final long FULL_RING_PARK_NANOS = 10_000;
    private volatile boolean closing;
    private volatile boolean stopped;
    /** Written once by the pipeline thread when an {@link Error} ends it; read by health checks and shutdown. */
    private volatile Throwable failure;
    private final Consumer<Throwable> onFatal;
    /** Heap given back when a fatal error strikes, so the last log line and the exit can still allocate. */
    @SuppressWarnings("unused")
    private volatile byte[] emergencyReserve = new byte[256 * 1024];

    /** A pipeline whose thread is a plain daemon thread. */
    public Pipeline(PipelineConfig config, EgressListener egress) {
        this(config, egress, r -> {
            final Thread t = new Thread(r, "followermaze-pipeline");
            t.setDaemon(true);
            return t;
        });
    }

    /** A pipeline that only logs a fatal error (see {@link #Pipeline(PipelineConfig, EgressListener, ThreadFactory, Consumer)}). */
    public Pipeline(PipelineConfig config, EgressListener egress, ThreadFactory threadFactory) {
        this(config, egress, threadFactory, ex -> { });
    }

    /**
     * @param threadFactory makes the one pipeline thread; the server passes one that makes Netty
     *                      {@code FastThreadLocalThread}s so that buffer allocation there uses thread caches
     * @param onFatal       told (on the pipeline thread, after one ERROR line) when an {@link Error} such as
     *                      {@code OutOfMemoryError} ends the pipeline: its state can no longer be trusted, so the
     *                      pipeline stops for good and the process should exit (crash-only; see the server)
     */
    public Pipeline(PipelineConfig config, EgressListener egress, ThreadFactory threadFactory,
                    Consumer<Throwable> onFatal) {
        this.config = config;
        this.onFatal = onFatal;
        this.consumer = new IngressConsumer(config, egress);

        final int chunkBytes = config.chunkBytes();
        this.disruptor = new Disruptor<>(() -> new IngressEntry(chunkBytes), config.ringSize(), threadFactory,
            ProducerType.MULTI, config.newWaitStrategy());
        disruptor.handleEventsWith(consumer);
        disruptor.setDefaultExceptionHandler(new KeepAliveExceptionHandler());
        this.ring = disruptor.start();
        this.ticker = config.gapTimeoutMillis() > 0 ? startTicker(Math.max(1, config.gapTimeoutMillis() / 4)) : null;
    }

    /** While a gap timeout is set, wakes the pipeline now and then so the timeout fires even without input. */
    private ScheduledExecutorService startTicker(long periodMillis) {
        final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "followermaze-pipeline-tick");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> {
            final long seq = tryClaim();
            if (seq >= 0) { // a full ring needs no tick: the pipeline is busy and checks at every batch end
                try {
                    ring.get(seq).tick();
                } finally {
                    ring.publish(seq);
                }
            }
        }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        return timer;
    }

    /**
     * An exception in one entry is logged and counted, and the pipeline goes on with the next entry. An
     * {@link Error} (out of memory, a JVM fault) is fatal: half-applied state can not be trusted, so the pipeline
     * stops taking input, reports DOWN ({@link #isRunning()}), tells {@code onFatal} and ends its thread.
     */
    private final class KeepAliveExceptionHandler implements ExceptionHandler<IngressEntry> {
        @Override
        public void handleEventException(Throwable ex, long sequence, IngressEntry entry) {
            if (ex instanceof Error error) {
                // The heap may be exhausted: give back the reserve first, so that logging and exiting can allocate.
                emergencyReserve = null;
                failure = error;
                stopped = true;
                try {
                    LOG.error("FATAL: the pipeline failed on ring entry {} ({}): {}; it has stopped and takes no more "
                        + "input", sequence, entry == null ? "?" : entry.kind(), error.toString());
                } catch (Throwable ignored) {
                    // nothing more to do about a log line; onFatal must still run
                }
                try {
                    onFatal.accept(error);
                } catch (Throwable t) {
                    error.addSuppressed(t);
                }
                throw error; // ends the processor thread
            }
            consumer.processorExceptions.increment();
            LOG.error("Pipeline failed on ring entry {} ({}); continuing with the next entry", sequence,
                entry == null ? "?" : entry.kind(), ex);
        }

        @Override
        public void handleOnStartException(Throwable ex) {
            LOG.error("Pipeline failed to start", ex);
        }

        @Override
        public void handleOnShutdownException(Throwable ex) {
            LOG.error("Pipeline failed while shutting down", ex);
        }
    }

    // ---- producers (any thread) ----

    /** {@link #tryClaim()}: the ring is full right now. */
    public static final long RING_FULL = -1;
    /** {@link #tryClaim()}: the pipeline has stopped; nothing will consume the ring any more, so drop the input. */
    public static final long STOPPED = -2;

    /**
     * Claims the next ring entry without waiting. On success the caller fills {@link IngressEntry#bytes()},
     * calls {@link IngressEntry#eventLines(int)} and then MUST call {@link #publish(long)} (in a finally block).
     * Event loops use this and stop reading while the ring is full: a loop must never wait for the pipeline,
     * because the pipeline may be waiting for that loop to drain a congested client.
     *
     * @return the entry's sequence, {@link #RING_FULL} or {@link #STOPPED}
     */
    public long tryClaim() {
        if (stopped) {
            return STOPPED;
        }
        try {
            return ring.tryNext();
        } catch (InsufficientCapacityException full) {
            return RING_FULL;
        }
    }

    /** Like {@link #tryClaim()} but waits while the ring is full; for threads that are not event loops. */
    public long claim() {
        while (true) {
            final long seq = tryClaim();
            if (seq != RING_FULL) {
                return seq;
            }
            LockSupport.parkNanos(FULL_RING_PARK_NANOS);
        }
    }

    public IngressEntry entry(long sequence) {
        return ring.get(sequence);
    }

    public void publish(long sequence) {
        ring.publish(sequence);
    }

    /**
     * Publishes {@code bytes[offset, offset+length)}, whole lines, splitting into chunks as needed. Bytes after the
     * last '\n' are taken as an unfinished last line: dropped and counted as {@code TRUNCATED}, never parsed.
     */
    public void publishEventLines(byte[] bytes, int offset, int length) {
        int start = offset;
        final int end = offset + length;
        while (start < end) {
            int cut = chunkCut(bytes, start, end, config.chunkBytes());
            int next = cut;
            if (cut < 0) { // a line longer than a chunk: its first chunk goes on (rejected as too long), the rest is dropped
                cut = start + config.chunkBytes();
                next = cut;
                while (next < end && bytes[next] != '\n') {
                    next++;
                }
                next = Math.min(end, next + 1);
            }
            final long seq = claim();
            if (seq < 0) {
                return;
            }
            try {
                final IngressEntry e = ring.get(seq);
                System.arraycopy(bytes, start, e.bytes(), 0, cut - start);
                e.eventLines(cut - start);
            } finally {
                ring.publish(seq);
            }
            start = next;
        }
    }

    /**
     * Publishes a registration; it takes effect after every entry published before it.
     *
     * @return false if the ring is full (try again later); true when published or when the pipeline has stopped
     */
    public boolean tryRegister(ClientSession session) {
        return tryPublishRegistration(IngressEntry.Kind.REGISTER, session);
    }

    /** @return false if the ring is full (try again later); true when published or when the pipeline has stopped */
    public boolean tryUnregister(ClientSession session) {
        return tryPublishRegistration(IngressEntry.Kind.UNREGISTER, session);
    }

    /**
     * Where the chunk that starts at {@code start} ends: {@code end} when the rest fits in one chunk, else just after
     * the last {@code '\n'} within {@code chunkBytes}; -1 when no line ends within a chunk (an over-long line).
     */
    public static int chunkCut(byte[] bytes, int start, int end, int chunkBytes) {
        if (end - start <= chunkBytes) {
            return end;
        }
        for (int lf = start + chunkBytes - 1; lf >= start; lf--) {
            if (bytes[lf] == '\n') {
                return lf + 1;
            }
        }
        return -1;
    }

    /** Waits while the ring is full; for threads that are not event loops (tests, tools). */
    public void register(ClientSession session) {
        while (!tryRegister(session)) {
            LockSupport.parkNanos(FULL_RING_PARK_NANOS);
        }
    }

    /** Waits while the ring is full; for threads that are not event loops (tests, tools). */
    public void unregister(ClientSession session) {
        while (!tryUnregister(session)) {
            LockSupport.parkNanos(FULL_RING_PARK_NANOS);
        }
    }

    private boolean tryPublishRegistration(IngressEntry.Kind kind, ClientSession session) {
        final long seq = tryClaim();
        if (seq == RING_FULL) {
            return false;
        }
        if (seq == STOPPED) {
            return true;
        }
        try {
            ring.get(seq).registration(kind, session);
        } finally {
            ring.publish(seq);
        }
        return true;
    }

    /**
     * Processes everything already published, then stops the pipeline thread.
     *
     * @return false if it did not drain within the timeout (it is halted anyway)
     */
    public boolean drainAndStop(long timeout, TimeUnit unit) {
        if (closing) {
            return true;
        }
        closing = true;
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (failure != null) { // nothing will ever consume the ring again
            disruptor.halt();
            return false;
        }
        try {
            disruptor.shutdown(timeout, unit);
            // shutdown() returns once the ring is drained; the stage's onShutdown runs after, on its own thread
            return consumer.awaitShutdown(timeout, unit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (TimeoutException e) {
            disruptor.halt();
            return false;
        } finally {
            stopped = true;
        }
    }

    @Override
    public void close() {
        drainAndStop(10, TimeUnit.SECONDS);
    }

    // ---- observation (any thread; values are recent, not atomic snapshots) ----

    public PipelineConfig config() {
        return config;
    }

    public long linesReceived() {
        return consumer.linesReceived.get();
    }

    public long rejected(ParseOutcome reason) {
        return consumer.rejected[reason.ordinal()].get();
    }

    public long rejectedTotal() {
        long sum = 0;
        for (Counter c : consumer.rejected) {
            sum += c.get();
        }
        return sum;
    }

    public long released() {
        return consumer.resequencer().releasedCount().get();
    }

    /**
     * Last seq released in order or skipped over (0 before the first); at most 2^63-1, never wraps. Every seq up to
     * it was either released or skipped, so it is their sum (read skipped after released: a value between the
     * cursor's at the two reads).
     */
    public long lastReleasedSeq() {
        final long released = released();
        return released + consumer.resequencer().seqsSkipped().get();
    }

    /**
     * The next seq awaited, {@link #lastReleasedSeq()} + 1, as a double: after seq 2^63-1 it is 2^63 (nothing can
     * follow; every later seq is late), where a long would wrap to a negative.
     */
    public double nextSeqExpected() {
        return lastReleasedSeq() + 1.0;
    }

    public long duplicatesDropped() {
        return consumer.resequencer().duplicatesDropped().get();
    }

    public long gapsSkipped() {
        return consumer.resequencer().gapsSkipped().get();
    }

    public long seqsSkipped() {
        return consumer.resequencer().seqsSkipped().get();
    }

    public long pending() {
        return consumer.resequencer().pendingGauge().get();
    }

    /** Users in the follow graph (at most {@code maxUsers}; connection-only records are not counted). */
    public long graphUsers() {
        return consumer.graph().usersGauge().get();
    }

    /** Follow edges in the graph (at most {@code maxFollows}). */
    public long graphFollows() {
        return consumer.graph().edgesGauge().get();
    }

    /**
     * Follows the graph's budget refused (still released and delivered; only the edge is not stored).
     *
     * @param reason {@link FollowerGraph.FollowResult#REJECTED_MAX_USERS} or {@code REJECTED_MAX_FOLLOWS}
     */
    public long followsRejected(FollowerGraph.FollowResult reason) {
        return consumer.graph().rejected(reason).get();
    }

    public long notificationsDelivered() {
        return consumer.router().notificationsDelivered().get();
    }

    public long notificationsUndeliverable() {
        return consumer.router().notificationsUndeliverable().get();
    }

    public long registrations() {
        return consumer.registrations.get();
    }

    /** Client connections in the session table now. */
    public long connectedSessions() {
        return consumer.connectedSessions.get();
    }

    /** Disruptor batches processed; {@link #ringEntries()} / batches is the mean batch size. */
    public long batches() {
        return consumer.batches.get();
    }

    /** Ring entries processed (chunks of event lines and registrations). */
    public long ringEntries() {
        return consumer.entries.get();
    }

    /** True until {@link #drainAndStop} has finished or a fatal error stopped the pipeline. */
    public boolean isRunning() {
        return !stopped;
    }

    /** The {@link Error} that stopped the pipeline, or null. */
    public Throwable failure() {
        return failure;
    }

    public long processorExceptions() {
        return consumer.processorExceptions.get();
    }

    public long ringRemainingCapacity() {
        return ring.remainingCapacity();
    }

    /** Ring cursor: entries published so far minus one. */
    public long ringCursor() {
        return ring.getCursor();
    }
}
