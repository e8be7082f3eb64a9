package io.followermaze.server.ingress;

import io.followermaze.ingress.LineFramer;
import io.followermaze.pipeline.IngressPublisher;
import io.followermaze.pipeline.SharedRateLimitedLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.util.concurrent.TimeUnit;

/**
 * One event-source connection: feeds what it reads to its {@link LineFramer}, which publishes whole lines, as few
 * large entries per read as the entries allow, into the ingress ring (the same framing the tests and benchmarks use;
 * over-long and unfinished lines are counted by the pipeline, which parses). When the source closes (or the server
 * shuts down), the framer publishes an unfinished last line without a line end, to be counted as truncated.
 * Input that arrived before a close is still published after it (the ring may have been full).
 * <p>
 * Backpressure: this handler never waits on the ring (the pipeline may itself be waiting for this event loop
 * to drain a congested client). When the ring is full it keeps the unread input, stops reading from the
 * socket, and retries shortly; TCP flow control then slows the source down.
 */
public final class EventSourceHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(EventSourceHandler.class);
    // Per-connection lines, rate-limited per kind for the whole process (at most one a second, with the count
    // suppressed). Connects and disconnects stay INFO: a real deployment has a few sources, and each of their
    // lines still shows; a flood of connections (43k lines in one probe) shrinks to a line a second.
    private static final SharedRateLimitedLog CONNECTED_LOG = new SharedRateLimitedLog(LOG, Level.INFO, 1000);
    private static final SharedRateLimitedLog DISCONNECTED_LOG = new SharedRateLimitedLog(LOG, Level.INFO, 1000);
    private static final SharedRateLimitedLog FAILED_LOG = new SharedRateLimitedLog(LOG, Level.WARN, 1000);
    static final long RETRY_MICROS = 100;

    private final LineFramer framer;
    private final ByteBufInput input = new ByteBufInput();
    private long bytesReceived;
    /** Input received but not yet in the ring because the ring was full; null when none. */
    private ByteBuf backlog;
    private boolean retryScheduled;
    private boolean sourceClosed;
    private final RingTurns turns;
    /** In {@link #turns}' queue; written on this source's event loop only. */
    boolean queuedForTurn;
    /** Ring entries the framer may publish in this call (fewer while it is another's turn too). */
    private int chunksAllowed = Integer.MAX_VALUE;

    public EventSourceHandler(IngressPublisher ring, RingTurns turns) {
        this.framer = new LineFramer(ring);
        this.turns = turns;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        CONNECTED_LOG.log("Event source connected: {}", ctx.channel().remoteAddress());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        final ByteBuf in = (ByteBuf) msg;
        bytesReceived += in.readableBytes();
        if (backlog != null) {
            backlog = ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), backlog, in);
            return; // a retry is scheduled and will take it in order
        }
        if (turns.othersWaiting(this)) { // the ring is contended: queue behind the sources already waiting
            backlog = in;
            pauseAndRetry(ctx);
            return;
        }
        chunksAllowed = Integer.MAX_VALUE;
        if (frame(in)) {
            in.release();
        } else {
            backlog = in;
            pauseAndRetry(ctx);
        }
    }

    /**
     * Publishes every complete line of {@code in} (at most this turn's entries).
     *
     * @return true when all of {@code in} was consumed; false when the ring filled up or the turn ended first
     */
    private boolean frame(ByteBuf in) {
        return framer.frame(input.wrap(in), chunksAllowed);
    }

    private void pauseAndRetry(ChannelHandlerContext ctx) {
        turns.join(this);
        ctx.channel().config().setAutoRead(false);
        if (!retryScheduled) {
            retryScheduled = true;
            ctx.executor().schedule(() -> retry(ctx), RETRY_MICROS, TimeUnit.MICROSECONDS);
        }
    }

    private void retry(ChannelHandlerContext ctx) {
        retryScheduled = false;
        if (backlog == null) {
            turns.leave(this);
            return;
        }
        if (!turns.isTurnOf(this)) {
            pauseAndRetry(ctx);
            return;
        }
        chunksAllowed = turns.aloneAtHead(this) ? Integer.MAX_VALUE : RingTurns.CHUNKS_PER_TURN;
        if (!frame(backlog)) {
            turns.rotate(this);
            pauseAndRetry(ctx);
            return;
        }
        backlog.release();
        backlog = null;
        turns.leave(this);
        if (sourceClosed) {
            finish(ctx);
        } else {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        sourceClosed = true;
        if (backlog == null) {
            finish(ctx);
        } // else retry() finishes once the backlog is in the ring: until then the tail is not the last line
        DISCONNECTED_LOG.log("Event source disconnected: {} ({} bytes received)", ctx.channel().remoteAddress(),
            bytesReceived);
        ctx.fireChannelInactive();
    }

    /**
     * All input is framed. A held tail is a line whose end never came ({@code 2|P|9|2} may be {@code 2|P|9|23} cut
     * short): it is published as it is, without a line end, so that the pipeline counts it as truncated and never
     * parses it.
     */
    private void finish(ChannelHandlerContext ctx) {
        if (!framer.finish()) {
            // The ring is full: an empty backlog makes retry() call finish() again once the ring has room.
            backlog = Unpooled.EMPTY_BUFFER;
            pauseAndRetry(ctx);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof OutOfMemoryError) {
            // No direct memory for a read buffer right now (clients hold it; the outbound budget is freeing it).
            // Closing would lose the source's input: pause reading instead and try again shortly.
            LOG.debug("Event source {}: no memory to read into ({}); pausing", ctx.channel().remoteAddress(), cause.toString());
            ctx.channel().config().setAutoRead(false);
            ctx.executor().schedule(() -> {
                if (backlog == null) {
                    ctx.channel().config().setAutoRead(true);
                }
            }, 10, TimeUnit.MILLISECONDS);
            return;
        }
        FAILED_LOG.log("Event source {} failed; closing it: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
