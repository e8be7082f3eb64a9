package io.followermaze.server.egress;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A client connection as its event loop sees it: the loop is the one writer of everything here.
 * <p>
 * Facts the pipeline thread needs (bytes written, bytes queued in Netty, cut off, slow, closed) are published with
 * release stores by setters that check, under assertions, that they run on the connection's loop; anyone may read
 * them. The loop's private bookkeeping is reachable only through {@link #loopOnly()}, which checks the same.
 * The pipeline's side of the same client is {@link ChannelSession}; the loop never holds one.
 */
final class Connection {
    private static final VarHandle WRITTEN;
    private static final VarHandle QUEUED;
    private static final VarHandle CUT_OFF;
    private static final VarHandle SLOW;
    private static final VarHandle CLOSED;

    static {
        try {
            final MethodHandles.Lookup l = MethodHandles.lookup();
            WRITTEN = l.findVarHandle(Connection.class, "writtenBytes", long.class);
            QUEUED = l.findVarHandle(Connection.class, "queuedInNetty", long.class);
            CUT_OFF = l.findVarHandle(Connection.class, "cutOffByLoop", boolean.class);
            SLOW = l.findVarHandle(Connection.class, "slow", boolean.class);
            CLOSED = l.findVarHandle(Connection.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The loop's own bookkeeping for this connection: plain fields, never read by another thread. */
    static final class LoopOnly {
        /** In this loop's list of connections to flush at the end of the current drain. */
        boolean toFlush;
        /** Counted in its loop's congested clients: the pipeline waits for it to drain. */
        boolean congesting;
        /** In its loop's set of connections with bytes queued in Netty. */
        boolean backlogged;
        /** While congesting: the periodic drain check, and what it last saw. */
        ScheduledFuture<?> drainCheck;
        long congestedSinceNanos;
        long lastProgressNanos;
        long lastQueued;
        Object lastCurrent;
        int lastCurrentReadable;
    }

    final long userId;
    final Channel channel;
    final LoopEgress loop;
    private final LoopOnly loopOnly = new LoopOnly();

    // Published by the loop (release), read by anyone.
    private volatile long writtenBytes;
    private volatile long queuedInNetty;
    private volatile boolean cutOffByLoop;
    private volatile boolean slow;
    private volatile boolean closed;

    Connection(long userId, Channel channel, LoopEgress loop) {
        this.userId = userId;
        this.channel = channel;
        this.loop = loop;
    }

    private boolean onLoop() {
        return channel.eventLoop().inEventLoop();
    }

    LoopOnly loopOnly() {
        assert onLoop() : "loop-owned state touched from " + Thread.currentThread();
        return loopOnly;
    }

    /** Bytes the loop has given to Netty. */
    long writtenBytes() {
        return writtenBytes;
    }

    void addWritten(long bytes) {
        assert onLoop() : "written bytes counted off the loop by " + Thread.currentThread();
        WRITTEN.setRelease(this, writtenBytes + bytes);
    }

    /** Bytes waiting in Netty's outbound buffer when the loop last looked (an estimate between looks). */
    long queuedInNetty() {
        return queuedInNetty;
    }

    void setQueuedInNetty(long bytes) {
        assert onLoop() : "queued bytes set off the loop by " + Thread.currentThread();
        QUEUED.setRelease(this, bytes);
    }

    /** The loop cut the connection off: stops the pipeline filling a dead buffer. */
    boolean cutOffByLoop() {
        return cutOffByLoop;
    }

    void setCutOffByLoop() {
        assert onLoop() : "loop's cut-off set by " + Thread.currentThread();
        CUT_OFF.setRelease(this, true);
    }

    /** Stopped draining, or stayed congested past the grace period: not waited for (the budget's first pick). */
    boolean slow() {
        return slow;
    }

    void setSlow(boolean value) {
        assert onLoop() : "slow set off the loop by " + Thread.currentThread();
        SLOW.setRelease(this, value);
    }

    /** The connection has closed and its loop has released what it held. */
    boolean closed() {
        return closed;
    }

    void setClosed() {
        assert onLoop() : "closed set off the loop by " + Thread.currentThread();
        CLOSED.setRelease(this, true);
    }

    String describe() {
        return channel.remoteAddress() + " (user " + userId + ")";
    }
}
