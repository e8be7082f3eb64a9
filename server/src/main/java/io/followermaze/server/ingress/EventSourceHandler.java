package io.followermaze.server.ingress;

import io.followermaze.pipeline.IngressEntry;
import io.followermaze.pipeline.Pipeline;
import io.followermaze.pipeline.SharedRateLimitedLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One event-source connection. Frames the byte stream into whole lines and copies them, as few large
 * chunks per read as the ring entries allow, into the ingress ring; parsing happens on the pipeline thread.
 * <p>
 * Only the unfinished last line is kept here ({@code tail}). A line that grows past the maximum line length
 * without a line end is counted, logged, and discarded up to its next {@code '\n'}, so a source can not make
 * the server buffer without bound. When the source closes (or the server shuts down) with a line unfinished, that
 * fragment can not be told from a line cut short: it goes into the ring without a line end, and the pipeline
 * drops it and counts it as truncated (one place counts rejected lines), never parses it.
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
    private static final SharedRateLimitedLog OVERLONG_LOG = new SharedRateLimitedLog(LOG, Level.WARN, 1000);
    private static final SharedRateLimitedLog FAILED_LOG = new SharedRateLimitedLog(LOG, Level.WARN, 1000);
    static final long RETRY_MICROS = 100;

    private final Pipeline pipeline;
    private final int chunkBytes;
    private final int maxLineBytes;
    private final AtomicLong overlongLines;
    private final byte[] tail;
    private int tailLength;
    private boolean discarding;
    private long bytesReceived;
    /** Input received but not yet in the ring because the ring was full; null when none. */
    private ByteBuf backlog;
    private boolean retryScheduled;
    private boolean sourceClosed;
    private final RingTurns turns;
    /** In {@link #turns}' queue; written on this source's event loop only. */
    boolean queuedForTurn;
    /** Ring entries {@link #publishLines} may still publish in this call (fewer while it is another's turn too). */
    private int chunksAllowed = Integer.MAX_VALUE;

    /** @param overlongLines shared count of lines dropped here for exceeding the maximum length */
    public EventSourceHandler(Pipeline pipeline, AtomicLong overlongLines, RingTurns turns) {
        this.pipeline = pipeline;
        this.turns = turns;
        this.chunkBytes = pipeline.config().chunkBytes();
        this.maxLineBytes = pipeline.config().maxLineLength() + 1; // + optional '\r'
        this.overlongLines = overlongLines;
        this.tail = new byte[maxLineBytes];
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
        if (frame(ctx, in)) {
            in.release();
        } else {
            backlog = in;
            pauseAndRetry(ctx);
        }
    }

    /**
     * Publishes every complete line of {@code in}.
     *
     * @return true when all of {@code in} was consumed; false when the ring filled up first
     */
    private boolean frame(ChannelHandlerContext ctx, ByteBuf in) {
        while (in.isReadable()) {
            if (discarding) {
                final int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
                if (lf < 0) {
                    in.skipBytes(in.readableBytes());
                    return true;
                }
                in.readerIndex(lf + 1);
                discarding = false;
                continue;
            }
            final int span = Math.min(in.readableBytes(), chunkBytes - tailLength);
            final int lastLf = in.forEachByteDesc(in.readerIndex(), span, ByteProcessor.FIND_LF);
            if (lastLf < 0) {
                holdUnfinishedLine(ctx, in, span);
            } else if (!publishLines(in, lastLf + 1 - in.readerIndex())) {
                return false;
            }
        }
        return true;
    }

    /** {@code span} bytes hold no line end: keep them for the next read, unless the line is now too long. */
    private void holdUnfinishedLine(ChannelHandlerContext ctx, ByteBuf in, int span) {
        if (tailLength + span > maxLineBytes) {
            overlongLines.incrementAndGet();
            OVERLONG_LOG.log("Event source {} sent a line longer than {} bytes; discarding it up to its line end",
                ctx.channel().remoteAddress(), maxLineBytes - 1);
            tailLength = 0;
            discarding = true;
            in.skipBytes(span);
            return;
        }
        in.readBytes(tail, tailLength, span);
        tailLength += span;
    }

    /**
     * Publishes the held tail plus {@code length} bytes of {@code in} that end with '\n' as one ring entry (at the
     * source's close, the tail alone: {@code length} 0).
     *
     * @return false if the ring is full (nothing consumed)
     */
    private boolean publishLines(ByteBuf in, int length) {
        if (chunksAllowed == 0) {
            return false; // this source's turn is over (see RingTurns)
        }
        final long seq = pipeline.tryClaim();
        if (seq == Pipeline.RING_FULL) {
            return false;
        }
        chunksAllowed--;
        if (seq == Pipeline.STOPPED) {
            in.skipBytes(length); // shutting down: nothing consumes the ring any more
            tailLength = 0;
            return true;
        }
        try {
            final IngressEntry entry = pipeline.entry(seq);
            final byte[] dst = entry.bytes();
            System.arraycopy(tail, 0, dst, 0, tailLength);
            in.readBytes(dst, tailLength, length);
            entry.eventLines(tailLength + length);
            tailLength = 0;
        } finally {
            pipeline.publish(seq);
        }
        return true;
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
        if (!frame(ctx, backlog)) {
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
        if (tailLength > 0 && !discarding && !publishLines(Unpooled.EMPTY_BUFFER, 0)) {
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
