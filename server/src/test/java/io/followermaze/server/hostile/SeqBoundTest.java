package io.followermaze.server.hostile;

import io.followermaze.pipeline.PipelineConfig;
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

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 8, defect 4: one line {@code 9223372036854775807|B} with a gap timeout made the skip jump to 2^63-1;
 * {@code followermaze_resequencer_next} became -9.22e18 and every later stream was dropped as duplicates.
 */
class SeqBoundTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final String TOP = Long.MAX_VALUE + "|B\n";

    private static double value(PrometheusMeterRegistry registry, String series) {
        return Prometheus.required(registry, series);
    }

    private static String broadcasts(int from, int to) {
        final StringBuilder sb = new StringBuilder();
        for (int seq = from; seq <= to; seq++) {
            sb.append(seq).append("|B\n");
        }
        return sb.toString();
    }

    @Test
    void aSeqAtMaxValueIsRejectedAndCountedAndALaterStreamFlows() throws Exception {
        final ServerConfig config = ServerConfig.ephemeral().toBuilder()
            .pipeline(PipelineConfig.DEFAULT.withGapTimeoutMillis(100)).build();
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (FollowerMazeServer server = new FollowerMazeServer(config).start();
             TestClient client = new TestClient(server.clientPort(), 1, "\n")) {
            ServerMetrics.bind(server, registry);
            Conditions.await("registration", LIMIT, () -> server.pipeline().stats().registrations() == 1, () -> "");
            EventSource.send(server.eventPort(), TOP.getBytes(StandardCharsets.US_ASCII));
            Conditions.await("the line to be rejected (or, before the fix, released by a gap skip)", LIMIT,
                () -> server.pipeline().stats().rejectedTotal() == 1 || server.pipeline().stats().released() == 1, () -> "");
            assertEquals(1, value(registry, "followermaze_resequencer_next"));
            assertEquals(1, value(registry, "followermaze_events_rejected_total{reason=\"seq_too_far_ahead\"}"));
            EventSource.send(server.eventPort(), broadcasts(1, 50).getBytes(StandardCharsets.US_ASCII));
            Conditions.await("the later stream", LIMIT, () -> server.pipeline().stats().released() == 50,
                () -> "released=" + server.pipeline().stats().released());
            assertEquals(51, value(registry, "followermaze_resequencer_next"));
            assertEquals(0, value(registry, "followermaze_events_duplicates_total"));
            server.close();
            client.awaitClosed(LIMIT);
            assertEquals(broadcasts(1, 50).replace("\n", "\r\n"), client.received());
        } finally {
            registry.close();
        }
    }

    /** With the bound lifted to the top, seq 2^63-1 is released through a gap skip: the next seq awaited is 2^63. */
    @Test
    void theNextSeqGaugeDoesNotWrapAtTheTop() throws Exception {
        final ServerConfig config = ServerConfig.ephemeral().toBuilder()
            .pipeline(PipelineConfig.DEFAULT.withGapTimeoutMillis(50).withMaxSeqAhead(Long.MAX_VALUE)).build();
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (FollowerMazeServer server = new FollowerMazeServer(config).start()) {
            ServerMetrics.bind(server, registry);
            EventSource.send(server.eventPort(), TOP.getBytes(StandardCharsets.US_ASCII));
            Conditions.await("the gap skip to the top", LIMIT, () -> server.pipeline().stats().released() == 1, () -> "");
            assertEquals(0x1p63, value(registry, "followermaze_resequencer_next"));
            assertEquals(Long.MAX_VALUE, server.pipeline().stats().lastReleasedSeq());
            EventSource.send(server.eventPort(), "1|B\n".getBytes(StandardCharsets.US_ASCII));
            Conditions.await("the late seq to be dropped", LIMIT, () -> server.pipeline().stats().duplicatesDropped() == 1,
                () -> "");
            assertEquals(0x1p63, value(registry, "followermaze_resequencer_next"));
            assertEquals(0, server.pipeline().stats().pending());
        } finally {
            registry.close();
        }
    }
}
