package io.followermaze.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.followermaze.server.FollowerMazeServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code GET /metrics} (Prometheus text format) and {@code GET /health} (200 "UP" while the pipeline runs,
 * 503 otherwise) on a small JDK HTTP server with one daemon thread: scrapes are rare and off the hot path.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);

    private final HttpServer http;
    private final ExecutorService executor;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public MetricsEndpoint(FollowerMazeServer server, String bindAddress, int port, int maxConnections,
                           long timeoutMillis) throws IOException {
        this(server, bindAddress, port);
    }

    public MetricsEndpoint(FollowerMazeServer server, String bindAddress, int port) throws IOException {
        ServerMetrics.bind(server, registry);
        this.http = HttpServer.create(new InetSocketAddress(bindAddress, port), 16);
        this.executor = Executors.newSingleThreadExecutor(r -> {
            final Thread t = new Thread(r, "followermaze-metrics");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(executor);
        http.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
            registry.scrape()));
        http.createContext("/health", ex -> {
            final boolean up = server.pipeline().isRunning();
            respond(ex, up ? 200 : 503, "text/plain; charset=utf-8", up ? "UP\n" : "DOWN\n");
        });
        http.start();
        LOG.info("Metrics on http://{}:{}/metrics, health on /health", bindAddress, port());
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    private static void respond(HttpExchange ex, int status, String contentType, String body) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", contentType);
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
        registry.close();
    }
}
