package io.followermaze.server.ingress;

import io.followermaze.pipeline.IngressEntry;
import io.followermaze.pipeline.Pipeline;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ByteProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One event-source connection. Frames the byte stream into whole lines and copies them, as few large
 * chunks per read as the ring entries allow, into the ingress ring; parsing happens on the pipeline thread.
 * <p>
 * Only the unfinished last line of a read is kept here ({@code tail}). A line that grows past the
 * maximum line length without a line end is counted, logged, and discarded up to its next {@code '\n'}, so
 * a source can not make the server buffer without bound. When the source closes, an unterminated final line
 * is still passed on (and parsed like any other).
 */
public final class EventSourceHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(EventSourceHandler.class);

    private final Pipeline pipeline;
    private final int chunkBytes;
    private final int maxLineBytes;
    private final AtomicLong overlongLines;
    private final byte[] tail;
    private int tailLength;
    private boolean discarding;
    private long bytesReceived;

    /**
     * @param overlongLines shared count of lines dropped here for exceeding the maximum length
     */
    public EventSourceHandler(Pipeline pipeline, AtomicLong overlongLines) {
        this.pipeline = pipeline;
        this.chunkBytes = pipeline.config().chunkBytes();
        this.maxLineBytes = pipeline.config().maxLineLength() + 1; // + optional '\r'
        this.overlongLines = overlongLines;
        this.tail = new byte[maxLineBytes];
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        LOG.info("Event source connected: {}", ctx.channel().remoteAddress());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        final ByteBuf in = (ByteBuf) msg;
        try {
            bytesReceived += in.readableBytes();
            while (in.isReadable()) {
                if (discarding) {
                    final int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
                    if (lf < 0) {
                        in.skipBytes(in.readableBytes());
                        return;
                    }
                    in.readerIndex(lf + 1);
                    discarding = false;
                    continue;
                }
                final int span = Math.min(in.readableBytes(), chunkBytes - tailLength);
                final int lastLf = in.forEachByteDesc(in.readerIndex(), span, ByteProcessor.FIND_LF);
                if (lastLf < 0) {
                    holdUnfinishedLine(ctx, in, span);
                } else {
                    publishLines(in, lastLf + 1 - in.readerIndex());
                }
            }
        } finally {
            in.release();
        }
    }

    /** {@code span} bytes hold no line end: keep them for the next read, unless the line is now too long. */
    private void holdUnfinishedLine(ChannelHandlerContext ctx, ByteBuf in, int span) {
        if (tailLength + span > maxLineBytes) {
            overlongLines.incrementAndGet();
            LOG.warn("Event source {} sent a line longer than {} bytes; discarding it up to its line end",
                ctx.channel().remoteAddress(), maxLineBytes - 1);
            tailLength = 0;
            discarding = true;
            in.skipBytes(span);
            return;
        }
        in.readBytes(tail, tailLength, span);
        tailLength += span;
    }

    /** Publishes the held tail plus {@code length} bytes of {@code in} that end with '\n' as one ring entry. */
    private void publishLines(ByteBuf in, int length) {
        final long seq = pipeline.claim();
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
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (tailLength > 0 && !discarding) {
            pipeline.publishEventLines(tail, 0, tailLength);
            tailLength = 0;
        }
        LOG.info("Event source disconnected: {} ({} bytes received)", ctx.channel().remoteAddress(), bytesReceived);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.warn("Event source {} failed; closing it: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
