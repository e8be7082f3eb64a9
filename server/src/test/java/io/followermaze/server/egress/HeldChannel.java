package io.followermaze.server.egress;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;

import java.io.ByteArrayOutputStream;

/**
 * An embedded channel whose "socket" takes bytes only when the test says so, so that bytes really queue in Netty's
 * outbound buffer (and writability really changes) as they do for a client that reads slowly or not at all. It
 * tells the egress what its {@code ClientRegistrationHandler} would (writability changes, close), counts flushes,
 * and keeps every byte that reached the socket.
 */
final class HeldChannel extends EmbeddedChannel {
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private boolean held;
    private ChannelSession session;
    private Egress egress;
    int flushes;

    HeldChannel(int lowWaterMark, int highWaterMark) {
        config().setWriteBufferWaterMark(new WriteBufferWaterMark(lowWaterMark, highWaterMark));
        pipeline().addLast(new ChannelDuplexHandler() {
            @Override
            public void flush(ChannelHandlerContext ctx) {
                flushes++;
                ctx.flush();
            }

            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                if (session != null) {
                    egress.onWritabilityChanged(session, ctx.channel().isWritable());
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close(); // as the server's handler does: e.g. writes failing on a closed connection
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                if (session != null) {
                    egress.onClosed(session);
                }
            }
        });
    }

    HeldChannel() {
        this(32 * 1024, 64 * 1024);
    }

    ChannelSession attach(Egress egress, long userId) {
        this.egress = egress;
        this.session = egress.newSession(userId, this);
        return session;
    }

    /** The client stops reading: bytes stay queued in Netty from now on. */
    void hold() {
        held = true;
    }

    /** The client takes the oldest queued buffer. @return false if none was queued */
    boolean takeOne() {
        final ChannelOutboundBuffer out = unsafe().outboundBuffer();
        if (out == null || out.current() == null) {
            return false;
        }
        keep((ByteBuf) out.current());
        out.remove();
        return true;
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        while (!held && in.current() != null) {
            keep((ByteBuf) in.current());
            in.remove();
        }
    }

    private void keep(ByteBuf buf) {
        final byte[] bytes = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), bytes);
        received.writeBytes(bytes);
    }

    /** Everything the client has read, as text. */
    String received() {
        return received.toString(java.nio.charset.StandardCharsets.US_ASCII);
    }

    long queued() {
        final ChannelOutboundBuffer out = unsafe().outboundBuffer();
        return out == null ? 0 : out.totalPendingWriteBytes();
    }
}
