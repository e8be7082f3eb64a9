package io.followermaze.server.hostile;

import ch.qos.logback.classic.Level;
import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.metrics.ServerMetrics;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.EventSource;
import io.followermaze.server.testing.LogCapture;
import io.followermaze.server.testing.Prometheus;
import io.followermaze.server.testing.RawClient;
import io.followermaze.server.testing.TestClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Defect 5 of issue 8, event-source part: 21,500 idle event-source connections held every fd for 60 s.
 * Event sources are capped ({@code --max-event-sources}; more are refused, counted, rate-limited in the log)
 * and, when {@code --event-source-idle-timeout-ms} is set, one that sends nothing for that long is closed.
 */
class EventSourceLimitsTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final int CLOSE_WAIT_MS = 30_000;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void eventSourcesBeyondTheCapAreRefusedAndAFreedSlotIsUsable() throws Exception {
        final ServerConfig config = ServerConfig.ephemeral().toBuilder().maxEventSources(2).build();
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (LogCapture log = new LogCapture(FollowerMazeServer.class);
             FollowerMazeServer server = new FollowerMazeServer(config).start();
             TestClient client = new TestClient(server.clientPort(), 1, "\n")) {
            ServerMetrics.bind(server, registry);
            Conditions.await("registration", LIMIT, () -> server.pipeline().stats().registrations() == 1, () -> "");
            final RawClient a = new RawClient(server.eventPort());
            final RawClient b = new RawClient(server.eventPort());
            a.send(ascii("1|B\n"));
            b.send(ascii("2|B\n"));
            Conditions.await("both sources in", LIMIT, () -> server.pipeline().stats().lastReleasedSeq() == 2,
                () -> "released=" + server.pipeline().stats().lastReleasedSeq());

            final List<RawClient> refused = new ArrayList<>();
            final long started = System.nanoTime();
            for (int i = 0; i < 50; i++) {
                final RawClient c = new RawClient(server.eventPort());
                refused.add(c);
                c.send(ascii((100 + i) + "|B\n")).awaitClosedByServer(CLOSE_WAIT_MS);
            }
            assertEquals(50, server.eventSourcesRefused());
            assertEquals(2, server.eventSourceConnections());
            assertEquals(2, server.pipeline().stats().lastReleasedSeq());
            final List<String> lines = log.messages(Level.WARN, "Refusing event-source connection");
            assertTrue(!lines.isEmpty(), "a refusal is logged");
            LogCapture.assertAtMostOneASecond(lines, started, "refusal");

            // A slot freed by a closing source is taken by the next one.
            a.close();
            Conditions.await("a gone", LIMIT, () -> server.openEventSources() == 1, () -> "");
            EventSource.send(server.eventPort(), ascii("3|B\n"));
            Conditions.await("the next source is served", LIMIT, () -> server.pipeline().stats().lastReleasedSeq() == 3,
                () -> "released=" + server.pipeline().stats().lastReleasedSeq());
            assertEquals(50, server.eventSourcesRefused());

            final String text = registry.scrape();
            assertEquals(50, Prometheus.value(text, "followermaze_event_sources_refused_total"));
            assertEquals(0, Prometheus.value(text, "followermaze_clients_refused_total"));
            b.close();
            for (RawClient c : refused) {
                c.close();
            }
        }
    }

    @Test
    void anIdleEventSourceIsDisconnectedAndWhatItSentIsKept() throws Exception {
        final ServerConfig config = ServerConfig.ephemeral().toBuilder().eventSourceIdleTimeoutMillis(200).build();
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (FollowerMazeServer server = new FollowerMazeServer(config).start();
             TestClient client = new TestClient(server.clientPort(), 1, "\n")) {
            ServerMetrics.bind(server, registry);
            Conditions.await("registration", LIMIT, () -> server.pipeline().stats().registrations() == 1, () -> "");
            try (RawClient silent = new RawClient(server.eventPort())) {
                silent.awaitClosedByServer(CLOSE_WAIT_MS);
            }
            try (RawClient quiet = new RawClient(server.eventPort())) {
                quiet.send(ascii("1|B\n2|P|9|1\n")).awaitClosedByServer(CLOSE_WAIT_MS);
            }
            Conditions.await("released", LIMIT, () -> server.pipeline().stats().lastReleasedSeq() == 2, () -> "");
            assertEquals(2, server.eventSourcesIdleClosed());
            assertEquals(2, Prometheus.value(registry.scrape(), "followermaze_event_sources_idle_closed_total"));
            server.close();
            client.awaitClosed(LIMIT);
            assertEquals("1|B\r\n2|P|9|1\r\n", client.received());
        }
    }
}
