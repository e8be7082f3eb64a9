package io.followermaze.server.egress;

import io.followermaze.pipeline.RateLimitedLog;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The hand-off from the pipeline thread to one Netty event loop.
 * <p>
 * The pipeline stages (session, buffer) pairs for this loop during a batch, then pushes the staged
 * {@link HandoffBatch} onto a lock-free stack ({@code inbox}) and, unless a run is already pending, submits
 * this object as a task: one task and one wake-up per loop per batch, however many messages. The loop
 * takes the whole stack, restores FIFO order, writes every buffer, flushes each connection once, enforces
 * the outbound bound, and returns the batch objects on a second stack ({@code recycled}).
 * <p>
 * Both stacks have one pusher and one taker that takes everything ({@code getAndSet(null)}), so there is
 * no ABA problem.
 * <p>
 * The loop also keeps each connection's {@link ChannelSession#queuedInNetty} (and the total in {@link Egress})
 * current: after each flush, and every {@value #SWEEP_MILLIS} ms for connections that still have bytes queued, so
 * that the total budget sees memory leave as sockets drain.
 */
final class LoopEgress implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(LoopEgress.class);
    static final long SWEEP_MILLIS = 50;

    private final EventLoop eventLoop;
    private final Egress egress;
    private final AtomicReference<HandoffBatch> inbox = new AtomicReference<>();
    private final AtomicReference<HandoffBatch> recycled = new AtomicReference<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    // ---- written by the pipeline thread only ----
    private HandoffBatch staging;
    private HandoffBatch spare;
    boolean touched;

    // ---- written by the event loop only ----
    private final CongestionWatch congestion;
    private final RateLimitedLog cutOffLog = new RateLimitedLog(LOG, 1000);
    private ChannelSession[] toFlush = new ChannelSession[64];
    /** Connections with bytes queued in Netty; swept until they drain or close. */
    private ChannelSession[] backlogged = new ChannelSession[64];
    private int backloggedCount;
    private boolean sweepScheduled;
    private final Runnable sweep = this::sweep;

    LoopEgress(EventLoop eventLoop, Egress egress) {
        this.eventLoop = eventLoop;
        this.egress = egress;
        this.congestion = new CongestionWatch(eventLoop, egress);
    }

    CongestionWatch congestion() {
        return congestion;
    }

    /** Pipeline thread. */
    void stage(ChannelSession session, ByteBuf buffer) {
        if (staging == null) {
            staging = obtain();
        }
        staging.add(session, buffer);
    }

    /** Pipeline thread: hands the staged pairs to the loop. */
    void publishStaged() {
        final HandoffBatch batch = staging;
        if (batch == null) {
            return;
        }
        staging = null;
        HandoffBatch head;
        do {
            head = inbox.get();
            batch.next = head;
        } while (!inbox.compareAndSet(head, batch));
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            eventLoop.execute(this);
        }
    }

    private HandoffBatch obtain() {
        if (spare == null) {
            spare = recycled.getAndSet(null);
        }
        if (spare == null) {
            return new HandoffBatch();
        }
        final HandoffBatch batch = spare;
        spare = batch.next;
        batch.next = null;
        return batch;
    }

    /** Event loop thread. */
    @Override
    public void run() {
        scheduled.set(false); // before taking: a push after this point schedules another run
        HandoffBatch lifo = inbox.getAndSet(null);
        HandoffBatch fifo = null;
        while (lifo != null) {
            final HandoffBatch next = lifo.next;
            lifo.next = fifo;
            fifo = lifo;
            lifo = next;
        }
        int flushCount = 0;
        long written = 0;
        for (HandoffBatch batch = fifo; batch != null; ) {
            for (int i = 0; i < batch.size; i++) {
                final ChannelSession s = batch.sessions[i];
                final ByteBuf buf = batch.buffers[i];
                final int bytes = buf.readableBytes();
                s.channel.write(buf, s.channel.voidPromise());
                s.writtenBytes += bytes; // single writer: this loop
                written += bytes;
                if (!s.dirtyInLoop) {
                    s.dirtyInLoop = true;
                    if (flushCount == toFlush.length) {
                        toFlush = Arrays.copyOf(toFlush, flushCount * 2);
                    }
                    toFlush[flushCount++] = s;
                }
            }
            final HandoffBatch next = batch.next;
            batch.clear();
            recycle(batch);
            batch = next;
        }
        egress.written(written);
        cutOffLog.flushIfDue();
        for (int i = 0; i < flushCount; i++) {
            final ChannelSession s = toFlush[i];
            toFlush[i] = null;
            s.dirtyInLoop = false;
            s.channel.flush();
            final long pending = updateQueued(s);
            if (pending > egress.maxOutboundBytes() && !s.cutOffByLoop) {
                s.cutOffByLoop = true;
                egress.slowConsumersCutOff.incrementAndGet();
                cutOffLog.warn("Cutting off client {}: {}", Egress.describe(s), pending
                    + " bytes waiting for the socket exceed the per-client bound of " + egress.maxOutboundBytes());
                s.channel.close();
            }
        }
    }

    /** Reads what Netty holds for the connection into its estimate and the total; tracks it while non-zero. */
    private long updateQueued(ChannelSession s) {
        final Channel ch = s.channel;
        final ChannelOutboundBuffer outbound = ch.unsafe().outboundBuffer();
        final long queued = outbound == null || s.closed ? 0 : outbound.totalPendingWriteBytes();
        final long delta = queued - s.queuedInNetty;
        if (delta != 0) {
            s.queuedInNetty = queued;
            egress.queuedInNetty.addAndGet(delta);
        }
        if (queued > 0 && !s.backlogged) {
            s.backlogged = true;
            s.lastProgressNanos = System.nanoTime(); // the stall clock of a client below its high-water mark
            s.lastQueued = queued;
            s.lastCurrent = null;
            if (backloggedCount == backlogged.length) {
                backlogged = Arrays.copyOf(backlogged, backloggedCount * 2);
            }
            backlogged[backloggedCount++] = s;
            if (!sweepScheduled) {
                sweepScheduled = true;
                eventLoop.schedule(sweep, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
        return queued;
    }

    private void sweep() {
        sweepScheduled = false;
        cutOffLog.flushIfDue();
        congestion.flushLogIfDue();
        final long now = System.nanoTime();
        for (int i = 0; i < backloggedCount; ) {
            final ChannelSession s = backlogged[i];
            if (!s.congesting) {
                congestion.watchBelowHighWater(s, now); // a client can stop reading below its high-water mark too
            }
            if (updateQueued(s) == 0) {
                s.backlogged = false;
                backlogged[i] = backlogged[--backloggedCount];
                backlogged[backloggedCount] = null;
            } else {
                i++;
            }
        }
        if (backloggedCount > 0 && !sweepScheduled) {
            sweepScheduled = true;
            eventLoop.schedule(sweep, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Event loop thread: the connection closed (Netty has released its outbound buffer). */
    void onClosed(ChannelSession s) {
        congestion.stopCongesting(s);
        final long held = s.queuedInNetty;
        if (held != 0) {
            s.queuedInNetty = 0;
            egress.queuedInNetty.addAndGet(-held);
        }
        s.closed = true; // after the estimate is zero: the pipeline then stops counting it as releasing
    }

    private void recycle(HandoffBatch batch) {
        HandoffBatch head;
        do {
            head = recycled.get();
            batch.next = head;
        } while (!recycled.compareAndSet(head, batch));
    }
}
