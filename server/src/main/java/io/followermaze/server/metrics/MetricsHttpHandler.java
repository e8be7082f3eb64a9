package io.followermaze.server.metrics;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One metrics connection, after HTTP decoding and aggregation: routes {@code /metrics} and {@code /health}, and
 * keeps a deadline that bytes alone never extend. It is armed at connect, re-armed when a whole request arrives
 * and again when its response is written; when it fires the connection closes. So a request must arrive whole
 * within the timeout (slowloris), a response must be taken within it, and an idle keep-alive connection lasts
 * no longer. Runs on the metrics event loop, the only writer of {@link #deadline}.
 */
final class MetricsHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsHttpHandler.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String PLAIN_TEXT = "text/plain; charset=utf-8";

    private final long timeoutMillis;
    private final Supplier<String> scrape;
    private final HealthCheck health;
    private ScheduledFuture<?> deadline;

    MetricsHttpHandler(long timeoutMillis, Supplier<String> scrape, HealthCheck health) {
        this.timeoutMillis = timeoutMillis;
        this.scrape = scrape;
        this.health = health;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        rearm(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (deadline != null) {
            deadline.cancel(false);
        }
        super.channelInactive(ctx);
    }

    private void rearm(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (ctx.channel().isOpen()) {
            deadline = ctx.executor().schedule(() -> {
                LOG.debug("Metrics connection {}: no whole request or response within {} ms; closing",
                    ctx.channel().remoteAddress(), timeoutMillis);
                ctx.close();
            }, timeoutMillis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        rearm(ctx); // the response has its own timeout to be taken
        if (request.decoderResult().isFailure()) {
            respond(ctx, HttpVersion.HTTP_1_1, false, HttpResponseStatus.BAD_REQUEST, PLAIN_TEXT, "Bad request\n", false);
            return;
        }
        final boolean keepAlive = HttpUtil.isKeepAlive(request);
        final HttpMethod method = request.method();
        final boolean head = HttpMethod.HEAD.equals(method);
        if (!head && !HttpMethod.GET.equals(method)) {
            final FullHttpResponse res = response(request.protocolVersion(), HttpResponseStatus.METHOD_NOT_ALLOWED,
                PLAIN_TEXT, "Method not allowed\n", false);
            res.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            send(ctx, res, keepAlive);
            return;
        }
        switch (new QueryStringDecoder(request.uri()).path()) {
            case "/metrics" -> respond(ctx, request.protocolVersion(), keepAlive, HttpResponseStatus.OK, PROMETHEUS_TEXT,
                scrape.get(), head);
            case "/health" -> {
                final HealthCheck.Status status = health.check();
                respond(ctx, request.protocolVersion(), keepAlive,
                    status.up() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, PLAIN_TEXT,
                    status.body(), head);
            }
            default -> respond(ctx, request.protocolVersion(), keepAlive, HttpResponseStatus.NOT_FOUND, PLAIN_TEXT,
                "Not found: try /metrics or /health\n", head);
        }
    }

    private void respond(ChannelHandlerContext ctx, HttpVersion version, boolean keepAlive, HttpResponseStatus status,
                         String contentType, String body, boolean head) {
        send(ctx, response(version, status, contentType, body, head), keepAlive);
    }

    /** HEAD gets the headers GET would, Content-Length included, and no body. */
    private static FullHttpResponse response(HttpVersion version, HttpResponseStatus status, String contentType,
                                             String body, boolean head) {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        final FullHttpResponse res = new DefaultFullHttpResponse(version, status,
            head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType).setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return res;
    }

    private void send(ChannelHandlerContext ctx, FullHttpResponse res, boolean keepAlive) {
        HttpUtil.setKeepAlive(res, keepAlive);
        ctx.writeAndFlush(res).addListener(keepAlive
            ? (ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    rearm(ctx); // now idle: the same timeout bounds the wait for the next request
                } else {
                    ctx.close();
                }
            }
            : ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("Metrics connection {} failed; closing", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
