package io.followermaze.loadgen.kafka;

import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.Role;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.metrics.HealthCheck;
import io.followermaze.server.testing.Conditions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Records that ingest would never write, put into the topic by someone else (a second producer, a mistake, an
 * attacker with produce rights), between good ones: binary noise, a line with no end, a line far past
 * {@code --max-line-length}, an empty record, a tombstone, and a record larger than a ring entry that ends in the
 * middle of a line. A fan-out node must drop and count what is not an event, frame every record on its own (so a
 * record's unterminated tail never swallows the next record's first line), release every good event, and stay up.
 */
class KafkaHostileRecordsTest extends SharedBroker {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final int GOOD_PER_RECORD = 100;

    @Test
    void badRecordsAreDroppedAndCountedAndEveryGoodEventIsReleased() throws Exception {
        final String topic = "hostile-records";
        broker.createTopic(topic, 1);
        final CompletableFuture<Throwable> fatal = new CompletableFuture<>();
        final ServerConfig config = ServerConfig.ephemeral().toBuilder().role(Role.FANOUT)
            .kafkaBootstrap(broker.bootstrap()).kafkaTopic(topic).build();
        try (FollowerMazeServer node = new FollowerMazeServer(config, fatal::complete).start()) {
            final byte[] noise = new byte[5000];
            new Random(42).nextBytes(noise);
            final byte[] longLine = new byte[5 * config.pipeline().maxLineLength()];
            Arrays.fill(longLine, (byte) '7');
            longLine[longLine.length - 1] = '\n';
            final byte[] bigWithTail = new byte[3 * config.pipeline().chunkBytes()];
            Arrays.fill(bigWithTail, (byte) 'x'); // one huge unterminated "line": larger than a ring entry
            final List<byte[]> records = List.of(
                good(0),
                noise,
                ascii("999999|P|1|2"), // no \n: the next record's first line must not be glued to it
                good(1),
                longLine,
                new byte[0],
                bigWithTail,
                good(2));
            produce(topic, records);
            produceTombstone(topic);
            produce(topic, List.of(good(3)));

            final long last = 4L * GOOD_PER_RECORD;
            Conditions.await("every good event released", LIMIT,
                () -> node.pipeline().stats().lastReleasedSeq() >= last || fatal.isDone(),
                () -> "released up to " + node.pipeline().stats().lastReleasedSeq() + ", rejected "
                    + node.pipeline().stats().rejectedTotal());
            assertFalse(fatal.isDone(), () -> "the node failed: " + fatal.join());
            assertEquals(last, node.pipeline().stats().lastReleasedSeq());
            assertEquals(0, node.pipeline().stats().seqsSkipped(), "no good event lost");
            assertTrue(node.pipeline().stats().rejectedTotal() >= 3, "noise, the long line and the tail are counted: "
                + node.pipeline().stats().rejectedTotal());
            final HealthCheck.Status health = HealthCheck.of(node).check();
            assertTrue(health.up(), health.body());
        }
    }

    /** Record {@code r}: seqs {@code r * 100 + 1 .. (r + 1) * 100}, broadcasts, in order. */
    private static byte[] good(int r) {
        final StringBuilder lines = new StringBuilder();
        for (long seq = (long) r * GOOD_PER_RECORD + 1; seq <= (long) (r + 1) * GOOD_PER_RECORD; seq++) {
            lines.append(seq).append("|B\n");
        }
        return ascii(lines.toString());
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static void produce(String topic, List<byte[]> values) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (byte[] v : values) {
                producer.send(new ProducerRecord<>(topic, 0, null, v)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void produceTombstone(String topic) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(topic, 0, null, null)).get(30, TimeUnit.SECONDS);
        }
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
            ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0,
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1 << 20), new ByteArraySerializer(), new ByteArraySerializer());
    }
}
