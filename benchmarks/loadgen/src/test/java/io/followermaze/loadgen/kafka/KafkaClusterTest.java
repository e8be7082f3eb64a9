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
import org.junit.jupiter.params.ParameterizedTest;
import io.followermaze.loadgen.LoadRun;
import io.followermaze.loadgen.LoadgenConfig;
import io.followermaze.loadgen.RunResult;
import io.followermaze.loadgen.Target;
import io.followermaze.loadgen.probe.ServerProbe;
import java.io.OutputStream;
import java.io.PrintStream;
import static org.junit.jupiter.api.Assertions.assertNull;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ingest → Kafka (a real KRaft broker in this JVM) → two fan-out nodes: the clients, split over both fan-out nodes,
 * each receive byte for byte what the naive model says; a third fan-out node started after the stream catches up
 * from the log with routing off before it opens its client port; and the load generator verifies 1M events of the
 * reference mix with its clients split over both nodes (1 and 3 partitions).
 */
class KafkaClusterTest extends SharedBroker {
    private static final int EVENTS = 300_000;
    private static final int LOADGEN_EVENTS = 1_000_000;
    private static final int USERS = 200;
    private static final Duration LIMIT = Duration.ofSeconds(60);

    /** The acceptance size: 1M events of the reference mix, clients split over both fan-out nodes, verified. */
    @ParameterizedTest(name = "{0} partition(s)")
    @ValueSource(ints = {1, 3})
    void theLoadGeneratorVerifiesAMillionEventsOverTwoFanOutNodes(int partitions) throws Exception {
        final String topic = "events-loadgen-p" + partitions;
        broker.createTopic(topic, partitions);
        final long t0 = System.nanoTime();
        try (FollowerMazeServer ingest = new FollowerMazeServer(role(Role.INGEST, topic)).start();
             FollowerMazeServer fanA = new FollowerMazeServer(role(Role.FANOUT, topic)).start();
             FollowerMazeServer fanB = new FollowerMazeServer(role(Role.FANOUT, topic)).start()) {
            final int clients = 40;
            final LoadgenConfig config = LoadgenConfig.builder().logIntervalMillis(0).expectationBudgetBytes(32 << 20)
                .graceMillis(50).totalEvents(LOADGEN_EVENTS).concurrency(clients).build();
            final Target target = new Target("cluster", "127.0.0.1", ingest.eventPort(), fanA.clientPort(),
                () -> fanA.pipeline().stats().registrations() + fanB.pipeline().stats().registrations() >= clients,
                null, ServerProbe.NONE, List.of(fanA.clientPort(), fanB.clientPort()));
            final RunResult r = new LoadRun(config, target, new PrintStream(OutputStream.nullOutputStream())).run();
            assertNull(r.failure());
            assertEquals(LOADGEN_EVENTS, r.events());
            assertEquals(clients / 2, fanA.pipeline().stats().registrations(), "half the clients on each node");
            assertEquals(r.notifications(), fanA.pipeline().stats().notificationsDelivered()
                + fanB.pipeline().stats().notificationsDelivered(), "the nodes delivered what the loadgen verified");
            System.out.printf("KafkaClusterTest: loadgen verified %d events, %d notifications through ingest -> Kafka "
                + "(%d partition(s)) -> 2 fan-out nodes in %d ms%n", r.events(), r.notifications(), partitions,
                (System.nanoTime() - t0) / 1_000_000);
        }
    }

    private static ServerConfig role(Role role, String topic) {
        return ServerConfig.ephemeral().toBuilder().role(role).kafkaBootstrap(broker.bootstrap()).kafkaTopic(topic)
            .build();
    }

    @ParameterizedTest(name = "{0} partition(s)")
    @ValueSource(ints = {1, 3})
    void ingestAndTwoFanOutNodesDeliverEveryClientExactly(int partitions) throws Exception {
        final String topic = "events-p" + partitions;
        broker.createTopic(topic, partitions);
        final List<String> inOrder = new EventStreamGenerator(11, USERS).next(EVENTS);
        final byte[] wire = EventStreamGenerator.encode(
            EventStreamGenerator.shuffleInBatches(inOrder, 100, new Random(11)), "\n");
        final NaiveFollowerModel model = NaiveFollowerModel.trackingUsers(USERS);
        model.applyAll(inOrder);

        final long t0 = System.nanoTime();
        final List<TestClient> clients = new ArrayList<>();
        try (FollowerMazeServer ingest = new FollowerMazeServer(role(Role.INGEST, topic)).start();
             FollowerMazeServer fanA = new FollowerMazeServer(role(Role.FANOUT, topic)).start();
             FollowerMazeServer fanB = new FollowerMazeServer(role(Role.FANOUT, topic)).start()) {
            assertEquals(-1, ingest.clientPort(), "ingest has no client port");
            assertEquals(-1, fanA.eventPort(), "fan-out has no event port");
            for (long user = 1; user <= USERS; user++) {
                clients.add(new TestClient((user & 1) == 0 ? fanA.clientPort() : fanB.clientPort(), user, "\n"));
            }
            Conditions.await("every client registered", LIMIT,
                () -> fanA.pipeline().stats().connectedSessions() + fanB.pipeline().stats().connectedSessions()
                    == USERS, () -> "");
            EventSource.send(ingest.eventPort(), wire);
            for (FollowerMazeServer fan : List.of(fanA, fanB)) {
                Conditions.await("every event released on a fan-out node", LIMIT,
                    () -> fan.pipeline().stats().released() == EVENTS,
                    () -> "released " + fan.pipeline().stats().released() + ", lag " + fan.logFeed().lagRecords());
            }
            assertTrue(ingest.logSink().recordsAcked() > 0);
            assertEquals(0, ingest.logSink().recordsFailed());
            assertTrue(ingest.logSink().recordsAcked() < EVENTS / 10, "many lines per record: "
                + ingest.logSink().recordsAcked() + " records");
            Conditions.await("lag 0", LIMIT, () -> fanA.logFeed().lagRecords() == 0, () -> "");
            assertEquals(partitions, java.util.Arrays.stream(broker.endOffsets(topic)).filter(end -> end > 0).count(), "the producer spread the records over every partition");

            // a node that joins late catches up from the log before it opens its port: the whole graph is there
            try (FollowerMazeServer late = new FollowerMazeServer(role(Role.FANOUT, topic)).start()) {
                assertEquals(EVENTS, late.pipeline().stats().released(), "caught up before the port opened");
                assertEquals(fanA.pipeline().stats().graphFollows(), late.pipeline().stats().graphFollows());
            }
        } // closing the fan-out nodes flushes and closes their clients
        Expectations.assertAllReceivedExactly(model, clients, LIMIT);
        for (TestClient c : clients) {
            c.close();
        }
        System.out.printf("KafkaClusterTest: %d events through ingest -> Kafka (%d partition(s)) -> 2 fan-out nodes "
            + "in %d ms%n", EVENTS, partitions, (System.nanoTime() - t0) / 1_000_000);
    }
}
