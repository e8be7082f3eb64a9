package io.followermaze.server.egress;

import io.followermaze.session.ClientSession;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * A client connection as the pipeline sees it: notifications are appended ({@code payload\r\n}) to a buffer
 * owned by the pipeline thread, which {@link Egress} hands to the connection's event loop at batch end.
 * <p>
 * Fields are split by owning thread. Pipeline: {@code filling}, {@code dirty}, {@code cutOff},
 * {@code handedOffBytes}. Event loop: {@code writtenBytes} (published, read by the pipeline for the bound).
 */
public final class ChannelSession extends ClientSession {
    private static final short CRLF = ('\r' << 8) | '\n';

    final Channel channel;
    final LoopEgress loop;
    private final Egress egress;

    // pipeline thread
    ByteBuf filling;
    boolean dirty;
    boolean cutOff;
    long handedOffBytes;
    int sizeHint = 256;

    // event loop thread only
    boolean dirtyInLoop;
    /** Counted in {@link Egress}'s congested clients: the pipeline waits for it to drain. */
    boolean congesting;
    /** Stayed congested past the grace period: no longer waited for; cut off at the byte bound. */
    boolean slow;
    long writabilityEpoch;

    // event loop thread writes, pipeline reads
    volatile long writtenBytes;
    /** Set by the event loop when it cut the connection off; stops the pipeline filling a dead buffer. */
    volatile boolean cutOffByLoop;

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
            if (cutOffByLoop) {
                cutOff = true;
                return;
            }
            buf = filling = egress.allocate(sizeHint);
        }
        if (!dirty) {
            dirty = true;
            egress.markDirty(this);
        }
        buf.writeBytes(payload, offset, length).writeShort(CRLF);
        egress.bytesSinceHandoff += length + 2;
        if (buf.readableBytes() > egress.maxOutboundBytes()) {
            egress.cutOff(this, buf.readableBytes(), "its undelivered notifications in one batch");
        }
    }

    /** Bytes produced for this connection that the event loop has not yet given to the socket layer. */
    long inFlightBytes() {
        return handedOffBytes - writtenBytes + (filling == null ? 0 : filling.readableBytes());
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
    }

    public Channel channel() {
        return channel;
    }
}
