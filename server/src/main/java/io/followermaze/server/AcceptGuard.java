package io.followermaze.server;

import io.followermaze.pipeline.SharedRateLimitedLog;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * On a listener, ahead of Netty's acceptor, on the accept thread: what happens when a connection is accepted.
 * <ul>
 * <li><b>The connection cap.</b> An accepted connection takes one of {@code cap} slots, given back when it closes;
 *     when none is free it is refused: closed at once, before it is handed to an event loop, counted, and logged in a
 *     rate-limited line. Refusing here, not in the child's initializer on an event loop, matters when connections
 *     arrive faster than the event loop runs: refused sockets would queue up there still open, and with the cap
 *     near the fd limit the accept that follows fails with EMFILE (seen with 400 connections at {@code ulimit -n 300}).
 *     </li>
 * <li><b>Failed accepts.</b> An accept that fails (EMFILE, ENFILE: out of file descriptors) is counted, logged in one
 *     rate-limited line without a stack trace, and accepting pauses for {@value #PAUSE_MILLIS} ms, as Netty's
 *     acceptor would, so the accept thread does not spin on a connection it can not take. Without this the failure
 *     reaches the end of the listener's pipeline and is logged with a stack trace every time. The fd clamp of the
 *     client cap ({@link ClientCap}) keeps this from happening; this is the backstop when something else holds the
 *     descriptors.</li>
 * </ul>
 * One instance per listener (not sharable: one slot count each).
 */
final class AcceptGuard extends ChannelInboundHandlerAdapter {
    static final long PAUSE_MILLIS = 100;

    private final String port;
    private final String capName;
    private final int cap;
    private final AtomicInteger slots;
    private final AtomicLong refused;
    private final SharedRateLimitedLog refusalLog;
    private final AtomicLong failures;
    private final SharedRateLimitedLog failureLog;

    /**
     * @param port       "client" or "event", for the log
     * @param capName    what sets the cap, for the log (e.g. "--max-clients")
     * @param cap        connections open at once through this listener
     * @param slots      connections holding a slot now
     * @param refused    count of connections refused at the cap
     * @param failures   count of failed accepts (may be shared by listeners)
     */
    AcceptGuard(String port, String capName, int cap, AtomicInteger slots, AtomicLong refused,
                SharedRateLimitedLog refusalLog, AtomicLong failures, SharedRateLimitedLog failureLog) {
        this.port = port;
        this.capName = capName;
        this.cap = cap;
        this.slots = slots;
        this.refused = refused;
        this.refusalLog = refusalLog;
        this.failures = failures;
        this.failureLog = failureLog;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        final Channel child = (Channel) msg;
        if (!takeSlot()) {
            refused.incrementAndGet();
            refusalLog.log("Refusing {} connection {}: {} open ({})", port, child.remoteAddress(), cap, capName);
            child.unsafe().closeForcibly(); // not registered with an event loop yet: closes the socket right here
            return;
        }
        child.closeFuture().addListener(f -> slots.decrementAndGet());
        ctx.fireChannelRead(child);
    }

    /** Exact with the event loops closing connections at the same time: a compare-and-set on the open count. */
    private boolean takeSlot() {
        for (int n = slots.get(); ; n = slots.get()) {
            if (n >= cap) {
                return false;
            }
            if (slots.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failures.incrementAndGet();
        failureLog.log("Accept failed on the {} port: {}; pausing accepts for {} ms", port, cause.toString(), PAUSE_MILLIS);
        final ChannelConfig config = ctx.channel().config();
        if (config.isAutoRead()) {
            config.setAutoRead(false);
            ctx.channel().eventLoop().schedule(() -> {
                if (ctx.channel().isOpen()) {
                    config.setAutoRead(true);
                }
            }, PAUSE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}
