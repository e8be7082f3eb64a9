package io.followermaze.server.kafka;

import com.lmax.disruptor.EventTranslatorOneArg;
import io.followermaze.pipeline.EgressListener;
import io.followermaze.pipeline.IngressEntry;
import io.followermaze.pipeline.IngressPublisher;
import io.followermaze.pipeline.Pipeline;
import io.followermaze.pipeline.PipelineConfig;
import io.followermaze.server.testing.Conditions;
import io.followermaze.testkit.EventStreamGenerator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fan-out feed over a {@link MockConsumer}: a consumer thread that fails is fatal and reported, and every snapshot
 * taken mid-stream (P = 3 partitions, some records larger than a ring entry and so published in pieces) resumes at
 * exactly the records after it: restored and caught up, nothing is lost and nothing is applied twice.
 */
class KafkaFanoutTest {
    private static final String TOPIC = "t";
    private static final Duration LIMIT = Duration.ofSeconds(30);

    /**
     * A ring that frees one entry each time the waiting consumer looks (the pipeline draining while it is parked),
     * holds {@code free} now, and stops after {@code stopAfterLooks} looks (0: never).
     */
    private static final class DrainingRing implements IngressPublisher {
        long free;
        int tries;
        int looks;
        int published;
        int stopAfterLooks;
        boolean stopped;

        @Override
        public PipelineConfig config() {
            return PipelineConfig.DEFAULT;
        }

        @Override
        public <A> Outcome tryPublish(EventTranslatorOneArg<IngressEntry, A> translator, A arg) {
            tries++;
            if (stopped) {
                return Outcome.STOPPED;
            }
            if (free == 0) {
                return Outcome.RING_FULL;
            }
            free--;
            published++;
            return Outcome.PUBLISHED;
        }

        @Override
        public long remainingCapacity() {
            looks++;
            stopped |= looks == stopAfterLooks;
            return stopped ? Long.MAX_VALUE : ++free;
        }
    }

    private static final EventTranslatorOneArg<IngressEntry, Object> NOTHING = (entry, seq, arg) -> { };

    @Test
    void aRecordGoesInAtOnceWhileTheRingHasRoom() {
        final DrainingRing ring = new DrainingRing();
        ring.free = 1;
        assertTrue(IngressPublisher.publishWaiting(ring, NOTHING, null, 16));
        assertEquals(1, ring.tries);
        assertEquals(0, ring.looks);
        assertEquals(1, ring.published);
    }

    /** At a full ring the consumer waits for a quarter of it (4 of 16 entries), not for the first free entry. */
    @Test
    void atAFullRingTheConsumerWaitsForAQuarterOfItThenPublishes() {
        final DrainingRing ring = new DrainingRing();
        assertTrue(IngressPublisher.publishWaiting(ring, NOTHING, null, 16));
        assertEquals(4, ring.looks); // free 1, 2, 3: parked on; free 4: try
        assertEquals(2, ring.tries); // the first, at the full ring, and the one that published
        assertEquals(1, ring.published);
        assertEquals(3, ring.free); // the other three entries of the quarter are there for the next records
    }

    @Test
    void aPipelineThatStopsWhileTheConsumerWaitsEndsTheWait() {
        final DrainingRing ring = new DrainingRing();
        ring.stopAfterLooks = 2;
        assertFalse(IngressPublisher.publishWaiting(ring, NOTHING, null, 1024));
        assertEquals(2, ring.looks);
        assertEquals(2, ring.tries);
        assertEquals(0, ring.published);
    }

    @Test
    void aConsumerThatFailsIsFatalAndReported() {
        final MockConsumer<byte[], byte[]> consumer = consumer(1);
        consumer.updateEndOffsets(Map.of(new TopicPartition(TOPIC, 0), 0L));
        final AtomicReference<Throwable> fatal = new AtomicReference<>();
        final KafkaFanout feed = new KafkaFanout(consumer, "mock", TOPIC, PipelineConfig.DEFAULT, null, 0, fatal::set);
        final Pipeline pipeline = pipeline(PipelineConfig.DEFAULT, feed);
        try {
            feed.start(pipeline);
            final TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.setPollException(new OffsetOutOfRangeException("retention overtook this node", Map.of(tp, 0L)));
            Conditions.await("the failure reported", LIMIT, () -> fatal.get() != null, () -> "");
            assertSame(fatal.get(), feed.failure());
            assertTrue(fatal.get() instanceof OffsetOutOfRangeException, fatal.get().toString());
        } finally {
            feed.close();
            pipeline.close();
        }
    }

