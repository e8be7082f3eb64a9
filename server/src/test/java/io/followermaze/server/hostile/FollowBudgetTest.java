package io.followermaze.server.hostile;

import io.followermaze.graph.FollowerGraph.FollowResult;
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
 * Issue 8, defect 2: follows between fresh ids beyond the graph's budget are refused and counted, released and
 * delivered all the same; the stream keeps flowing.
 */
class FollowBudgetTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    private static double value(PrometheusMeterRegistry registry, String series) {
        return Prometheus.required(registry, series);
    }

    @Test
    void followsBeyondTheBudgetAreCountedAndStillDelivered() throws Exception {
        final int follows = 20_000;
        final ServerConfig config = ServerConfig.ephemeral().toBuilder()
            .pipeline(PipelineConfig.DEFAULT.withMaxUsers(1_000).withMaxFollows(400)).build();
        final StringBuilder wire = new StringBuilder();
        final StringBuilder expected = new StringBuilder();
        for (int i = 1; i <= follows; i++) {
            final String line = i + "|F|" + (1_000_000 + i) + "|" + (i % 2 == 0 ? 7 : 2_000_000 + i);
            wire.append(line).append('\n');
            if (i % 2 == 0) {
                expected.append(line).append("\r\n");
            }
        }
        wire.append(follows + 1).append("|S|7\n");
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (FollowerMazeServer server = new FollowerMazeServer(config).start();
             TestClient seven = new TestClient(server.clientPort(), 7, "\n")) {
            ServerMetrics.bind(server, registry);
            Conditions.await("registration", LIMIT, () -> server.pipeline().stats().registrations() == 1, () -> "");
            EventSource.send(server.eventPort(), wire.toString().getBytes(StandardCharsets.US_ASCII));
            Conditions.await("every seq released", LIMIT, () -> server.pipeline().stats().released() == follows + 1,
                () -> "released=" + server.pipeline().stats().released());
            // 7 enters with the first stored follow to it; after that each stored follow brings one or two new users.
            final double users = value(registry, "followermaze_graph_users");
            final double edges = value(registry, "followermaze_graph_follows");
            final double byUsers = value(registry, "followermaze_follows_rejected_total{reason=\"max_users\"}");
            final double byFollows = value(registry, "followermaze_follows_rejected_total{reason=\"max_follows\"}");
            assertEquals(follows, edges + byUsers + byFollows, "every follow stored or refused");
            assertEquals(server.pipeline().stats().graphUsers(), users);
            assertEquals(server.pipeline().stats().followsRejected(FollowResult.REJECTED_MAX_USERS), byUsers);
            assertEquals(400, edges, "the follow budget is reached before the user budget");
            assertEquals(follows - 400, byFollows);
            assertEquals(0, byUsers);
            assertEquals(0, value(registry, "followermaze_events_rejected_total{reason=\"seq_too_far_ahead\"}"));
            server.close();
            seven.awaitClosed(LIMIT);
            assertEquals(expected.toString(), seven.received(), "every follow of 7 was delivered, stored or not");
        } finally {
            registry.close();
        }
    }
}
