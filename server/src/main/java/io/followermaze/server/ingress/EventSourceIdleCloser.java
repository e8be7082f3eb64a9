package io.followermaze.server.ingress;

import io.followermaze.pipeline.SharedRateLimitedLog;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closes an event source that sent nothing for the idle timeout ({@code --event-source-idle-timeout-ms}). Sits
 * right behind an {@link IdleStateHandler} with a reader idle time (see {@link #install}), ahead of TLS, so that
 * a TLS handshake that never ends counts as idle too.
 * <p>
 * Not Netty's {@code ReadTimeoutHandler}: while {@link EventSourceHandler} holds input back because the ingress
 * ring is full it turns auto-read off, and then nothing is read because the server is not reading, not because the
 * source is silent. A reader-idle event that comes while auto-read is off is ignored (the next one, an idle time
 * later, is judged afresh).
 */
public final class EventSourceIdleCloser extends ChannelInboundHandlerAdapter {
    private final long idleMillis;
    private final AtomicLong closed;
    private final SharedRateLimitedLog log;

    /**
     * @param closed shared count of event sources closed for idling
     * @param log    where the (rate-limited) line for a close goes
     */
    public EventSourceIdleCloser(long idleMillis, AtomicLong closed, SharedRateLimitedLog log) {
        this.idleMillis = idleMillis;
        this.closed = closed;
        this.log = log;
    }

    /** Adds the idle detection and a closer to the end of {@code pipeline}. */
    public static void install(ChannelPipeline pipeline, long idleMillis, AtomicLong closed,
                               SharedRateLimitedLog log) {
        pipeline.addLast(new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS),
            new EventSourceIdleCloser(idleMillis, closed, log));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
            if (ctx.channel().config().isAutoRead() && ctx.channel().isActive()) {
                closed.incrementAndGet();
                log.log("Event source {} sent nothing for {} ms; closing (--event-source-idle-timeout-ms)",
                    ctx.channel().remoteAddress(), idleMillis);
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
