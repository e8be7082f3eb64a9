package io.followermaze.loadgen.kafka;

import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.Role;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.StartLines;
import io.followermaze.server.cli.ServeCommand;
import io.followermaze.server.metrics.HealthCheck;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.ServerProcess;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retention overtaking a fan-out node, against a real broker: records deleted ({@code Admin.deleteRecords}, what
 * retention does) ahead of where the node reads. At start, a snapshot whose offsets now lie before the log start, a
 * log start past 0 without a usable snapshot, and a catch-up whose next records are deleted under it are each
 * "Cannot start" and exit 70 (README, Cluster; docs/operations.md): what is left can not rebuild the graph. A running
 * node whose next fetch position was deleted fails loudly (FATAL line, /health DOWN, exit 70), never skipping the
 * lost records.
 * <p>
 * Deterministic: every record is its own batch of {@value #EVENTS_PER_RECORD} events (about 1.8 KB), and the node
 * fetches at most 1 KiB at a time ({@code fetch.max.bytes}, {@code max.partition.fetch.bytes}: one batch per fetch),
 * so a consumer held in {@code poll} by {@link PausingInterceptor} after its first record is at most two records in;
 * the test then deletes everything before offset {@value #RECORDS}.
 */
class KafkaRetentionTest extends SharedBroker {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final int EVENTS_PER_RECORD = 200;
    private static final int RECORDS = 10;

    @Test
    void snapshotOffsetsBeforeTheLogStartCannotStartAndExitWith70(@TempDir Path tmp) throws Exception {
        final String topic = "retention-snapshot";
        broker.createTopic(topic, 1);
        final Path snapshots = tmp.resolve("snapshots");
        final List<String> args = List.of("--role", "fanout", "--kafka-bootstrap", broker.bootstrap(),
            "--kafka-topic", topic, "--journal-dir", snapshots.toString(), "--snapshot-every", "1000");
        try (ServerProcess first = ServerProcess.start(List.of("-Xmx128m"), args, LIMIT)) {
            produce(topic, 0, 5); // 1,000 events: a snapshot at offset 5
            Conditions.await("a snapshot", LIMIT, () -> hasSnapshot(snapshots), first::outputText);
            first.process().destroyForcibly();
            first.process().waitFor();
        }
        produce(topic, 5, RECORDS);
        deleteBefore(topic, 8); // retention: the log now starts at 8, after the snapshot's offset 5

        try (ServerProcess second = ServerProcess.launch(List.of("-Xmx128m"), args)) {
            final String out = awaitRefusal(second);
            assertTrue(out.lines().anyMatch(l -> l.contains("ERROR") && l.contains("resumes partition " + topic
                + "-0 at offset 5, but the log now starts at 8")), out);
            // what is left starts at seq 1,601 and lacks the follows before it: no node may serve it
            assertTrue(out.contains("cannot start: topic '" + topic + "' now starts at offsets {" + topic + "-0=8}: "
                + "retention deleted the start of the stream, and this node has no usable snapshot"), out);
            System.out.println("KafkaRetentionTest, snapshot before the log start: " + line(out, "Cannot start"));
        }
    }

    @Test
    void aCatchUpOvertakenByRetentionCannotStartAndExitsWith70(@TempDir Path tmp) throws Exception {
        final String topic = "retention-catch-up";
        broker.createTopic(topic, 1);
        produce(topic, 0, RECORDS);
        try (ServerProcess node = ServerProcess.launch(List.of("-Xmx128m"), List.of("--role", "fanout",
            "--kafka-bootstrap", broker.bootstrap(), "--kafka-topic", topic,
            "--kafka-client-config", clientConfig(tmp, "stdin").toString()))) {
            Conditions.await("the catch-up held after its first record", LIMIT,
                () -> node.outputText().contains(PausingInterceptor.PAUSED) || !node.process().isAlive(),
                node::outputText);
            deleteBefore(topic, RECORDS);
            release(node);
            final String out = awaitRefusal(node);
            assertTrue(out.contains("cannot start: retention deleted records of topic '" + topic + "' before this "
                + "node caught up on them (next offsets {" + topic + "-0="), "the cause, in words:\n" + out);
            System.out.println("KafkaRetentionTest, catch-up overtaken: " + line(out, "Cannot start"));
        }
    }

    /**
     * Retention moving the log start between the node's reading of it and its first fetch must not skip records
     * unnoticed: the node names the offsets the log now starts at and refuses to start (it has no snapshot after them).
     * Held at that point deterministically by a named pipe in the snapshot directory, where the node looks for its
     * snapshot after reading the log start: opening it blocks until the test opens the other end.
     */
    @Test
    void aLogStartMovedWhileTheNodeLooksForItsSnapshotIsNamedAndRefused(@TempDir Path tmp) throws Exception {
        final String topic = "retention-moved-at-start";
        broker.createTopic(topic, 1);
        produce(topic, 0, RECORDS);
        final Path snapshots = Files.createDirectories(tmp.resolve("snapshots"));
        final Path pipe = snapshots.resolve("snapshot-00000000000000000001.snap");
        assertEquals(0, new ProcessBuilder("mkfifo", pipe.toString()).inheritIO().start().waitFor(), "mkfifo");
        try (ServerProcess node = ServerProcess.launch(List.of("-Xmx128m"), List.of("--role", "fanout",
            "--kafka-bootstrap", broker.bootstrap(), "--kafka-topic", topic, "--journal-dir", snapshots.toString(),
            "--snapshot-every", "1000"))) {
            final CompletableFuture<OutputStream> opened = CompletableFuture.supplyAsync(() -> {
                try {
                    return Files.newOutputStream(pipe); // returns once the node opens it to read its "snapshot"
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (OutputStream toNode = opened.get(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                deleteBefore(topic, 5); // the node has read the log start (0) and not yet fetched
                toNode.write("NOTASNAP".getBytes(StandardCharsets.US_ASCII)); // a damaged snapshot: none usable
            }
            final String out = awaitRefusal(node);
            assertTrue(out.contains("cannot start: topic '" + topic + "' now starts at offsets {" + topic + "-0=5}"),
                "the records it can not read are named:\n" + out);
            System.out.println("KafkaRetentionTest, log start moved at start-up: " + line(out, "Cannot start"));
        }
    }

    @Test
    void aRunningNodeOvertakenByRetentionFailsLoudlyAndReportsDown(@TempDir Path tmp) throws Exception {
        final String topic = "retention-running";
        broker.createTopic(topic, 1);
        final PausingInterceptor.Gate gate = PausingInterceptor.gate(topic);
        final CompletableFuture<Throwable> fatal = new CompletableFuture<>();
        final ServerConfig config = ServerConfig.ephemeral().toBuilder().role(Role.FANOUT)
            .kafkaBootstrap(broker.bootstrap()).kafkaTopic(topic).kafkaClientConfig(clientConfig(tmp, topic)).build();
        try (FollowerMazeServer node = new FollowerMazeServer(config, fatal::complete).start()) {
            try {
                produce(topic, 0, RECORDS);
                assertTrue(gate.paused.await(LIMIT.toSeconds(), TimeUnit.SECONDS), "the consumer held");
                deleteBefore(topic, RECORDS);
            } finally {
                gate.release(); // also when the test fails before: closing the node must not wait for the hold
            }
            produce(topic, RECORDS, RECORDS + 3); // what a node that jumped over the hole would read
            Conditions.await("the consumer to fail (or to read past the hole)", LIMIT,
                () -> fatal.isDone() || node.logFeed().recordsConsumed() > 2,
                () -> "consumed " + node.logFeed().recordsConsumed());
            assertTrue(fatal.isDone(), "failed, consumed " + node.logFeed().recordsConsumed());
            assertInstanceOf(OffsetOutOfRangeException.class, fatal.get());
            assertNotNull(node.logFailure());
            final HealthCheck.Status health = HealthCheck.of(node).check();
            assertFalse(health.up(), health.body());
            assertTrue(health.body().contains("Kafka log failed: " + OffsetOutOfRangeException.class.getName()),
                health.body());
            assertTrue(node.logFeed().recordsConsumed() <= 2, "nothing after the hole reached the node");
            assertTrue(node.pipeline().stats().lastReleasedSeq() <= 2 * EVENTS_PER_RECORD,
                "released " + node.pipeline().stats().lastReleasedSeq());
        }
    }

    @Test
    void aRunningNodeProcessOvertakenByRetentionExitsWith70(@TempDir Path tmp) throws Exception {
        final String topic = "retention-running-process";
        broker.createTopic(topic, 1);
        try (ServerProcess node = ServerProcess.start(List.of("-Xmx128m"), List.of("--role", "fanout",
            "--kafka-bootstrap", broker.bootstrap(), "--kafka-topic", topic,
            "--kafka-client-config", clientConfig(tmp, "stdin").toString()), LIMIT)) {
            produce(topic, 0, RECORDS);
            Conditions.await("the consumer held after its first record", LIMIT,
                () -> node.outputText().contains(PausingInterceptor.PAUSED), node::outputText);
            deleteBefore(topic, RECORDS);
            release(node);
            produce(topic, RECORDS, RECORDS + 3); // what a node that jumped over the hole would read
            Conditions.await("the node to exit (or to read past the hole)", LIMIT,
                () -> !node.process().isAlive() || node.metric("followermaze_log_records_consumed_total") > 2,
                node::outputText);
            assertFalse(node.process().isAlive(), "exited instead of reading past the hole:\n" + node.outputText());
            final String out = node.outputText();
            assertEquals(ServeCommand.FATAL_EXIT_STATUS, node.process().exitValue(), out);
            assertTrue(out.contains("FATAL: the fan-out node's log consumer failed"), out);
            assertTrue(out.contains(OffsetOutOfRangeException.class.getName()), out);
            System.out.println("KafkaRetentionTest, running node overtaken: " + line(out, "FATAL"));
        }
    }

    /** The node exits 70 with one "Cannot start" line and no stack trace, having opened no port; its output. */
    private static String awaitRefusal(ServerProcess node) throws Exception {
        Conditions.await("the node to exit or open its port", LIMIT,
            () -> !node.process().isAlive() || StartLines.PORTS.matcher(node.outputText()).find(), node::outputText);
        assertFalse(StartLines.PORTS.matcher(node.outputText()).find(), "no port opened:\n" + node.outputText());
        assertTrue(node.process().waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS), node.outputText());
        final String out = node.outputText();
        assertEquals(ServeCommand.FATAL_EXIT_STATUS, node.process().exitValue(), out);
        assertTrue(out.contains("Cannot start: ") && out.contains("followermaze: cannot start: "), out);
        assertFalse(out.contains("\tat "), "no stack trace:\n" + out);
        return out;
    }

    /** Records {@code from} (inclusive) to {@code to}, each its own batch of EVENTS_PER_RECORD broadcasts in seq order. */
    private static void produce(String topic, int from, int to) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(), ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.LINGER_MS_CONFIG, 0), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int r = from; r < to; r++) {
                final StringBuilder lines = new StringBuilder();
                for (long seq = (long) r * EVENTS_PER_RECORD + 1; seq <= (long) (r + 1) * EVENTS_PER_RECORD; seq++) {
                    lines.append(seq).append("|B\n");
                }
                final byte[] value = lines.toString().getBytes(StandardCharsets.US_ASCII);
                final long offset = producer.send(new ProducerRecord<>(topic, 0, null, value)).get(30, TimeUnit.SECONDS)
                    .offset();
                assertEquals(r, offset, "record " + r + " at its offset");
            }
        }
    }

    /** What retention does: the log of partition 0 now starts at {@code offset}. */
    private static void deleteBefore(String topic, long offset) throws Exception {
        try (Admin admin = broker.admin()) {
            admin.deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(offset))).all()
                .get(30, TimeUnit.SECONDS);
        }
    }

    /** The consumer settings that hold it after its first record (see the class comment). */
    private static Path clientConfig(Path dir, String gate) throws IOException {
        final List<String> lines = new ArrayList<>(List.of(
            ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG + "=" + PausingInterceptor.class.getName(),
            PausingInterceptor.AFTER + "=1",
            PausingInterceptor.GATE + "=" + gate,
            ConsumerConfig.FETCH_MAX_BYTES_CONFIG + "=1024",
            ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG + "=1024"));
        return Files.write(dir.resolve("kafka-" + gate + ".properties"), lines);
    }

    private static void release(ServerProcess node) throws IOException {
        final OutputStream in = node.process().getOutputStream();
        in.write('\n');
        in.flush();
    }

    private static String line(String out, String containing) {
        return out.lines().filter(l -> l.contains(containing)).findFirst().orElse("(none)");
    }

    private static boolean hasSnapshot(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".snap"));
        } catch (IOException e) {
            return false;
        }
    }
}
