package io.followermaze.server.hostile;

import io.followermaze.protocol.ParseOutcome;
import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.metrics.ServerMetrics;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.EventSource;
import io.followermaze.server.testing.Prometheus;
import io.followermaze.server.testing.TestClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 8, defect 3: the source sends {@code 1|B\n2|P|9|2} (the line is really {@code 2|P|9|23}; its last byte never
 * arrives) and then disconnects, or the server shuts down. A fragment without its line end can not be told from a
 * line cut short: it is dropped and counted as {@code truncated}, never parsed, so user 2 never receives a private
 * message meant for user 23.
 */
class TruncatedLastLineTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final byte[] WIRE = "1|B\n2|P|9|2".getBytes(StandardCharsets.US_ASCII);
    private static final String TRUNCATED = "followermaze_events_rejected_total{reason=\"truncated\"}";

    private static double value(PrometheusMeterRegistry registry, String series) {
        return Prometheus.required(registry, series);
    }

    @Test
    void anUnterminatedLastLineIsDroppedWhenTheSourceDisconnects() throws Exception {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (FollowerMazeServer server = new FollowerMazeServer(ServerConfig.ephemeral()).start();
             TestClient two = new TestClient(server.clientPort(), 2, "\n");
             TestClient nine = new TestClient(server.clientPort(), 9, "\n")) {
            ServerMetrics.bind(server, registry);
            Conditions.await("registrations", LIMIT, () -> server.pipeline().stats().registrations() == 2, () -> "");
            EventSource.send(server.eventPort(), WIRE);
            Conditions.await("both lines to reach the pipeline", LIMIT, () -> server.pipeline().stats().linesReceived() == 2
                    && server.pipeline().stats().rejectedTotal() == 1 && server.pipeline().stats().released() == 1,
                () -> "lines=" + server.pipeline().stats().linesReceived());
            assertEquals(1, value(registry, TRUNCATED));
            assertEquals(1, server.pipeline().stats().rejected(ParseOutcome.TRUNCATED));
            assertEquals(1, server.pipeline().stats().rejectedTotal());
            assertEquals(1, server.pipeline().stats().released());
            server.close();
            two.awaitClosed(LIMIT);
            nine.awaitClosed(LIMIT);
            assertEquals("1|B\r\n", two.received());
            assertEquals("1|B\r\n", nine.received());
        } finally {
            registry.close();
        }
    }

    /** As SIGTERM does: the server closes while the source, its last line unfinished, is still connected. */
    @Test
    void anUnterminatedLastLineIsDroppedWhenTheServerShutsDown() throws Exception {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (FollowerMazeServer server = new FollowerMazeServer(ServerConfig.ephemeral()).start();
             TestClient two = new TestClient(server.clientPort(), 2, "\n");
             Socket source = new Socket()) {
            ServerMetrics.bind(server, registry);
            Conditions.await("registration", LIMIT, () -> server.pipeline().stats().registrations() == 1, () -> "");
            source.connect(new InetSocketAddress("127.0.0.1", server.eventPort()), 10_000);
            final OutputStream out = source.getOutputStream();
            out.write(WIRE); // one small write: one segment, so the fragment arrives with the first line
            out.flush();
            Conditions.await("the first line to reach the pipeline", LIMIT,
                () -> server.pipeline().stats().released() == 1, () -> "released=" + server.pipeline().stats().released());
            server.close(); // the source is still connected, its fragment held at the connection
            two.awaitClosed(LIMIT);
            assertEquals("1|B\r\n", two.received());
            assertEquals(2, server.pipeline().stats().linesReceived());
            assertEquals(1, server.pipeline().stats().released());
            assertEquals(1, value(registry, TRUNCATED));
            assertEquals(1, server.pipeline().stats().rejectedTotal());
        } finally {
            registry.close();
        }
    }
}
