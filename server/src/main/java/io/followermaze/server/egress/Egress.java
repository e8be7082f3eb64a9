package io.followermaze.server.egress;

import io.followermaze.metrics.Counter;
import io.followermaze.pipeline.EgressListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Moves notification bytes from the pipeline thread to the network, and pushes back when clients lag.
 * <p>
 * During a batch, sessions append to their own buffers and mark themselves dirty here. At batch end
 * ({@link #onBatchEnd()}), or earlier once a batch has produced {@code handoffBytes} (large fan-out) and at least
 * {@value #MIN_BYTES_PER_SESSION} bytes per dirty session (so that with thousands of clients each hand-off still
 * writes a worthwhile amount per connection, not one syscall per few notifications), each
 * dirty session's buffer is staged on its event loop's {@link LoopEgress}, and every loop touched gets one
 * hand-off.
 * <p>
 * Flow control: a client whose Netty outbound buffer passes its high-water mark is "congested"; after a
 * hand-off the pipeline thread waits until no client is congested. The ring then fills and the event sources
 * are paused, so a fast source can not outrun the clients and memory stays bounded. A client that stays
 * congested for the grace period is "slow": nobody waits for it any more, and it is cut off when its backlog
 * passes {@code maxOutboundBytes} (checked here on bytes the loop has not taken yet, and on the loop on bytes
 * Netty has not yet written to the socket).
 */
public final class Egress implements EgressListener {
    private static final Logger LOG = LoggerFactory.getLogger(Egress.class);
    private static final int MAX_SIZE_HINT = 64 * 1024;
    private static final long PARK_NANOS = 20_000;
    /** An early hand-off waits until it carries at least this much per connection on average. */
    static final int MIN_BYTES_PER_SESSION = 4096;

    private final long maxOutboundBytes;
    private final long handoffBytes;
    private final long slowClientGraceMillis;
    private final ByteBufAllocator allocator;
    private final AtomicInteger congestedClients = new AtomicInteger();
    /** Bytes handed to event loops that they have not yet passed to Netty; bounds the loops' inboxes. */
    private final AtomicLong notYetWritten = new AtomicLong();
    private final Counter congestionWaits = new Counter();
    private final ConcurrentHashMap<EventLoop, LoopEgress> loops = new ConcurrentHashMap<>();
    private final AtomicLong slowConsumersCutOff = new AtomicLong();

    // pipeline thread
    long bytesSinceHandoff;
    private long lastHandoffBytes;
    private ChannelSession[] dirty = new ChannelSession[256];
    private int dirtyCount;
    private LoopEgress[] touched = new LoopEgress[8];
    private int touchedCount;

    /**
     * @param maxOutboundBytes      per-client backlog past which a slow client is cut off
     * @param handoffBytes          output after which a batch is handed off early (and flow control applied)
     * @param slowClientGraceMillis how long the pipeline waits for one congested client before it stops waiting
     */
    public Egress(long maxOutboundBytes, long maxTotalOutboundBytes, long handoffBytes, long slowClientGraceMillis,
                  long clientStallMillis, ByteBufAllocator allocator) {
        this.maxOutboundBytes = maxOutboundBytes;
        this.handoffBytes = handoffBytes;
        this.slowClientGraceMillis = slowClientGraceMillis;
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
    public void onEventRouted() {
        if (bytesSinceHandoff >= handoffBytes && bytesSinceHandoff >= (long) dirtyCount * MIN_BYTES_PER_SESSION) {
            onBatchEnd();
        }
    }

    @Override
    public void onBatchEnd() {
        handOff();
        if (mustWait()) {
            congestionWaits.increment();
            do {
                LockSupport.parkNanos(PARK_NANOS);
            } while (mustWait());
        }
    }

    /** A client is above its high-water mark, or the event loops are behind by more than two hand-offs. */
    private boolean mustWait() {
        return congestedClients.get() > 0 || notYetWritten.get() > 2 * Math.max(handoffBytes, lastHandoffBytes);
    }

    /** Event loop thread: {@code bytes} of hand-offs went to Netty. */
    void written(long bytes) {
        notYetWritten.addAndGet(-bytes);
    }

    private void handOff() {
        bytesSinceHandoff = 0;
        long handedOff = 0;
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
            handedOff += bytes;
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
        if (handedOff > 0) {
            notYetWritten.addAndGet(handedOff);
        }
        lastHandoffBytes = handedOff;
        for (int i = 0; i < touchedCount; i++) {
            final LoopEgress loop = touched[i];
            touched[i] = null;
            loop.touched = false;
            loop.publishStaged();
        }
        touchedCount = 0;
    }

    /** Event loop thread: Netty reports a change of the client's writability (high/low-water marks). */
    public void onWritabilityChanged(ChannelSession s, boolean writable) {
        s.writabilityEpoch++;
        if (!writable) {
            if (!s.congesting && !s.slow && s.channel.isActive()) {
                s.congesting = true;
                congestedClients.incrementAndGet();
                final long epoch = s.writabilityEpoch;
                s.channel.eventLoop().schedule(() -> onGraceExpired(s, epoch), slowClientGraceMillis, TimeUnit.MILLISECONDS);
            }
        } else {
            s.slow = false;
            stopCongesting(s);
        }
    }

    private void onGraceExpired(ChannelSession s, long epoch) {
        if (s.congesting && s.writabilityEpoch == epoch) {
            stopCongesting(s);
            s.slow = true;
            LOG.warn("Client {} (user {}) has not drained for {} ms; not waiting for it any more: it is cut off "
                + "if its backlog passes {} bytes", s.channel.remoteAddress(), s.userId(), slowClientGraceMillis,
                maxOutboundBytes);
        }
    }

    /** Event loop thread: the connection closed. */
    public void onClosed(ChannelSession s) {
        stopCongesting(s);
    }

    private void stopCongesting(ChannelSession s) {
        if (s.congesting) {
            s.congesting = false;
            congestedClients.decrementAndGet();
        }
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

    /** Clients above their high-water mark that the pipeline is waiting for right now. */
    public int congestedClients() {
        return congestedClients.get();
    }

    /** Times the pipeline thread waited for congested clients. */
    public long congestionWaits() {
        return congestionWaits.get();
    }
}
