package io.followermaze.server.egress;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;

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
 */
final class LoopEgress implements Runnable {
    private final EventLoop eventLoop;
    private final Egress egress;
    private final AtomicReference<HandoffBatch> inbox = new AtomicReference<>();
    private final AtomicReference<HandoffBatch> recycled = new AtomicReference<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    // pipeline thread
    private HandoffBatch staging;
    private HandoffBatch spare;
    boolean touched;

    // event loop thread
    private ChannelSession[] toFlush = new ChannelSession[64];

    LoopEgress(EventLoop eventLoop, Egress egress) {
        this.eventLoop = eventLoop;
        this.egress = egress;
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
                        toFlush = java.util.Arrays.copyOf(toFlush, flushCount * 2);
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
        for (int i = 0; i < flushCount; i++) {
            final ChannelSession s = toFlush[i];
            toFlush[i] = null;
            s.dirtyInLoop = false;
            final Channel ch = s.channel;
            ch.flush();
            final ChannelOutboundBuffer outbound = ch.unsafe().outboundBuffer();
            final long pending = outbound == null ? 0 : outbound.totalPendingWriteBytes();
            if (pending > egress.maxOutboundBytes() && !s.cutOffByLoop) {
                s.cutOffByLoop = true;
                egress.onCutOffByLoop(s, pending);
            }
        }
    }

    private void recycle(HandoffBatch batch) {
        HandoffBatch head;
        do {
            head = recycled.get();
            batch.next = head;
        } while (!recycled.compareAndSet(head, batch));
    }
}
