package io.followermaze.server.egress;

import io.followermaze.metrics.Counter;
import io.followermaze.pipeline.RateLimitedLog;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's end of the egress: drains its {@link HandoffRing} (this object is the one task the pipeline
 * submits to wake it), writes every buffer, flushes each connection once per drain, enforces the per-client bound,
 * and keeps each connection's bytes queued in Netty current: after each flush, and every {@value #SWEEP_MILLIS} ms
 * for connections that still have bytes queued, so that the total budget sees memory leave as sockets drain.
 * <p>
 * Event loop thread only. What the pipeline reads (bytes written, bytes queued, congested clients, stalls, cut-offs)
 * is published through single-writer {@link Counter}s.
 */
final class LoopEgress implements Runnable, HandoffRing.Sink<Connection, ByteBuf> {
    private static final Logger LOG = LoggerFactory.getLogger(LoopEgress.class);
    static final long SWEEP_MILLIS = 50;

    final EventLoop eventLoop;
    private final Egress egress;
    private final HandoffRing<Connection, ByteBuf> ring;
    private final CongestionWatch congestion;
    private final RateLimitedLog cutOffLog = new RateLimitedLog(LOG, 1000);
    private Connection[] toFlush = new Connection[64];
    private int flushCount;
    /** Connections with bytes queued in Netty; swept until they drain or close. */
    private Connection[] backlogged = new Connection[64];
    private int backloggedCount;
    private boolean sweepScheduled;
    private long drainedBytes;
    private final Runnable sweep = this::sweep;

    // ---- published by this loop ----
    private final Counter writtenBytes = new Counter();
    private final Counter queuedInNetty = new Counter();
    final Counter congestedClients = new Counter();
    final Counter clientsStalled = new Counter();
    private final Counter cutOffs = new Counter();

    LoopEgress(EventLoop eventLoop, Egress egress, int ringCapacity) {
        this.eventLoop = eventLoop;
        this.egress = egress;
        this.ring = new HandoffRing<>(ringCapacity);
        this.congestion = new CongestionWatch(eventLoop, egress, this);
    }

    HandoffRing<Connection, ByteBuf> ring() {
        return ring;
    }

    CongestionWatch congestion() {
        return congestion;
    }

    /** Event loop: takes everything the pipeline has published. */
    @Override
    public void run() {
        assert eventLoop.inEventLoop();
        ring.drain(this);
        writtenBytes.add(drainedBytes);
        drainedBytes = 0;
        cutOffLog.flushIfDue();
        for (int i = 0; i < flushCount; i++) {
            final Connection c = toFlush[i];
            toFlush[i] = null;
            c.loopOnly().toFlush = false;
            c.channel.flush();
            final long pending = updateQueued(c);
            if (pending > egress.maxOutboundBytes() && !c.cutOffByLoop()) {
                c.setCutOffByLoop();
                cutOffs.increment();
                cutOffLog.warn("Cutting off client {}: {}", c.describe(), pending
                    + " bytes waiting for the socket exceed the per-client bound of " + egress.maxOutboundBytes());
                c.channel.close();
            }
        }
        flushCount = 0;
    }

    /** Event loop, per record of a drain: write now, flush once at the end. */
    @Override
    public void take(Connection c, ByteBuf buf) {
        final int bytes = buf.readableBytes();
        c.channel.write(buf, c.channel.voidPromise());
        c.addWritten(bytes);
        drainedBytes += bytes;
        final Connection.LoopOnly own = c.loopOnly();
        if (!own.toFlush) {
            own.toFlush = true;
            if (flushCount == toFlush.length) {
                toFlush = Arrays.copyOf(toFlush, flushCount * 2);
            }
            toFlush[flushCount++] = c;
        }
    }

    /** Reads what Netty holds for the connection into its estimate and the total; tracks it while non-zero. */
    private long updateQueued(Connection c) {
        final ChannelOutboundBuffer outbound = c.channel.unsafe().outboundBuffer();
        return recordQueued(c, outbound == null || c.closed() ? 0 : outbound.totalPendingWriteBytes());
    }

    /** Event loop: Netty holds {@code queued} bytes for the connection (tests call this to pretend so). */
    long recordQueued(Connection c, long queued) {
        final long delta = queued - c.queuedInNetty();
        if (delta != 0) {
            c.setQueuedInNetty(queued);
            queuedInNetty.add(delta);
        }
        final Connection.LoopOnly own = c.loopOnly();
        if (queued > 0 && !own.backlogged) {
            own.backlogged = true;
            own.lastProgressNanos = System.nanoTime(); // the stall clock of a client below its high-water mark
            own.lastQueued = queued;
            own.lastCurrent = null;
            if (backloggedCount == backlogged.length) {
                backlogged = Arrays.copyOf(backlogged, backloggedCount * 2);
            }
            backlogged[backloggedCount++] = c;
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
            final Connection c = backlogged[i];
            if (!c.loopOnly().congesting) {
                congestion.watchBelowHighWater(c, now); // a client can stop reading below its high-water mark too
            }
            if (updateQueued(c) == 0) {
                c.loopOnly().backlogged = false;
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

    /** Event loop: the connection closed (Netty has released its outbound buffer). */
    void onClosed(Connection c) {
        congestion.stopCongesting(c);
        final long held = c.queuedInNetty();
        if (held != 0) {
            c.setQueuedInNetty(0);
            queuedInNetty.add(-held);
        }
        c.setClosed(); // after the estimate is zero: the pipeline then stops counting it as releasing
    }

    // ---- read by the pipeline thread and observers ----

    /** Bytes of hand-offs this loop has given to Netty. */
    long writtenBytes() {
        return writtenBytes.get();
    }

    /** Sum of this loop's connections' {@link Connection#queuedInNetty()}. */
    long queuedInNetty() {
        return queuedInNetty.get();
    }

    /** Clients this loop cut off for their bytes queued in Netty. */
    long cutOffs() {
        return cutOffs.get();
    }
}
