package io.followermaze.loadgen.kafka;

import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.Role;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.EventSource;
import io.followermaze.server.testing.Expectations;
import io.followermaze.server.testing.TestClient;
import io.followermaze.testkit.EventStreamGenerator;
import io.followermaze.testkit.NaiveFollowerModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The broker stopped and started again mid-stream: ingest retries, fan-out resumes; nothing lost or doubled. */
class KafkaBrokerRestartTest {
    private static final int EVENTS = 200_000;
    private static final int USERS = 100;
    private static final Duration LIMIT = Duration.ofSeconds(90);

    @Test
    void aBrokerRestartMidStreamLosesNothing(@TempDir Path dir) throws Exception {
        final List<String> inOrder = new EventStreamGenerator(31, USERS).next(EVENTS);
        final Random random = new Random(31);
        final int half = EVENTS / 2;
        final byte[] first = EventStreamGenerator.encode(
            EventStreamGenerator.shuffleInBatches(inOrder.subList(0, half), 100, random), "\n");
        final byte[] second = EventStreamGenerator.encode(
            EventStreamGenerator.shuffleInBatches(inOrder.subList(half, EVENTS), 100, random), "\n");
        final NaiveFollowerModel model = NaiveFollowerModel.trackingUsers(USERS);
        model.applyAll(inOrder);

        DevBroker broker = DevBroker.start(dir, 0);
        final String bootstrap = broker.bootstrap();
        final int port = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
        final String topic = "events-broker-restart";
        broker.createTopic(topic, 1);
        final ServerConfig.Builder base = ServerConfig.ephemeral().toBuilder().kafkaBootstrap(bootstrap)
            .kafkaTopic(topic);
        final List<TestClient> clients = new ArrayList<>();
        try (FollowerMazeServer ingest = new FollowerMazeServer(base.role(Role.INGEST).build()).start();
             FollowerMazeServer fan = new FollowerMazeServer(base.role(Role.FANOUT).build()).start()) {
            for (long u = 1; u <= USERS; u++) {
                clients.add(new TestClient(fan.clientPort(), u, "\n"));
            }
            Conditions.await("every client registered", LIMIT,
                () -> fan.pipeline().stats().connectedSessions() == USERS, () -> "");
            EventSource.send(ingest.eventPort(), first);
            Conditions.await("the stream flowing", LIMIT, () -> fan.pipeline().stats().released() > 0, () -> "");
            broker.close(); // mid-stream: some of the first half may still be in the producer
            final long releasedWhileDown = fan.pipeline().stats().released();
            EventSource.send(ingest.eventPort(), second); // buffered by the producer (or the socket) meanwhile
            broker = DevBroker.start(dir, port);
            Conditions.await("every event released after the restart", LIMIT,
                () -> fan.pipeline().stats().released() == EVENTS,
                () -> "released " + fan.pipeline().stats().released());
            assertEquals(0, ingest.logSink().recordsFailed());
            assertEquals(0, fan.pipeline().stats().duplicatesDropped(), "idempotent producer: nothing written twice");
            System.out.printf("KafkaBrokerRestartTest: broker stopped at %d of %d released, restarted; all %d "
                + "delivered%n", releasedWhileDown, EVENTS, EVENTS);
        } finally {
            broker.close();
        }
        Expectations.assertAllReceivedExactly(model, clients, LIMIT);
        for (TestClient c : clients) {
            c.close();
        }
    }
}
