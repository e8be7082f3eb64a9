package io.followermaze.server.ingress;

import io.followermaze.pipeline.Pipeline;
import io.followermaze.pipeline.SharedRateLimitedLog;
import io.followermaze.server.egress.ChannelSession;
import io.followermaze.server.egress.Egress;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.util.concurrent.TimeUnit;

/**
 * One client connection. Reads the user id line ({@code digits} then {@code \n} or {@code \r\n}), registers a
 * {@link ChannelSession} through the pipeline, and from then on discards whatever the client sends without
 * buffering it. A bad id, an over-long id line or no id within the timeout closes the connection.
 * Unregisters (through the pipeline) when the connection closes.
 */
public final class ClientRegistrationHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ClientRegistrationHandler.class);
    // Per-connection warnings: at most one a second per kind for the whole process, with the count suppressed
    // (a flood of silent or bad clients once logged 66,571 lines in 45 s).
    private static final SharedRateLimitedLog ID_TIMEOUT_LOG = new SharedRateLimitedLog(LOG, Level.WARN, 1000);
    private static final SharedRateLimitedLog REJECT_LOG = new SharedRateLimitedLog(LOG, Level.WARN, 1000);

    private final Pipeline pipeline;
    private final Egress egress;
    private final long idTimeoutMillis;
    private final byte[] idLine;
    private int idLength;
    private ChannelSession session;
    private ScheduledFuture<?> idTimeout;
    private boolean registered;
    private boolean unregisterWanted;
    private boolean unregistered;
    private boolean retryScheduled;

    public ClientRegistrationHandler(Pipeline pipeline, Egress egress, int maxIdLength, long idTimeoutMillis) {
        this.pipeline = pipeline;
        this.egress = egress;
        this.idTimeoutMillis = idTimeoutMillis;
        this.idLine = new byte[maxIdLength + 1]; // + optional '\r'
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        LOG.debug("Client connected: {}", ctx.channel().remoteAddress());
        idTimeout = ctx.executor().schedule(() -> {
            if (session == null && ctx.channel().isActive()) {
                ID_TIMEOUT_LOG.log("Client {} sent no user id within {} ms; closing", ctx.channel().remoteAddress(),
                    idTimeoutMillis);
                ctx.close();
            }
        }, idTimeoutMillis, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        final ByteBuf in = (ByteBuf) msg;
        try {
            while (session == null && in.isReadable() && ctx.channel().isActive()) {
                final byte b = in.readByte();
                if (b == '\n') {
                    onIdLine(ctx);
                } else if (idLength == idLine.length) {
                    reject(ctx, "id line longer than " + (idLine.length - 1) + " bytes");
                } else {
                    idLine[idLength++] = b;
                }
            }
            // Anything after the id is not part of the protocol: dropped here, never buffered.
        } finally {
            in.release();
        }
    }

    private void onIdLine(ChannelHandlerContext ctx) {
        int end = idLength;
        if (end > 0 && idLine[end - 1] == '\r') {
            end--;
        }
        final long userId = parseUserId(idLine, end);
        if (userId <= 0) {
            reject(ctx, "user id is not a number from 1 to 2^63-1");
            return;
        }
        if (idTimeout != null) {
            idTimeout.cancel(false);
        }
        session = egress.newSession(userId, ctx.channel());
        publishRegistrationChanges(ctx);
        LOG.debug("Client {} identified as user {}", ctx.channel().remoteAddress(), userId);
    }

    /** @return the id, or -1 if not 1..19 digits with a value of at least 1 */
    static long parseUserId(byte[] bytes, int length) {
        if (length == 0 || length > 19) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < length; i++) {
            final int digit = bytes[i] - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
            if (value < 0) {
                return -1;
            }
        }
        return value == 0 ? -1 : value;
    }

    private void reject(ChannelHandlerContext ctx, String why) {
        REJECT_LOG.log("Client {} rejected: {}; closing", ctx.channel().remoteAddress(), why);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (idTimeout != null) {
            idTimeout.cancel(false);
        }
        if (session != null) {
            unregisterWanted = true;
            egress.onClosed(session);
            publishRegistrationChanges(ctx);
            LOG.debug("Client {} (user {}) disconnected", ctx.channel().remoteAddress(), session.userId());
        }
        ctx.fireChannelInactive();
    }

    /**
     * Publishes the register and then the unregister entry, in that order, without ever waiting on the ring
     * from this event loop: when the ring is full it retries shortly (see EventSourceHandler for why).
     */
    private void publishRegistrationChanges(ChannelHandlerContext ctx) {
        retryScheduled = false;
        if (!registered) {
            if (!pipeline.tryRegister(session)) {
                scheduleRetry(ctx);
                return;
            }
            registered = true;
        }
        if (unregisterWanted && !unregistered) {
            if (!pipeline.tryUnregister(session)) {
                scheduleRetry(ctx);
                return;
            }
            unregistered = true;
        }
    }

    private void scheduleRetry(ChannelHandlerContext ctx) {
        if (!retryScheduled) {
            retryScheduled = true;
            // The ring is full: try again as soon as an event source would (one delay for every ingress producer).
            ctx.executor().schedule(() -> publishRegistrationChanges(ctx), EventSourceHandler.RETRY_MICROS,
                TimeUnit.MICROSECONDS);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (session != null) {
            egress.onWritabilityChanged(session, ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("Client {} failed; closing: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
