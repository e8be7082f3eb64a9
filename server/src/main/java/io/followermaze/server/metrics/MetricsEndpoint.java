package io.followermaze.server.metrics;

import io.followermaze.pipeline.RateLimitedLog;
import io.followermaze.server.FollowerMazeServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /metrics} (Prometheus text format) and {@code GET /health} ({@link HealthCheck}: 200 UP or 503 DOWN)
 * on Netty, with one event loop of its own: scrapes are rare and off the hot path, and nothing a metrics client
 * does can block it. At most {@code maxConnections} are open (more are closed at once), and each connection
 * must deliver a whole request, take its response and send the next request within {@code timeoutMillis}
 * ({@link MetricsHttpHandler}). Plain NIO: the port sees a handful of connections.
 *
 * <p>Threads: everything below that changes after construction ({@link #openChannels}, {@link #refused}, the rate-limited
 * logs, the health check's samples) is written on the one metrics event loop only.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);
    /** Most HTTP connections open at once unless {@code --metrics-max-connections} says otherwise. */
    public static final int DEFAULT_MAX_CONNECTIONS = 16;
    /** Request and keep-alive timeout unless {@code --metrics-timeout-ms} says otherwise. */
    public static final long DEFAULT_TIMEOUT_MILLIS = 5_000;
    /** Largest request body; GET and HEAD have none, so this only bounds what a hostile client makes us buffer. */
    static final int MAX_REQUEST_BYTES = 8 * 1024;
    /** Requests a client may pipeline ahead of its responses; beyond it the connection is closed. */
    static final int MAX_PIPELINED = 4;
    static final long HEALTH_SAMPLE_MILLIS = 250;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HealthCheck health;
    private final int maxConnections;
    private final long timeoutMillis;
    private final EventLoopGroup group;
    private final Channel listener;
    private final RateLimitedLog refusalLog = new RateLimitedLog(LOG, 1000);
    private final RateLimitedLog acceptFailureLog = new RateLimitedLog(LOG, 1000);
    private final java.util.ArrayDeque<Channel> openChannels = new java.util.ArrayDeque<>(); // metrics loop only
    private long refused; // metrics loop only (also read there: scrapes run on the loop)

    /**
     * @param maxConnections connections open at once; more are closed as soon as they are accepted
     * @param timeoutMillis  a request must arrive whole, and an idle keep-alive connection is closed, within this
     */
    public MetricsEndpoint(FollowerMazeServer server, String bindAddress, int port, int maxConnections,
                           long timeoutMillis) throws IOException {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be >= 1: " + maxConnections);
        }
        if (timeoutMillis < 1) {
            throw new IllegalArgumentException("timeoutMillis must be >= 1: " + timeoutMillis);
        }
        this.maxConnections = maxConnections;
        this.timeoutMillis = timeoutMillis;
        this.health = HealthCheck.of(server);
        ServerMetrics.bind(server, registry);
        FunctionCounter.builder("followermaze.metrics.connections.refused", this, e -> e.refused)
            .description("Connections to the metrics port closed because --metrics-max-connections were open")
            .register(registry);
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("followermaze-metrics", true),
            NioIoHandler.newFactory());
        final EventLoop loop = group.next(); // the only one: listener, connections, timers
        try {
            loop.submit(this::warmUp).syncUninterruptibly();
            this.listener = new ServerBootstrap()
                .group(loop)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new Admission())
                .bind(new InetSocketAddress(bindAddress, port))
                .syncUninterruptibly()
                .channel();
        } catch (Throwable e) { // a failed bind (BindException: port in use) is rethrown as it came
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            registry.close();
            throw e;
        }
        // After Netty's acceptor, which on an accept error (EMFILE: no fd left) already stops accepting for 1 s
        // instead of retrying at once; this only keeps the log to one line a second.
        listener.pipeline().addLast(new AcceptFailures());
        loop.scheduleAtFixedRate(() -> {
            health.sample();
            refusalLog.flushIfDue();
            acceptFailureLog.flushIfDue();
        }, HEALTH_SAMPLE_MILLIS, HEALTH_SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
        LOG.info("Metrics on http://{}:{}/metrics, health on /health (at most {} connections, {} ms timeout)",
            bindAddress, port(), maxConnections, timeoutMillis);
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The listening channel (tests: accept-failure handling). */
    Channel listener() {
        return listener;
    }

    /** Admits a connection below the cap; runs on the metrics loop, which every child channel shares. */
    /**
     * At the cap, the oldest connection makes room for the new one (counted as refused, logged at most once a
     * second): a client that holds connections open without finishing requests can not lock everyone else out, as
     * a plain refusal of newcomers would let it do; a real scrape completes in milliseconds, long before 16 newer
     * connections push it out.
     */
    private final class Admission extends ChannelInitializer<Channel> {
        @Override
        protected void initChannel(Channel ch) {
            if (openChannels.size() >= maxConnections) {
                final Channel oldest = openChannels.pollFirst();
                refused++;
                refusalLog.warn("Metrics port: {} connections open (--metrics-max-connections); closing the oldest, {}",
                    maxConnections, oldest.remoteAddress());
                oldest.close();
            }
            openChannels.addLast(ch);
            ch.closeFuture().addListener(f -> openChannels.remove(ch)); // on the channel's loop: the metrics loop
            ch.pipeline().addLast(httpHandlers());
        }
    }

    private ChannelHandler[] httpHandlers() {
        return new ChannelHandler[] {
            new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(4096).setMaxHeaderSize(MAX_REQUEST_BYTES).setMaxChunkSize(MAX_REQUEST_BYTES),
                MAX_PIPELINED),
            new HttpObjectAggregator(MAX_REQUEST_BYTES),
            new MetricsHttpHandler(timeoutMillis, registry::scrape, health)};
    }

    /**
     * Serves one /health and one /metrics in memory, so that the first real probe does not pay for loading the
     * HTTP classes and the first scrape (0.3 to 1.5 s measured on a loaded 2-core machine). On the metrics loop,
     * the health check's one writer.
     */
    private void warmUp() {
        final EmbeddedChannel ch = new EmbeddedChannel(httpHandlers());
        ch.writeInbound(Unpooled.copiedBuffer("GET /health HTTP/1.1\r\nHost: warm-up\r\n\r\n"
            + "GET /metrics HTTP/1.1\r\nHost: warm-up\r\nConnection: close\r\n\r\n", StandardCharsets.US_ASCII));
        ch.finishAndReleaseAll();
    }

    private final class AcceptFailures extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            acceptFailureLog.warn("Metrics port: accept failed ({}); {}", cause.toString(), "accepting again in 1 s");
        }
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        registry.close();
    }
}
