package io.followermaze.server.egress;

import io.followermaze.pipeline.BatchEndListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Moves notification bytes from the pipeline thread to the network.
 * <p>
 * During a batch, sessions append to their own buffers and mark themselves dirty here. At batch end
 * ({@link #onBatchEnd()}) each dirty session's buffer is staged on its event loop's {@link LoopEgress}, and
 * every loop touched gets one hand-off. The outbound bound is enforced on both sides: here, on bytes the
 * loop has not yet taken; on the loop, on bytes Netty has not yet written to the socket.
 */
public final class Egress implements BatchEndListener {
    private static final Logger LOG = LoggerFactory.getLogger(Egress.class);
    private static final int MAX_SIZE_HINT = 64 * 1024;

    private final long maxOutboundBytes;
    private final ByteBufAllocator allocator;
    private final ConcurrentHashMap<EventLoop, LoopEgress> loops = new ConcurrentHashMap<>();
    private final AtomicLong slowConsumersCutOff = new AtomicLong();

    // pipeline thread
    private ChannelSession[] dirty = new ChannelSession[256];
    private int dirtyCount;
    private LoopEgress[] touched = new LoopEgress[8];
    private int touchedCount;

    public Egress(long maxOutboundBytes, ByteBufAllocator allocator) {
        this.maxOutboundBytes = maxOutboundBytes;
        this.allocator = allocator;
    }

    /** Event loop thread of the channel, once per connection. */
    public ChannelSession newSession(long userId, Channel channel) {
        final LoopEgress loop = loops.computeIfAbsent(channel.eventLoop(), l -> new LoopEgress(l, this));
        return new ChannelSession(userId, channel, loop, this);
    }

    long maxOutboundBytes() {
        return maxOutboundBytes;
    }

    ByteBuf allocate(int sizeHint) {
        return allocator.directBuffer(sizeHint);
    }

    void markDirty(ChannelSession s) {
        if (dirtyCount == dirty.length) {
            dirty = Arrays.copyOf(dirty, dirtyCount * 2);
        }
        dirty[dirtyCount++] = s;
    }

    @Override
    public void onBatchEnd() {
        for (int i = 0; i < dirtyCount; i++) {
            final ChannelSession s = dirty[i];
            dirty[i] = null;
            s.dirty = false;
            if (s.cutOff || !s.isRegistered()) {
                s.releaseFilling();
                continue;
            }
            final ByteBuf buf = s.filling;
            final long inFlight = s.inFlightBytes();
            if (inFlight > maxOutboundBytes) {
                cutOff(s, inFlight, "bytes its event loop has not taken yet");
                continue;
            }
            s.filling = null;
            final int bytes = buf.readableBytes();
            s.handedOffBytes += bytes;
            s.sizeHint = Math.min(MAX_SIZE_HINT, Math.max(256, bytes));
            final LoopEgress loop = s.loop;
            loop.stage(s, buf);
            if (!loop.touched) {
                loop.touched = true;
                if (touchedCount == touched.length) {
                    touched = Arrays.copyOf(touched, touchedCount * 2);
                }
                touched[touchedCount++] = loop;
            }
        }
        dirtyCount = 0;
        for (int i = 0; i < touchedCount; i++) {
            final LoopEgress loop = touched[i];
            touched[i] = null;
            loop.touched = false;
            loop.publishStaged();
        }
        touchedCount = 0;
    }

    /** Pipeline thread: the client is not keeping up; stop producing for it and close it. */
    void cutOff(ChannelSession s, long backlog, String what) {
        if (s.cutOff) {
            return;
        }
        s.cutOff = true;
        s.releaseFilling();
        slowConsumersCutOff.incrementAndGet();
        LOG.warn("Cutting off slow client {} (user {}): {} bytes of {} exceed the bound of {} bytes",
            s.channel.remoteAddress(), s.userId(), backlog, what, maxOutboundBytes);
        s.channel.close();
    }

    /** Event loop thread: Netty's outbound buffer for the client passed the bound. */
    void onCutOffByLoop(ChannelSession s, long pending) {
        slowConsumersCutOff.incrementAndGet();
        LOG.warn("Cutting off slow client {} (user {}): {} bytes waiting for the socket exceed the bound of {} bytes",
            s.channel.remoteAddress(), s.userId(), pending, maxOutboundBytes);
        s.channel.close();
    }

    public long slowConsumersCutOff() {
        return slowConsumersCutOff.get();
    }
}
