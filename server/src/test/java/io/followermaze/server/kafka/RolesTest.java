package io.followermaze.server.kafka;

import io.followermaze.server.Role;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.EventSource;
import io.followermaze.server.testing.ServerProcess;
import io.followermaze.server.testing.TestClient;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The roles' configuration, and the single node's promise: no Kafka class is loaded with {@code --role all}. */
class RolesTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @Test
    void ingestAndFanoutNeedABootstrapAndAllIsTheDefault() {
        assertEquals(Role.ALL, ServerConfig.DEFAULT.role());
        assertEquals("followermaze.events", ServerConfig.DEFAULT.kafkaTopic());
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ServerConfig.DEFAULT.toBuilder().role(Role.INGEST).build());
        assertTrue(e.getMessage().contains("--kafka-bootstrap"), e.getMessage());
        // a fan-out node keeps snapshots (not a journal) in --journal-dir; an ingest node keeps nothing
        assertEquals(java.nio.file.Path.of("x"), ServerConfig.DEFAULT.toBuilder().role(Role.FANOUT)
            .kafkaBootstrap("h:1").journal(j -> j.dir(java.nio.file.Path.of("x"))).build().journal().dir());
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.DEFAULT.toBuilder().role(Role.FANOUT)
            .kafkaBootstrap("h:1").journal(j -> j.dir(java.nio.file.Path.of("x")).snapshotEvery(0)).build());
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.DEFAULT.toBuilder().role(Role.INGEST)
            .kafkaBootstrap("h:1").journal(j -> j.dir(java.nio.file.Path.of("x"))).build());
        assertEquals(Role.FANOUT, Role.parse(" FanOut "));
        assertThrows(IllegalArgumentException.class, () -> Role.parse("both"));
    }

    @Test
    void theSingleNodeLoadsNoKafkaClass() throws Exception {
        try (ServerProcess server = ServerProcess.start(List.of("-Xmx128m", "-verbose:class"), List.of(), LIMIT)) {
            try (TestClient client = new TestClient(server.clientPort(), 2, "\n")) {
                // registered before the events come, or it would miss the follow
                Conditions.await("the client registered", LIMIT, () -> server.metric("followermaze_clients_connected") == 1,
                    server::outputText);
                EventSource.send(server.eventPort(), "1|F|1|2\n2|B\n".getBytes(StandardCharsets.US_ASCII));
                final String want = "1|F|1|2\r\n2|B\r\n";
                Conditions.await("both notifications", LIMIT, () -> client.receivedLength() >= want.length(),
                    client::received);
                assertEquals(want, client.received());
            }
            final String out = server.outputText();
            assertTrue(out.contains("io.followermaze.server.FollowerMazeServer"), "-verbose:class output is seen");
            assertFalse(out.contains("org.apache.kafka"), "a Kafka class was loaded by --role all");
            assertFalse(out.contains("io.followermaze.server.kafka."), "the Kafka roles' package was loaded");
        }
    }
}
