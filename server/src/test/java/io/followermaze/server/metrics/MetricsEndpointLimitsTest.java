package io.followermaze.server.metrics;

import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.Prometheus;
import io.followermaze.server.testing.RawClient;
import io.netty.channel.Channel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The metrics port under abuse: stalled requests, too many connections, wrong methods and paths. */
class MetricsEndpointLimitsTest {
    /** Generous: the acceptance asks for 1 s; a slow CI machine must not fail the test. */
    private static final Duration ANSWER = Duration.ofSeconds(5);
    private static final Duration LIMIT = Duration.ofSeconds(30);
    /** Long enough that only a test that means to see the timeout ever does. */
    private static final long NO_TIMEOUT = 60_000;
    private static final byte[] STALLED = ascii("GET /metrics HTTP/1.1\r\nHost: x\r\n");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(ANSWER).build();
    private FollowerMazeServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = new FollowerMazeServer(ServerConfig.ephemeral()).start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void aStalledRequestDoesNotBlockHealthOrMetrics() throws Exception {
        try (MetricsEndpoint metrics = new MetricsEndpoint(server, "127.0.0.1", 0, 16, NO_TIMEOUT);
             RawClient stalled = new RawClient(metrics.port()).send(STALLED)) {
            final HttpResponse<String> health = get(metrics, "/health");
            assertEquals(200, health.statusCode());
            assertTrue(health.body().startsWith("UP\n"), health.body());
            final HttpResponse<String> scrape = get(metrics, "/metrics");
            assertEquals(200, scrape.statusCode());
            assertTrue(scrape.body().contains("followermaze_events_received_total"), scrape.body());
        }
    }

