package io.followermaze.server.egress;

import io.followermaze.session.ClientSession;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * A client connection as the pipeline sees it: notifications are appended ({@code payload\r\n}) to a buffer
 * owned by the pipeline thread, which {@link Egress} hands to the connection's event loop at batch end.
 * <p>
 * Every mutable field has one writer thread, named in the group it sits in: the pipeline thread, or the
 * connection's event loop. Fields the other side reads are volatile (release on write, acquire on read).
 */
public final class ChannelSession extends ClientSession {
    final Channel channel;
    final LoopEgress loop;
    private final Egress egress;

    // ---- written by the pipeline thread only ----
    ByteBuf filling;
    boolean dirty;
    boolean cutOff;
    long handedOffBytes;
    int sizeHint = 256;
    /** Position in {@link Egress}'s list of sessions that hold or held output; -1 when not in it. */
    int trackedIndex = -1;

    // ---- written by the event loop only ----
    boolean dirtyInLoop;
    /** Counted in {@link Egress}'s congested clients: the pipeline waits for it to drain. */
    boolean congesting;
    long writabilityEpoch;
    /** In its loop's set of connections with bytes queued in Netty. */
    boolean backlogged;
    /** While congesting: the periodic drain check, and what it last saw. */
    ScheduledFuture<?> drainCheck;
    long congestedSinceNanos;
    long lastProgressNanos;
    long lastQueued;
    Object lastCurrent;
    int lastCurrentReadable;

    // ---- written by the event loop, read by the pipeline ----
    /** Bytes the loop has given to Netty. */
    volatile long writtenBytes;
    /** Bytes waiting in Netty's outbound buffer when the loop last looked (an estimate between looks). */
    volatile long queuedInNetty;
    /** Set by the event loop when it cut the connection off; stops the pipeline filling a dead buffer. */
    volatile boolean cutOffByLoop;
    /** Stopped draining, or stayed congested past the grace period: no longer waited for (the budget's first pick). */
    volatile boolean slow;
    /** The connection has closed and its loop has released what it held. */
    volatile boolean closed;

    ChannelSession(long userId, Channel channel, LoopEgress loop, Egress egress) {
        super(userId);
        this.channel = channel;
        this.loop = loop;
        this.egress = egress;
    }

    @Override
    public void deliver(byte[] payload, int offset, int length) {
        if (cutOff) {
            return;
        }
        ByteBuf buf = filling;
        if (buf == null) {
            if (cutOffByLoop || closed) {
                cutOff = true;
                return;
            }
            buf = filling = egress.allocate(this);
            if (buf == null) {
                return; // no direct memory for it: cut off, the event goes on to everyone else
            }
        }
        if (!dirty) {
            dirty = true;
            egress.markDirty(this);
        }
        if (!egress.append(this, buf, payload, offset, length)) {
            return;
        }
        egress.bytesSinceHandoff += length + 2;
        if (buf.readableBytes() > egress.maxOutboundBytes()) {
            egress.cutOff(this, buf.readableBytes(), "its undelivered notifications in one batch");
        }
    }

    /** Pipeline thread: bytes produced for this connection and not yet written to its socket. */
    long backlogBytes() {
        return handedOffBytes - writtenBytes + queuedInNetty + (filling == null ? 0 : filling.readableBytes());
    }

    /** Pipeline thread: drops the buffer (after unregister or cut-off). */
    void releaseFilling() {
        if (filling != null) {
            filling.release();
            filling = null;
        }
    }

    @Override
    protected void onUnregistered() {
        cutOff = true;
        releaseFilling();
        egress.untrack(this);
    }

    public Channel channel() {
        return channel;
    }
}
