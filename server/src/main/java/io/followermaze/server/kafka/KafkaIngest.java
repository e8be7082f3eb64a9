package io.followermaze.server.kafka;

import com.lmax.disruptor.EventTranslatorOneArg;
import io.followermaze.pipeline.IngressEntry;
import io.followermaze.pipeline.PipelineConfig;
import io.followermaze.pipeline.SharedRateLimitedLog;
import io.followermaze.server.LogSink;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ingest role's sink: each chunk of whole event lines a {@code LineFramer} publishes becomes one Kafka record
 * (many lines per record), sent with {@code acks=all} and idempotence on, batched by the producer (linger, batch
 * size). The framer fills a per-thread scratch {@link IngressEntry} exactly as it fills a ring entry; its bytes are
 * copied into the record.
 * <p>
 * Memory is bounded: the bytes sent and not yet acknowledged are counted, and past {@link #MAX_IN_FLIGHT_BYTES}
 * (half the producer's {@code buffer.memory}) {@link #tryPublish} answers {@code RING_FULL}, so the event-source
 * handler stops reading its socket exactly as at a full ring; the producer therefore never blocks an event loop.
 */
final class KafkaIngest implements LogSink {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaIngest.class);
    static final long BUFFER_MEMORY = 64L * 1024 * 1024;
    static final long MAX_IN_FLIGHT_BYTES = BUFFER_MEMORY / 2;

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final PipelineConfig config;
    private final ThreadLocal<IngressEntry> scratch;
    private final AtomicLong inFlightBytes = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final SharedRateLimitedLog failureLog = new SharedRateLimitedLog(LOG, Level.ERROR, 1000);
    private volatile boolean closed;

    KafkaIngest(String bootstrap, String topic, PipelineConfig config) {
        this.topic = topic;
        this.config = config;
        this.scratch = ThreadLocal.withInitial(() -> new IngressEntry(config.chunkBytes()));
        final Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, BUFFER_MEMORY);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "followermaze-ingest");
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        LOG.info("Ingest: appending event lines to Kafka topic '{}' at {} (acks=all, idempotent)", topic, bootstrap);
    }

    @Override
    public PipelineConfig config() {
        return config;
    }

    @Override
    public <A> Outcome tryPublish(EventTranslatorOneArg<IngressEntry, A> translator, A arg) {
        if (closed) {
            return Outcome.STOPPED;
        }
        if (inFlightBytes.get() >= MAX_IN_FLIGHT_BYTES) {
            return Outcome.RING_FULL;
        }
        final IngressEntry entry = scratch.get();
        translator.translateTo(entry, 0, arg);
        if (entry.kind() != IngressEntry.Kind.EVENT_LINES || entry.length() == 0) {
            return Outcome.PUBLISHED; // registrations never come here (no client port); empty chunks carry nothing
        }
        final int length = entry.length();
        final byte[] value = Arrays.copyOf(entry.bytes(), length);
        inFlightBytes.addAndGet(length);
        producer.send(new ProducerRecord<>(topic, value), new Acked(length));
        return Outcome.PUBLISHED;
    }

    private final class Acked implements Callback {
        private final int length;

        Acked(int length) {
            this.length = length;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            inFlightBytes.addAndGet(-length);
            if (exception == null) {
                acked.incrementAndGet();
            } else {
                failed.incrementAndGet();
                failureLog.log("Kafka refused a record of {} bytes for good (after retries): {}", length,
                    exception.toString());
            }
        }
    }

    @Override
    public long recordsAcked() {
        return acked.get();
    }

    @Override
    public long recordsFailed() {
        return failed.get();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        producer.flush();
        producer.close(Duration.ofSeconds(30));
        LOG.info("Ingest: producer closed; {} records acknowledged, {} failed", acked.get(), failed.get());
    }
}
