package io.followermaze.server.metrics;

import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.EventSource;
import io.followermaze.server.testing.Prometheus;
import io.followermaze.server.testing.TestClient;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A known small stream, then /metrics must show exactly its counts; /health follows the pipeline. */
class MetricsEndpointTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @Test
    void countersMatchAKnownStreamAndHealthAnswers() throws Exception {
        final String stream = String.join("\n",
            "1|F|2|1",      // -> 1
            "2|B",          // -> 1, 2
            "bad line",     // rejected: bad_sequence
            "3|S|1",        // -> 2 (follower of 1)
            "100|X|1",      // rejected: unknown_type
            "4|P|2|1",      // -> 1
            "101|P|1",      // rejected: wrong_field_count
            "5|U|2|1",      // nobody
            "6|P|1|99",     // 99 is not connected: dropped
            "102|F|0|1",    // rejected: bad_user_id
            "6|B") + "\n";  // duplicate of 6
        try (FollowerMazeServer server = new FollowerMazeServer(ServerConfig.ephemeral()).start();
             MetricsEndpoint metrics = new MetricsEndpoint(server, "127.0.0.1", 0, 16, 5_000);
             TestClient one = new TestClient(server.clientPort(), 1, "\n");
             TestClient two = new TestClient(server.clientPort(), 2, "\n")) {
            Conditions.await("registrations", LIMIT, () -> server.pipeline().stats().registrations() == 2, () -> "");
            EventSource.send(server.eventPort(), stream.getBytes(StandardCharsets.US_ASCII));
            Conditions.await("release of seq 6 and the duplicate", LIMIT,
                () -> server.pipeline().stats().lastReleasedSeq() == 6 && server.pipeline().stats().duplicatesDropped() == 1,
                () -> "released=" + server.pipeline().stats().lastReleasedSeq());
            Conditions.await("source disconnect", LIMIT, () -> server.openEventSources() == 0, () -> "");

            final HttpClient http = HttpClient.newHttpClient();
            final String base = "http://127.0.0.1:" + metrics.port();
            final HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertEquals("UP\nnext_seq=7\npending=0\n", health.body());

            final String text = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
            assertEquals(11, value(text, "followermaze_events_received_total"));
            assertEquals(7, value(text, "followermaze_events_parsed_total"));
            assertEquals(1, value(text, "followermaze_events_rejected_total{reason=\"bad_sequence\"}"));
            assertEquals(1, value(text, "followermaze_events_rejected_total{reason=\"unknown_type\"}"));
            assertEquals(1, value(text, "followermaze_events_rejected_total{reason=\"wrong_field_count\"}"));
            assertEquals(1, value(text, "followermaze_events_rejected_total{reason=\"bad_user_id\"}"));
            assertEquals(0, value(text, "followermaze_events_rejected_total{reason=\"line_too_long\"}"));
            assertEquals(6, value(text, "followermaze_events_released_total"));
            assertEquals(1, value(text, "followermaze_events_duplicates_total"));
            assertEquals(5, value(text, "followermaze_notifications_sent_total"));
            assertEquals(1, value(text, "followermaze_notifications_dropped_total"));
            assertEquals(2, value(text, "followermaze_clients_connected"));
            assertEquals(1, value(text, "followermaze_event_sources_connections_total"));
            assertEquals(0, value(text, "followermaze_resequencer_pending"));
            assertEquals(0, value(text, "followermaze_gaps_skipped_total"));
            assertTrue(text.contains("jvm_memory_used_bytes"), "JVM metrics are exported");
        }
    }

    @Test
    void healthIsDown503OnceThePipelineHasStopped() throws Exception {
        try (FollowerMazeServer server = new FollowerMazeServer(ServerConfig.ephemeral()).start();
             MetricsEndpoint metrics = new MetricsEndpoint(server, "127.0.0.1", 0, 16, 5_000)) {
            server.close(); // drains and stops the pipeline; the metrics port outlives it
            final HttpResponse<String> health = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics.port() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(503, health.statusCode());
            assertEquals("DOWN\nnext_seq=1\npending=0\nreason=pipeline stopped\n", health.body());
        }
    }

    private static double value(String exposition, String series) {
        final double v = Prometheus.value(exposition, series);
        if (Double.isNaN(v)) {
            throw new AssertionError("no series " + series + " in:\n" + exposition);
        }
        return v;
    }
}