    @Test
    void everySnapshotResumesAtExactlyTheRecordsAfterIt(@TempDir Path dir) throws Exception {
        final int events = 20_000;
        final int partitions = 3;
        final PipelineConfig config = PipelineConfig.builder().chunkBytes(1024).maxLineLength(256).build();
        final List<ConsumerRecord<byte[], byte[]>> records = records(events, partitions, new Random(5));
        assertTrue(records.stream().anyMatch(r -> r.value().length > config.chunkBytes()), "some records in pieces");

        final Path live = dir.resolve("live");
        final KafkaFanout first = new KafkaFanout(live(partitions, records), "mock", TOPIC, config, live, 500,
            e -> { });
        final Pipeline running = pipeline(config, first);
        final List<Path> copies = new ArrayList<>();
        try {
            first.start(running);
            Conditions.await("every event released", LIMIT, () -> running.stats().released() == events,
                () -> "released " + running.stats().released());
            // the snapshots taken mid-stream, before the shutdown one: copied as a kill -9 would leave them
            Conditions.await("a snapshot copied", LIMIT, () -> copySnapshots(live, dir, copies) > 0, () -> "");
        } finally {
            first.close();
            running.close();
            first.afterPipelineStopped();
        }
                for (Path copy : copies) {
            final KafkaFanout again = new KafkaFanout(consumer(partitions, records), "mock", TOPIC, config, copy,
                500, e -> { });
            final Pipeline restarted = pipeline(config, again);
            try {
                final String which = snapshots(copy).get(0).getFileName().toString();
                assertTrue(again.resumedFromRecords() > 0, which);
                assertEquals(records.size() - again.resumedFromRecords(), again.recordsConsumed(),
                    "only the records after the snapshot are read: " + which);
                assertEquals(events, restarted.stats().released(), "nothing lost: " + which);
                assertEquals(0, restarted.stats().duplicatesDropped(), "nothing applied twice: " + which);
                assertEquals(0, restarted.stats().pending(), which);
                assertEquals(running.stats().graphFollows(), restarted.stats().graphFollows(), which);
            } finally {
                again.close();
                restarted.close();
                again.afterPipelineStopped();
            }
        }
    }

    /** Every event line, in seq order, cut into records of 1..120 lines, the records spread over the partitions. */
    private static List<ConsumerRecord<byte[], byte[]>> records(int events, int partitions, Random random) {
        final List<String> lines = new EventStreamGenerator(5, 50).next(events);
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        final long[] next = new long[partitions];
        int i = 0;
        while (i < lines.size()) {
            final int n = Math.min(lines.size() - i, 1 + random.nextInt(120));
            final StringBuilder value = new StringBuilder();
            for (String line : lines.subList(i, i + n)) {
                value.append(line).append('\n');
            }
            final int p = records.size() % partitions;
            records.add(new ConsumerRecord<>(TOPIC, p, next[p]++, null,
                value.toString().getBytes(StandardCharsets.US_ASCII)));
            i += n;
        }
        return records;
    }

    private static MockConsumer<byte[], byte[]> consumer(int partitions) {
        final MockConsumer<byte[], byte[]> c = new MockConsumer<>("none");
        final List<PartitionInfo> infos = new ArrayList<>();
        final Map<TopicPartition, Long> start = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            infos.add(new PartitionInfo(TOPIC, p, null, null, null));
            start.put(new TopicPartition(TOPIC, p), 0L);
        }
        c.updatePartitions(TOPIC, infos);
        c.updateBeginningOffsets(start);
        return c;
    }

    /** A consumer whose topic holds {@code records} at start: all are caught up before the pipeline starts. */
    private static MockConsumer<byte[], byte[]> consumer(int partitions, List<ConsumerRecord<byte[], byte[]>> records) {
        final MockConsumer<byte[], byte[]> c = consumer(partitions);
        final Map<TopicPartition, Long> end = new HashMap<>();
        records.forEach(r -> end.merge(new TopicPartition(TOPIC, r.partition()), r.offset() + 1, Math::max));
        c.updateEndOffsets(end);
        c.schedulePollTask(() -> records.forEach(c::addRecord));
        return c;
    }

    /** A consumer whose topic is empty at start; {@code records} then arrive a few per poll, as on a live log. */
    private static MockConsumer<byte[], byte[]> live(int partitions, List<ConsumerRecord<byte[], byte[]>> records) {
        final MockConsumer<byte[], byte[]> c = consumer(partitions);
        final Map<TopicPartition, Long> end = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            end.put(new TopicPartition(TOPIC, p), 0L);
        }
        c.updateEndOffsets(end);
        for (int i = 0; i < records.size(); i += 8) {
            final List<ConsumerRecord<byte[], byte[]>> some = records.subList(i, Math.min(records.size(), i + 8));
            c.schedulePollTask(() -> some.forEach(c::addRecord));
        }
        return c;
    }

    private static Pipeline pipeline(PipelineConfig config, KafkaFanout feed) {
        return new Pipeline(config, EgressListener.NONE, r -> {
            final Thread t = new Thread(r, "test-pipeline");
            t.setDaemon(true);
            return t;
        }, e -> { }, List.of(), feed.catchUp());
    }

    /**
     * Copies each snapshot in {@code from} to a directory of its own under {@code to}. The writer may still be at
     * work and prune an older one meanwhile: a file gone before its copy is skipped.
     *
     * @return the copies so far
     */
    private static int copySnapshots(Path from, Path to, List<Path> copies) {
        for (Path f : snapshots(from)) {
            try {
                final Path copy = Files.createDirectories(to.resolve("copy-" + copies.size()));
                Files.copy(f, copy.resolve(f.getFileName()));
                copies.add(copy);
            } catch (java.nio.file.NoSuchFileException pruned) {
                // a newer snapshot replaced it
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return copies.size();
    }

    private static List<Path> snapshots(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".snap")).sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
