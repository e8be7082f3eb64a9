package io.followermaze.loadgen.kafka;

import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.Role;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.cli.ServeCommand;
import io.followermaze.server.metrics.HealthCheck;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.EventSource;
import io.followermaze.server.testing.Expectations;
import io.followermaze.server.testing.ServerProcess;
import io.followermaze.server.testing.TestClient;
import io.followermaze.testkit.EventStreamGenerator;
import io.followermaze.testkit.NaiveFollowerModel;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ingest node's failures: a record the broker refuses for good is fatal (counted, logged, /health DOWN, the
 * process exits with status 70) instead of a silent hole every fan-out node would wait at; and an ingest process
 * killed with SIGKILL mid-stream, restarted, and sent the stream again from an earlier point loses nothing: the
 * fan-out nodes drop what they already had as duplicates and every client receives exactly its stream.
 */
class KafkaIngestFailureTest extends SharedBroker {
    private static final Duration LIMIT = Duration.ofSeconds(90);

    @Test
    void aRecordTheBrokerRefusesIsFatal() throws Exception {
        final String topic = "events-small-records";
        broker.createTopic(topic, 1, Map.of("max.message.bytes", "2048")); // a ring chunk of lines is ~16 KiB
        final byte[] wire = EventStreamGenerator.encode(new EventStreamGenerator(3, 50).next(5_000), "\n");

        final AtomicReference<Throwable> fatal = new AtomicReference<>();
        try (FollowerMazeServer ingest = new FollowerMazeServer(ServerConfig.ephemeral().toBuilder().role(Role.INGEST)
            .kafkaBootstrap(broker.bootstrap()).kafkaTopic(topic).build(), fatal::set).start()) {
            EventSource.send(ingest.eventPort(), wire);
            Conditions.await("the refusal reported", LIMIT, () -> fatal.get() != null, () -> "");
            assertTrue(fatal.get() instanceof RecordTooLargeException, fatal.get().toString());
            assertTrue(ingest.logSink().recordsFailed() >= 1);
            final HealthCheck.Status health = HealthCheck.of(ingest).check();
            assertFalse(health.up(), health.body());
            assertTrue(health.body().contains("reason=Kafka log failed: "), health.body());
        }

        // the command exits, so that a supervisor restarts it (and its sources send again)
        try (ServerProcess ingest = ServerProcess.start(List.of("-Xmx128m"), List.of("--role", "ingest",
            "--kafka-bootstrap", broker.bootstrap(), "--kafka-topic", topic), LIMIT)) {
            try {
                EventSource.send(ingest.eventPort(), wire);
            } catch (IOException stoppedReading) {
                // it may exit before the source is done
            }
            assertTrue(ingest.process().waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS), "exits\n" + ingest.outputText());
            assertEquals(ServeCommand.FATAL_EXIT_STATUS, ingest.process().exitValue(), ingest.outputText());
            assertTrue(ingest.outputText().contains("FATAL: Kafka refused a record"), ingest.outputText());
        }
    }

    @Test
    void anIngestNodeKilledMidStreamAndSentTheStreamAgainLosesNothing() throws Exception {
        final int events = 200_000;
        final int users = 100;
        final String topic = "events-ingest-restart";
        broker.createTopic(topic, 3);
        final List<String> inOrder = new EventStreamGenerator(41, users).next(events);
        final List<String> shuffled = EventStreamGenerator.shuffleInBatches(inOrder, 100, new Random(41));
        final byte[] wire = EventStreamGenerator.encode(shuffled, "\n");
        // The doomed node gets only the first half (whole batches): it dies mid-stream however fast it appends.
        final byte[] firstHalf = EventStreamGenerator.encode(shuffled.subList(0, events / 2), "\n");
        final NaiveFollowerModel model = NaiveFollowerModel.trackingUsers(users);
        model.applyAll(inOrder);
        final List<String> ingestArgs = List.of("--role", "ingest", "--kafka-bootstrap", broker.bootstrap(),
            "--kafka-topic", topic);
        final ServerConfig fanout = ServerConfig.ephemeral().toBuilder().role(Role.FANOUT)
            .kafkaBootstrap(broker.bootstrap()).kafkaTopic(topic).build();

        final List<TestClient> clients = new ArrayList<>();
        try (FollowerMazeServer fanA = new FollowerMazeServer(fanout).start();
             FollowerMazeServer fanB = new FollowerMazeServer(fanout).start()) {
            for (long u = 1; u <= users; u++) {
                clients.add(new TestClient((u & 1) == 0 ? fanA.clientPort() : fanB.clientPort(), u, "\n"));
            }
            Conditions.await("every client registered", LIMIT, () -> fanA.pipeline().stats().connectedSessions()
                + fanB.pipeline().stats().connectedSessions() == users, () -> "");

            final long releasedAtKill;
            try (ServerProcess doomed = ServerProcess.start(List.of("-Xmx256m"), ingestArgs, LIMIT)) {
                final Thread source = new Thread(() -> {
                    try {
                        EventSource.send(doomed.eventPort(), firstHalf);
                    } catch (IOException killed) {
                        // the ingest node died under the source
                    }
                }, "source");
                source.start();
                Conditions.await("the stream flowing through Kafka", LIMIT,
                    () -> fanA.pipeline().stats().released() > 0, doomed::outputText);
                doomed.process().destroyForcibly(); // SIGKILL: what the producer still held is lost
                doomed.process().waitFor();
                releasedAtKill = fanA.pipeline().stats().released();
                source.join();
            }
            assertTrue(releasedAtKill > 0 && releasedAtKill <= events / 2, "killed mid-stream: " + releasedAtKill);
            // the source reconnects to the restarted node and sends again from a point it knows is safe: the start
            try (ServerProcess reborn = ServerProcess.start(List.of("-Xmx256m"), ingestArgs, LIMIT)) {
                EventSource.send(reborn.eventPort(), wire);
                for (FollowerMazeServer fan : List.of(fanA, fanB)) {
                    Conditions.await("every event released on a fan-out node", LIMIT,
                        () -> fan.pipeline().stats().released() == events,
                        () -> "released " + fan.pipeline().stats().released() + "\n" + reborn.outputText());
                    // Chunks go to the partitions in turn and the consumer may lag on one of them, so an event can be
                    // released from the resend before the killed node's copy of it is read: wait for the copies too.
                    Conditions.await("what the killed node appended dropped as duplicates", LIMIT,
                        () -> fan.pipeline().stats().duplicatesDropped() >= releasedAtKill,
                        () -> "duplicates " + fan.pipeline().stats().duplicatesDropped() + " < " + releasedAtKill);
                }
                System.out.printf("KafkaIngestFailureTest: ingest killed at %d of %d released; after the resend %d "
                    + "duplicates dropped per node%n", releasedAtKill, events, fanA.pipeline().stats().duplicatesDropped());
            }
        } // closing the fan-out nodes flushes and closes their clients
        Expectations.assertAllReceivedExactly(model, clients, LIMIT);
        for (TestClient c : clients) {
            c.close();
        }
    }
}
