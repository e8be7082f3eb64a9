package io.followermaze.server.kafka;

import com.lmax.disruptor.EventTranslatorOneArg;
import io.followermaze.ingress.LineFramer;
import io.followermaze.pipeline.IngressEntry;
import io.followermaze.pipeline.IngressPublisher;
import io.followermaze.pipeline.PipelineConfig;
import io.followermaze.pipeline.SequenceRouteStage;
import io.followermaze.server.LogFeed;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The fan-out role's ingress: a consumer {@code assign()}ed to every partition of the topic (no consumer group, so no
 * rebalancing), from the beginning. At start ({@link #catchUp()}, the pipeline's {@code beforeStart} hook) it reads
 * the end offsets and replays every record up to them straight into the sequence-route stage with routing off; then
 * its thread publishes each further record into the ring as one EVENT_LINES entry (records are the ingest node's
 * chunks of whole lines, so they fit an entry; a larger one goes through a {@link LineFramer}). With several
 * partitions the resequencer merges them by seq, as it merges out-of-order input today.
 */
final class KafkaFanout implements LogFeed {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaFanout.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final String bootstrap;
    private final PipelineConfig config;
    private final AtomicLong consumed = new AtomicLong();
    private volatile long lag = -1;
    private volatile boolean running = true;
    private List<TopicPartition> partitions;
    private Thread thread;
    private final EventTranslatorOneArg<IngressEntry, ConsumerRecord<byte[], byte[]>> copy = (entry, seq, record) -> {
        final byte[] value = record.value();
        System.arraycopy(value, 0, entry.bytes(), 0, value.length);
        entry.eventLines(value.length);
    };

    KafkaFanout(String bootstrap, String topic, PipelineConfig config, Map<String, Object> clientConfig) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.config = config;
        final Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 16 * 1024 * 1024);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "followermaze-fanout");
        p.putAll(clientConfig); // --kafka-client-config: security, tuning
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false); // no group: positions are this node's own
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public Consumer<SequenceRouteStage> catchUp() {
        return stage -> {
            final long t0 = System.nanoTime();
            partitions = discoverPartitions();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            final long total = end.values().stream().mapToLong(Long::longValue).sum();
            LOG.info("Fan-out: catching up on topic '{}' ({} partition(s)) up to end offsets {} ({} records) with "
                + "routing off", topic, partitions.size(), end, total);
            long bytes = 0;
            while (!reached(end)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    stage.replay(r.value(), 0, r.value().length);
                    bytes += r.value().length;
                    consumed.incrementAndGet();
                }
            }
            LOG.info("Fan-out: caught up in {} ms: {} records, {} bytes replayed", (System.nanoTime() - t0) / 1_000_000,
                consumed.get(), bytes);
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
                    if (value == null || value.length == 0) {
                        continue;
                    }
                    final boolean live = value.length <= config.chunkBytes()
                        ? ring.publish(copy, r)
                        : publishFramed(ring, value);
                    if (!live) {
                        return; // the pipeline has stopped
                    }
                    consumed.incrementAndGet();
                }
                updateLag();
            }
        } catch (WakeupException e) {
            // close()
        } catch (RuntimeException e) {
            LOG.error("Fan-out: the log consumer failed; no further events reach this node", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private static boolean publishFramed(IngressPublisher ring, byte[] value) {
        LineFramer.publishAll(ring, value, 0, value.length);
        return true;
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