    @Test
    void aStalledRequestIsClosedAfterTheTimeout() throws Exception {
        try (MetricsEndpoint metrics = new MetricsEndpoint(server, "127.0.0.1", 0, 16, 300)) {
            final long start = System.nanoTime();
            try (RawClient stalled = new RawClient(metrics.port()).send(STALLED)) {
                stalled.awaitClosedByServer((int) LIMIT.toMillis());
            }
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(300), "not before the timeout");
            assertEquals(200, get(metrics, "/health").statusCode());
        }
    }

    @Test
    void aRequestDrippedByteByByteIsClosedAfterTheTimeout() throws Exception {
        try (MetricsEndpoint metrics = new MetricsEndpoint(server, "127.0.0.1", 0, 16, 300);
             RawClient slowloris = new RawClient(metrics.port()).send(ascii("GET /health HTTP/1.1\r\nHost: x\r\n"))) {
            final Thread drip = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) { // a header every 20 ms: never a whole request
                        slowloris.send(ascii("X-a: b\r\n"));
                        Thread.sleep(20);
                    }
                } catch (IOException | InterruptedException closed) {
                    // the server closed the connection, or the test is over
                }
            }, "slowloris");
            drip.setDaemon(true);
            drip.start();
            try {
                slowloris.awaitClosedByServer((int) LIMIT.toMillis());
            } finally {
                drip.interrupt();
            }
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheTimeout() throws Exception {
        try (MetricsEndpoint metrics = new MetricsEndpoint(server, "127.0.0.1", 0, 16, 300);
             Socket socket = connect(metrics)) {
            final OutputStream out = socket.getOutputStream();
            out.write(ascii("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
            out.flush();
            assertTrue(readResponse(socket.getInputStream()).startsWith("HTTP/1.1 200"));
            socket.setSoTimeout((int) LIMIT.toMillis());
            assertEquals(-1, socket.getInputStream().read(), "closed by the server once idle");
        }
    }

    @Test
    void keepAliveServesManyRequestsOnOneConnectionAndConnectionCloseIsHonoured() throws Exception {
        try (MetricsEndpoint metrics = new MetricsEndpoint(server, "127.0.0.1", 0, 16, NO_TIMEOUT);
             Socket socket = connect(metrics)) {
            final OutputStream out = socket.getOutputStream();
            final InputStream in = socket.getInputStream();
            socket.setSoTimeout((int) LIMIT.toMillis());
            for (int i = 0; i < 3; i++) {
                out.write(ascii("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
                out.flush();
                final String response = readResponse(in);
                assertTrue(response.startsWith("HTTP/1.1 200"), response);
                assertTrue(response.endsWith("\r\n\r\nUP\nnext_seq=1\npending=0\n"), response);
            }
            out.write(ascii("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
            out.flush();
            assertTrue(readResponse(in).startsWith("HTTP/1.1 200"));
            assertEquals(-1, in.read(), "closed after the response it asked to be the last");
        }
    }

    /**
     * Probe of issue 8: an attacker keeps the cap's worth of stalled requests open, reopening each as soon as it is
     * closed. Refusing newcomers at the cap locked every scrape out (0 of 195 answered in 20 s); closing the oldest
     * connection instead lets every real request through, and the stalled ones are the ones that go.
     */
    @Test
    void stalledConnectionsAtTheCapGiveWayToNewRequests() throws Exception {
        final int cap = 3;
        try (MetricsEndpoint metrics = new MetricsEndpoint(server, "127.0.0.1", 0, cap, NO_TIMEOUT)) {
            final List<RawClient> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < cap; i++) {
                    stalled.add(new RawClient(metrics.port()).send(ascii("GET /metrics HTTP/1.1\r\nHost: x\r\n")));
                }
                for (int round = 0; round < 5; round++) {
                    assertEquals(200, get(metrics, "/health").statusCode(), "round " + round);
                    // the attacker reopens what was closed, so the cap is full of stalled requests again
                    stalled.add(new RawClient(metrics.port()).send(ascii("GET /metrics HTTP/1.1\r\nHost: x\r\n")));
                }
                stalled.get(0).awaitClosedByServer((int) LIMIT.toMillis()); // the idle timeout is 60 s: this is the cap
                final double refusals = Prometheus.value(get(metrics, "/metrics").body(),
                    "followermaze_metrics_connections_refused_total");
                assertTrue(refusals >= 5, "connections closed at the cap are counted: " + refusals);
            } finally {
                for (RawClient c : stalled) {
                    c.close();
                }
            }
        }
    }

    @Test
    void onlyGetAndHeadOnlyMetricsAndHealth() throws Exception {
        try (MetricsEndpoint metrics = new MetricsEndpoint(server, "127.0.0.1", 0, 16, NO_TIMEOUT)) {
            final HttpResponse<String> post = http.send(request(metrics, "/metrics")
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
            assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
            assertEquals(404, get(metrics, "/nope").statusCode());

            final HttpResponse<String> head = http.send(request(metrics, "/health")
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, head.statusCode());
            assertEquals("", head.body());
            final String body = get(metrics, "/health").body(); // and the connection is still in step after HEAD
            assertEquals(String.valueOf(body.getBytes(StandardCharsets.UTF_8).length),
                head.headers().firstValue("Content-Length").orElse(""));
        }
    }

    @Test
    void anAcceptFailurePausesAcceptingInsteadOfSpinning() throws Exception {
        try (MetricsEndpoint metrics = new MetricsEndpoint(server, "127.0.0.1", 0, 16, NO_TIMEOUT)) {
            final Channel listener = metrics.listener();
            final long start = System.nanoTime();
            // What the accept loop reports when the process is out of fds (EMFILE).
            final boolean readingAfterFailure = listener.eventLoop().submit(() -> {
                listener.pipeline().fireExceptionCaught(new IOException("Too many open files"));
                return listener.config().isAutoRead();
            }).get();
            assertFalse(readingAfterFailure, "accepting stops after an accept failure");
            Conditions.await("accepting to resume", LIMIT, () -> listener.config().isAutoRead(), () -> "");
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(900), "paused for about a second");
            assertEquals(200, get(metrics, "/health").statusCode());
        }
    }

    private HttpRequest.Builder request(MetricsEndpoint metrics, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics.port() + path)).timeout(ANSWER);
    }

    private HttpResponse<String> get(MetricsEndpoint metrics, String path) throws Exception {
        return http.send(request(metrics, path).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Socket connect(MetricsEndpoint metrics) throws IOException {
        final Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", metrics.port()), (int) ANSWER.toMillis());
        return socket;
    }

    /** One response with a Content-Length body: status line and headers, blank line, body. */
    private static String readResponse(InputStream in) throws IOException {
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            final int b = in.read();
            if (b < 0) {
                throw new IOException("closed mid-response: " + head.toString(StandardCharsets.US_ASCII));
            }
            head.write(b);
        }
        final String headers = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        return headers + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
