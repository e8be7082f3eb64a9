package io.followermaze.server.egress;

import io.followermaze.pipeline.RateLimitedLog;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * One event loop's view of its congested clients: decides how long the pipeline waits for each.
 * <p>
 * A client above its high-water mark is "congesting": the pipeline waits for it, which slows the whole stream to
 * its pace. That is right for a client that is reading, only more slowly than the stream; it is wrong for one that
 * does not read at all. So while a client congests, a check every {@code clientStallMillis / 4} looks at its Netty
 * outbound buffer: when nothing has left it for {@code clientStallMillis} (the client is stalled), or the client is
 * still above the low-water mark after {@code slowClientGraceMillis}, it becomes "slow" and nobody waits for it any
 * more. A slow client is not cut off for that: only if its backlog then passes the per-client bound (or the total
 * budget needs the memory). Going back under the low-water mark makes it an ordinary client again.
 * <p>
 * Event loop thread only (one instance per loop).
 */
final class CongestionWatch {
    private static final Logger LOG = LoggerFactory.getLogger(CongestionWatch.class);

    private final EventLoop eventLoop;
    private final Egress egress;
    private final LoopEgress loop;
    private final long stallNanos;
    private final long graceNanos;
    private final long checkMillis;
    private final RateLimitedLog slowLog = new RateLimitedLog(LOG, 1000);

    CongestionWatch(EventLoop eventLoop, Egress egress, LoopEgress loop) {
        this.eventLoop = eventLoop;
        this.egress = egress;
        this.loop = loop;
        this.stallNanos = TimeUnit.MILLISECONDS.toNanos(egress.clientStallMillis);
        this.graceNanos = TimeUnit.MILLISECONDS.toNanos(egress.slowClientGraceMillis);
        this.checkMillis = Math.max(1, egress.clientStallMillis / 4);
    }

    void onWritabilityChanged(Connection c, boolean writable) {
        if (!writable) {
            if (!c.loopOnly().congesting && !c.slow() && c.channel.isActive()) {
                startCongesting(c);
            }
        } else {
            c.setSlow(false);
            stopCongesting(c);
        }
    }

    private void startCongesting(Connection c) {
        final Connection.LoopOnly own = c.loopOnly();
        own.congesting = true;
        loop.congestedClients.increment();
        final long now = System.nanoTime();
        own.congestedSinceNanos = now;
        own.lastProgressNanos = now;
        sample(c);
        own.drainCheck = eventLoop.scheduleAtFixedRate(() -> check(c), checkMillis, checkMillis, TimeUnit.MILLISECONDS);
    }

    /** Event loop: reports stall lines the rate limit held back. */
    void flushLogIfDue() {
        slowLog.flushIfDue();
    }

    void stopCongesting(Connection c) {
        final Connection.LoopOnly own = c.loopOnly();
        if (own.congesting) {
            own.congesting = false;
            loop.congestedClients.add(-1);
        }
        if (own.drainCheck != null) {
            own.drainCheck.cancel(false);
            own.drainCheck = null;
        }
    }

    private void check(Connection c) {
        final Connection.LoopOnly own = c.loopOnly();
        if (!own.congesting) {
            stopCongesting(c);
            return;
        }
        final long now = System.nanoTime();
        if (sample(c)) {
            own.lastProgressNanos = now;
        }
        if (now - own.lastProgressNanos >= stallNanos) {
            markSlow(c, "has drained nothing for " + egress.clientStallMillis + " ms");
        } else if (now - own.congestedSinceNanos >= graceNanos) {
            markSlow(c, "has stayed above its high-water mark for " + egress.slowClientGraceMillis + " ms");
        }
    }

    /**
     * For a client with bytes queued but below its high-water mark (nobody waits for it): if it has drained
     * nothing for the stall time it is marked slow, so that the total budget may cut it off; once it drains again
     * (and is writable) it is an ordinary client again.
     */
    void watchBelowHighWater(Connection c, long now) {
        if (sample(c)) {
            c.loopOnly().lastProgressNanos = now;
            if (c.slow() && c.channel.isWritable()) {
                c.setSlow(false);
            }
        } else if (!c.slow() && now - c.loopOnly().lastProgressNanos >= stallNanos) {
            c.setSlow(true);
            loop.clientsStalled.increment();
        }
    }

    /**
     * Looks at what is queued for the client. Progress is anything leaving the buffer: fewer bytes pending, a new
     * head entry, or fewer readable bytes in the head entry (a partial write).
     *
     * @return true if the client has taken bytes since the last look
     */
    private static boolean sample(Connection c) {
        final ChannelOutboundBuffer out = c.channel.unsafe().outboundBuffer();
        if (out == null) {
            return true; // closed: nothing to wait for
        }
        final long queued = out.totalPendingWriteBytes();
        final Object current = out.current();
        final int readable = current instanceof ByteBuf b ? b.readableBytes() : 0;
        final Connection.LoopOnly own = c.loopOnly();
        final boolean progress = queued < own.lastQueued || current != own.lastCurrent
            || (current != null && readable < own.lastCurrentReadable);
        own.lastQueued = queued;
        own.lastCurrent = current;
        own.lastCurrentReadable = readable;
        return progress;
    }

    private void markSlow(Connection c, String why) {
        stopCongesting(c);
        c.setSlow(true);
        c.loopOnly().lastCurrent = null;
        loop.clientsStalled.increment();
        slowLog.warn("Client {} {}; not waiting for it any more (it is cut off only if its backlog passes the "
            + "per-client or total bound)", c.describe(), why);
    }
}
