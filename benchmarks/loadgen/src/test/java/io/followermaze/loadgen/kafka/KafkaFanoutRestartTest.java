package io.followermaze.loadgen.kafka;

import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.Role;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.EventSource;
import io.followermaze.server.testing.Expectations;
import io.followermaze.server.testing.ServerProcess;
import io.followermaze.server.testing.TestClient;
import io.followermaze.testkit.EventStreamGenerator;
import io.followermaze.testkit.NaiveFollowerModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fan-out node's process (with a snapshot directory, 3 partitions) killed with SIGKILL while the stream flows, then
 * started again: it restores its newest snapshot, reads only the records after that snapshot's offsets before it
 * opens its client port, and the clients that connect to it then receive exactly what the model says for the events
 * after they connected.
 */
class KafkaFanoutRestartTest {
    private static final int EVENTS = 200_000;
    private static final int USERS = 100;
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @Test
    void aFanOutNodeKilledMidStreamRebuildsAndServesNewClients(@TempDir Path dir) throws Exception {
        final List<String> inOrder = new EventStreamGenerator(23, USERS).next(EVENTS);
        final int half = EVENTS / 2;
        final Random random = new Random(23);
        // the first half in two pieces: a snapshot falls within the first, none after it (--snapshot-every 60000)
        final List<String> firstHalf = EventStreamGenerator.shuffleInBatches(inOrder.subList(0, half), 100, random);
        final byte[] firstA = EventStreamGenerator.encode(firstHalf.subList(0, 65_000), "\n");
        final byte[] firstB = EventStreamGenerator.encode(firstHalf.subList(65_000, half), "\n");
        final byte[] second = EventStreamGenerator.encode(
            EventStreamGenerator.shuffleInBatches(inOrder.subList(half, EVENTS), 100, random), "\n");
        // what each user must receive from the second half on (every user connected by then)
        final NaiveFollowerModel model = NaiveFollowerModel.trackingUsers(USERS);
        final Map<Long, StringBuilder> expected = new HashMap<>();
        for (int i = 0; i < EVENTS; i++) {
            final List<Long> recipients = model.apply(inOrder.get(i));
            if (i >= half) {
                for (Long u : recipients) {
                    expected.computeIfAbsent(u, k -> new StringBuilder()).append(inOrder.get(i)).append("\r\n");
                }
            }
        }

        try (DevBroker broker = DevBroker.start(dir.resolve("kafka"), 0)) {
            final String topic = "events-restart";
            broker.createTopic(topic, 3);
            final Path snapshots = dir.resolve("fanout-snapshots");
            final List<String> fanoutArgs = List.of("--role", "fanout", "--kafka-bootstrap", broker.bootstrap(),
                "--kafka-topic", topic, "--journal-dir", snapshots.toString(), "--snapshot-every", "60000");
            try (FollowerMazeServer ingest = new FollowerMazeServer(ServerConfig.ephemeral().toBuilder()
                .role(Role.INGEST).kafkaBootstrap(broker.bootstrap()).kafkaTopic(topic).build()).start()) {
                final ServerProcess doomed = ServerProcess.start(List.of("-Xmx256m"), fanoutArgs, LIMIT);
                final long releasedAtKill;
                try {
                    EventSource.send(ingest.eventPort(), firstA);
                    Conditions.await("a snapshot written", LIMIT, () -> hasSnapshot(snapshots), doomed::outputText);
                    EventSource.send(ingest.eventPort(), firstB);
                    Conditions.await("the records after the snapshot taken live", LIMIT,
                        () -> doomed.metric("followermaze_events_released_total") == half, doomed::outputText);
                    releasedAtKill = (long) doomed.metric("followermaze_events_released_total");
                    doomed.process().destroyForcibly(); // SIGKILL: no shutdown hook, no goodbye (no last snapshot)
                    doomed.process().waitFor();
                } finally {
                    doomed.close();
                }

                try (ServerProcess reborn = ServerProcess.start(List.of("-Xmx256m"), fanoutArgs, LIMIT)) {
                    Conditions.await("the first half rebuilt from the log", LIMIT,
                        () -> reborn.metric("followermaze_events_released_total") == half, reborn::outputText);
                    // the first half; nothing else is sent yet
                    final long inTopic = java.util.Arrays.stream(broker.endOffsets(topic)).sum();
                    final long resumedAt = (long) reborn.metric("followermaze_log_resumed_records");
                    final long read = (long) reborn.metric("followermaze_log_records_consumed_total");
                    assertTrue(resumedAt > 0, "resumed from a snapshot:\n" + reborn.outputText());
                    assertEquals(inTopic - resumedAt, read, "read only the records after the snapshot's offsets");
                    assertTrue(read > 0 && read < inTopic, "read fewer records than the topic holds: " + read);
                    final List<TestClient> clients = new ArrayList<>();
                    for (long u = 1; u <= USERS; u++) {
                        clients.add(new TestClient(reborn.clientPort(), u, "\n"));
                    }
                    Conditions.await("every client registered", LIMIT,
                        () -> reborn.metric("followermaze_clients_connected") == USERS, reborn::outputText);
                    EventSource.send(ingest.eventPort(), second);
                    for (TestClient c : clients) {
                        final String want = expected.getOrDefault(c.userId(), new StringBuilder()).toString();
                        Conditions.await("user " + c.userId() + " to receive its notifications", LIMIT,
                            () -> c.receivedLength() >= want.length(), reborn::outputText);
                        if (!want.equals(c.received())) {
                            throw new AssertionError("user " + c.userId() + ": "
                                + Expectations.firstDifference(want, c.received()));
                        }
                    }
                    // an event with no recipient (an unfollow at the end) changes no client's bytes: await the count
                    Conditions.await("every event released", LIMIT,
                        () -> reborn.metric("followermaze_events_released_total") == EVENTS, reborn::outputText);
                    for (TestClient c : clients) {
                        c.close();
                    }
                    System.out.printf("KafkaFanoutRestartTest: killed at %d of %d released (after the snapshot); resumed from a snapshot at "
                        + "%d of %d records; rebuilt and served %d clients exactly%n", releasedAtKill, half, resumedAt,
                        inTopic, USERS);
                }
            }
        }
    }

    private static boolean hasSnapshot(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".snap"));
        } catch (IOException e) {
            return false; // not created yet
        }
    }

}
