package io.followermaze.server.kafka;

import com.lmax.disruptor.EventTranslatorOneArg;
import io.followermaze.ingress.LineFramer;
import io.followermaze.pipeline.IngressEntry;
import io.followermaze.pipeline.IngressPublisher;
import io.followermaze.pipeline.PipelineConfig;
import io.followermaze.pipeline.SequenceRouteStage;
import io.followermaze.server.LogFeed;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fan-out role's ingress: a consumer {@code assign()}ed to every partition of the topic (no consumer group, so no
 * rebalancing). At start ({@link #catchUp()}, the pipeline's {@code beforeStart} hook) it restores the newest
 * snapshot if it keeps them ({@link FanoutSnapshots}) and seeks each partition to the offset stored there (else to
 * the beginning), reads the end offsets and replays every record up to them straight into the sequence-route stage
 * with routing off; then its thread publishes each further record into the ring as one EVENT_LINES entry stamped
 * with its partition and next offset (records are the ingest node's chunks of whole lines, so they fit an entry; a
 * larger one goes through a {@link LineFramer}, its pieces marked as such and its end as an empty entry). With
 * several partitions the resequencer merges them by seq, as it merges out-of-order input today.
 * <p>
 * Crash-only: should the consumer thread fail (any {@code Throwable}, e.g. the log's retention overtook this node),
 * no further event reaches this node, so it reports the failure ({@link #failure()}: /health DOWN) and tells
 * {@code onFatal} (serve exits with status 70) rather than serve clients a stream that has stopped.
 */
final class KafkaFanout implements LogFeed {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaFanout.class);
    /** Catch-up progress is logged this often (the status line starts only once the client port is open). */
    private static final long PROGRESS_NANOS = 2_000_000_000L;
    private static final Duration POLL = Duration.ofMillis(100);

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final String bootstrap;
    private final PipelineConfig config;
    /** Null when this node keeps no snapshots. */
    private final FanoutSnapshots snapshots;
    private final java.util.function.Consumer<Throwable> onFatal;
    private final AtomicLong consumed = new AtomicLong();
    private volatile long lag = -1;
    /** Written by the thread that closes this feed. */
    private volatile boolean running = true;
    /** Written once, by the consumer thread, when it fails. */
    private volatile Throwable failure;
    /** Written by catch-up (the constructing thread), before the consumer thread starts. */
    private volatile FanoutSnapshots.Resume resumed = FanoutSnapshots.Resume.BEGINNING;
    private List<TopicPartition> partitions;
    private Thread thread;
    private final EventTranslatorOneArg<IngressEntry, ConsumerRecord<byte[], byte[]>> copy = (entry, seq, record) -> {
        final byte[] value = record.value();
        System.arraycopy(value, 0, entry.bytes(), 0, value.length);
        entry.eventLines(value.length);
        entry.logged(record.partition(), record.offset() + 1);
    };
    /** The end of a record published in pieces: an empty chunk that carries the record's position. */
    private static final EventTranslatorOneArg<IngressEntry, ConsumerRecord<byte[], byte[]>> END_OF_RECORD =
        (entry, seq, record) -> {
            entry.eventLines(0);
            entry.logged(record.partition(), record.offset() + 1);
        };

    /**
     * @param snapshotDir where this node keeps its snapshots (null: none), one every {@code snapshotEvery} events
     * @param onFatal     told (on the consumer thread) when the consumer fails for good
     */
    KafkaFanout(String bootstrap, String topic, PipelineConfig config, Map<String, Object> clientConfig,
                Path snapshotDir, long snapshotEvery, java.util.function.Consumer<Throwable> onFatal) {
        this(new KafkaConsumer<>(consumerConfig(bootstrap, clientConfig), new ByteArrayDeserializer(),
            new ByteArrayDeserializer()), bootstrap, topic, config, snapshotDir, snapshotEvery, onFatal);
    }

    /** Over any consumer (tests pass a {@code MockConsumer}). */
    KafkaFanout(Consumer<byte[], byte[]> consumer, String bootstrap, String topic, PipelineConfig config,
                Path snapshotDir, long snapshotEvery, java.util.function.Consumer<Throwable> onFatal) {
        this.consumer = consumer;
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.config = config;
        this.snapshots = snapshotDir == null ? null : new FanoutSnapshots(snapshotDir, snapshotEvery, topic);
        this.onFatal = onFatal;
    }

    private static Map<String, Object> consumerConfig(String bootstrap, Map<String, Object> clientConfig) {
        final Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 16 * 1024 * 1024);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "followermaze-fanout");
        p.putAll(clientConfig); // --kafka-client-config: security, tuning
        KafkaRoles.keep(p, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false); // no group: positions are this node's own
        // Every position is set explicitly (snapshot or beginning); a position the log no longer holds (retention
        // overtook this node) must fail loudly, not jump silently over the records it lost.
        KafkaRoles.keep(p, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return p;
    }

    @Override
    public java.util.function.Consumer<SequenceRouteStage> catchUp() {
        return stage -> {
            final long t0 = System.nanoTime();
            partitions = discoverPartitions();
            consumer.assign(partitions);
            final Map<TopicPartition, Long> start = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            if (snapshots != null) {
                resumed = snapshots.resume(stage, partitions, start, end);
            }
            if (resumed.file() == null) {
                consumer.seekToBeginning(partitions);
                // Resolved now, not lazily at the first fetch: retention may have moved the log start since `start`
                // was read, and the records it deleted meanwhile must be named here, not skipped unnoticed.
                final Map<TopicPartition, Long> from = new HashMap<>();
                for (TopicPartition tp : partitions) {
                    from.put(tp, consumer.position(tp));
                }
                if (from.values().stream().anyMatch(o -> o > 0)) {
                    // What is left can not rebuild the graph (the follows before it are gone) and starts past
                    // seq 1, which would be waited for forever: refuse, rather than serve a wrong or stopped stream.
                    throw new IllegalStateException("topic '" + topic + "' now starts at offsets " + from
                        + ": retention deleted the start of the stream, and this node has no usable snapshot to "
                        + "resume after it; copy a snapshot of this topic from another fan-out node into this node's "
                        + "--journal-dir, or keep the topic's whole history (retention.ms=-1)");
                }
            } else {
                for (TopicPartition tp : partitions) {
                    consumer.seek(tp, resumed.offsets()[tp.partition()]);
                }
            }
            end = consumer.endOffsets(partitions); // records written meanwhile are caught up too
            final long total = end.values().stream().mapToLong(Long::longValue).sum() - resumed.records();
            LOG.info("Fan-out: catching up on topic '{}' ({} partition(s)) up to end offsets {} ({} records) with "
                + "routing off", topic, partitions.size(), end, total);
            long bytes = 0;
            long nextProgress = System.nanoTime() + PROGRESS_NANOS;
            while (!reached(end)) {
                final ConsumerRecords<byte[], byte[]> polled;
                try {
                    polled = consumer.poll(POLL);
                } catch (OffsetOutOfRangeException e) { // serve says "Cannot start: " + this message, exit 70
                    throw new IllegalStateException("retention deleted records of topic '" + topic + "' before this "
                        + "node caught up on them (next offsets " + e.offsetOutOfRangePartitions() + " are no longer "
                        + "in the log)", e);
                }
                for (ConsumerRecord<byte[], byte[]> r : polled) {
                    if (r.value() != null) { // ingest writes none; a null record carries nothing
                        stage.replay(r.value(), 0, r.value().length);
                        bytes += r.value().length;
                    }
                    consumed.incrementAndGet();
                }
                if (System.nanoTime() - nextProgress >= 0) { // the client port is not open yet: say how far it is
                    nextProgress = System.nanoTime() + PROGRESS_NANOS;
                    LOG.info("Fan-out: catching up: {} of {} records ({}%), {} bytes replayed", consumed.get(), total,
                        total == 0 ? 100 : consumed.get() * 100 / total, bytes);
                }
            }
            LOG.info("Fan-out: caught up in {} ms: {} records, {} bytes replayed", (System.nanoTime() - t0) / 1_000_000,
                consumed.get(), bytes);
            if (snapshots != null) {
                final long[] at = new long[partitions.size()];
                for (TopicPartition tp : partitions) {
                    at[tp.partition()] = consumer.position(tp); // every record polled was replayed: exact
                }
                snapshots.schedule(stage, resumed, at);
            }
        };
    }

    private boolean reached(Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** The topic's partitions; while the broker is unreachable or the topic does not exist, logs and retries. */
    private List<TopicPartition> discoverPartitions() {
        long backoffMillis = 200;
        while (true) {
            try {
                final List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
                if (infos != null && !infos.isEmpty()) {
                    final List<TopicPartition> tps = new ArrayList<>();
                    infos.forEach(i -> tps.add(new TopicPartition(i.topic(), i.partition())));
                    return tps;
                }
                LOG.warn("Fan-out: topic '{}' does not exist yet at {}; retrying in {} ms", topic, bootstrap,
                    backoffMillis);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                LOG.warn("Fan-out: Kafka at {} does not answer ({}); retrying in {} ms", bootstrap, e.getMessage(),
                    backoffMillis);
            }
            try {
                Thread.sleep(backoffMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Kafka", e);
            }
            backoffMillis = Math.min(backoffMillis * 2, 5_000);
        }
    }

    @Override
    public void start(IngressPublisher ring) {
        thread = new Thread(() -> run(ring), "followermaze-log-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(IngressPublisher ring) {
        try {
            while (running) {
                final ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    final byte[] value = r.value();
                    final boolean live = value == null || value.length <= config.chunkBytes()
                        ? ring.publish(value == null ? END_OF_RECORD : copy, r) // waits for a quarter of a full ring
                        : publishFramed(ring, r);
                    if (!live) {
                        return; // the pipeline has stopped
                    }
                    consumed.incrementAndGet();
                }
                updateLag();
            }
        } catch (WakeupException e) {
            if (running) {
                fail(e);
            } // else: close()
        } catch (Throwable t) {
            fail(t);
        } finally {
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warn("Fan-out: closing the log consumer failed: {}", e.toString());
            }
        }
    }

    private void fail(Throwable t) {
        failure = t;
        try {
            LOG.error("FATAL: the fan-out node's log consumer failed; no further events reach this node", t);
        } finally {
            onFatal.accept(t);
        }
    }

    /** A record larger than a ring entry: its lines in pieces (none a place to snapshot), then its end. */
    private boolean publishFramed(IngressPublisher ring, ConsumerRecord<byte[], byte[]> r) {
        LineFramer.publishAll(new IngressPublisher() {
            @Override
            public PipelineConfig config() {
                return ring.config();
            }

            @Override
            public <A> Outcome tryPublish(EventTranslatorOneArg<IngressEntry, A> translator, A arg) {
                return ring.tryPublish((entry, seq, a) -> {
                    translator.translateTo(entry, seq, a);
                    entry.loggedPart();
                }, arg);
            }

            @Override
            public long remainingCapacity() {
                return ring.remainingCapacity(); // so that its waits, too, are for a quarter of the ring
            }
        }, r.value(), 0, r.value().length);
        return ring.publish(END_OF_RECORD, r);
    }

    private void updateLag() {
        long sum = 0;
        for (TopicPartition tp : partitions) {
            final OptionalLong l = consumer.currentLag(tp);
            if (l.isEmpty()) {
                return; // not known yet: keep the last value
            }
            sum += l.getAsLong();
        }
        lag = sum;
    }

    @Override
    public long lagRecords() {
        return lag;
    }

    @Override
    public long recordsConsumed() {
        return consumed.get();
    }

    @Override
    public long resumedFromRecords() {
        return resumed.records();
    }

    @Override
    public Throwable failure() {
        return failure;
    }

    @Override
    public void afterPipelineStopped() {
        if (snapshots != null) {
            snapshots.close(); // the shutdown snapshot is written: the directory is free for the next process
        }
    }

    @Override
    public void close() {
        running = false;
        if (thread == null) {
            consumer.close(Duration.ofSeconds(5));
            return;
        }
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
