package io.followermaze.server.egress;

import io.followermaze.metrics.Counter;
import io.netty.buffer.ByteBuf;

import java.util.concurrent.locks.LockSupport;

/**
 * The pipeline thread's end of the hand-off to one event loop: it {@link #stage}s (connection, buffer) records on
 * the loop's {@link HandoffRing} during a batch and {@link #publish}es them once per hand-off, which wakes the loop
 * (one task, preallocated: the loop's {@link LoopEgress}) only when no drain already asked for would see them.
 * A buffer staged here belongs to the loop from then on.
 * <p>
 * Pipeline thread only, apart from the published {@link #handedOffBytes()}.
 */
final class LoopHandoff {
    private static final long FULL_RING_PARK_NANOS = 20_000;

    final LoopEgress loop;
    private final HandoffRing<Connection, ByteBuf> ring;
    /** The pipeline runs on an event loop: a hand-off to that same loop is written at once (see {@link #publish}). */
    private final boolean pipelineOnEventLoop;
    private final Counter handedOffBytes = new Counter();
    // ---- the pipeline thread's ----
    /** Has records staged since the last publish: in {@link Egress}'s list of loops to publish. */
    private boolean touched;
    /** In {@link Egress}'s list of loops the pipeline has handed off to (and so sums the counters of). */
    private boolean known;

    LoopHandoff(LoopEgress loop, boolean pipelineOnEventLoop) {
        this.loop = loop;
        this.ring = loop.ring();
        this.pipelineOnEventLoop = pipelineOnEventLoop;
    }

    /** The caller is the pipeline running on this very loop: it may write the records itself, now. */
    private boolean onThisLoop() {
        return pipelineOnEventLoop && loop.eventLoop.inEventLoop();
    }

    /**
     * Stages {@code buffer} for the connection. A full ring (the loop is that far behind) is published and waited
     * on, which holds the pipeline back like a congested client does.
     *
     * @return true if this is the first record since the last publish
     */
    boolean stage(Connection connection, ByteBuf buffer) {
        while (!ring.offer(connection, buffer)) {
            publish();
            if (onThisLoop()) {
                continue; // publish() has just written everything to Netty: the ring is empty
            }
            if (loop.eventLoop.isShuttingDown()) {
                buffer.release(); // nobody will take it: the server is stopping
                return false;
            }
            LockSupport.parkNanos(FULL_RING_PARK_NANOS);
        }
        handedOffBytes.add(buffer.readableBytes());
        if (touched) {
            return false;
        }
        touched = true;
        return true;
    }

    /**
     * Makes the staged records visible to the loop, waking it if need be. A pipeline that runs on this very loop
     * ({@code --pipeline-thread event-loop}) writes them at once: no task, no second turn of the loop.
     */
    void publish() {
        touched = false;
        if (ring.publish()) {
            if (onThisLoop()) {
                loop.run();
            } else {
                loop.eventLoop.execute(loop);
            }
        }
    }

    /** @return true the first time: the caller starts summing this loop's counters */
    boolean firstUse() {
        if (known) {
            return false;
        }
        known = true;
        return true;
    }

    /** Bytes staged for the loop so far (any thread). */
    long handedOffBytes() {
        return handedOffBytes.get();
    }

    /** Bytes staged that the loop has not yet given to Netty (any thread; a recent estimate off the pipeline). */
    long notYetWritten() {
        return handedOffBytes.get() - loop.writtenBytes();
    }
}
