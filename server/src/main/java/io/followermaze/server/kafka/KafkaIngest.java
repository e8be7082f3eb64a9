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
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The ingest role's sink: each chunk of whole event lines a {@code LineFramer} publishes becomes one Kafka record
 * (many lines per record), sent with {@code acks=all} and idempotence on, batched by the producer (linger, batch
 * size), the partitions taken in turn when the topic has several (a partition added later is used after a restart).
 * The framer fills a per-thread scratch {@link IngressEntry} exactly as it fills a ring entry; its bytes are copied
 * into the record.
 * <p>
 * Memory is bounded: the bytes sent and not yet acknowledged are counted, and past {@link #MAX_IN_FLIGHT_BYTES}
 * (half the producer's {@code buffer.memory}) {@link #tryPublish} answers {@code RING_FULL}, so the event-source
 * handler stops reading its socket exactly as at a full ring; the producer therefore never blocks an event loop.
 * <p>
 * A record the producer gives up on for a passing reason ({@code RetriableException}: no metadata while the broker is
 * away, the delivery timeout passed) is sent again from a thread of its own, its bytes still counted in flight. A
 * record the log refuses for good (too large for the topic, not authorized) is a hole every fan-out node would wait
 * at: counted, logged, and fatal. From then on
 * {@link #tryPublish} answers {@code STOPPED} (nothing is appended after the hole) and {@code onFatal} is told, so
 * that {@code serve} exits (status 70) and the source, reconnecting to the restarted node, sends the lines again.
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
    /** Records sent: chunks go to the partitions in turn (each partition still batches), spreading the log evenly. */
    private final AtomicLong sent = new AtomicLong();
    private final int partitions;
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final SharedRateLimitedLog failureLog = new SharedRateLimitedLog(LOG, Level.ERROR, 1000);
    private final SharedRateLimitedLog retryLog = new SharedRateLimitedLog(LOG, Level.WARN, 1000);
    /** Records to send again (bounded: their bytes are still counted in {@link #inFlightBytes}). */
    private final LinkedBlockingQueue<byte[]> retries = new LinkedBlockingQueue<>();
    private final AtomicLong resent = new AtomicLong();
    private final Thread resender;
    private volatile boolean closed;
    /** The first refusal; written once, by the producer's I/O thread (compare-and-set). */
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Consumer<Throwable> onFatal;

    /** @param onFatal told (on the producer's I/O thread) when the log refuses a record for good */
    KafkaIngest(String bootstrap, String topic, PipelineConfig config, Map<String, Object> clientConfig,
                Consumer<Throwable> onFatal) {
        this.onFatal = onFatal;
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
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "followermaze-ingest");
        p.putAll(clientConfig); // --kafka-client-config: security, compression, tuning
        KafkaRoles.keep(p, ProducerConfig.ACKS_CONFIG, "all");
        KafkaRoles.keep(p, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // send() blocks only for metadata it lacks (fetched below, before the event port opens) or buffer space
        // (never lacking: see MAX_IN_FLIGHT_BYTES); this bounds what an event loop could ever wait regardless.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, BUFFER_MEMORY); // MAX_IN_FLIGHT_BYTES is half of it
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.partitions = awaitTopic(bootstrap);
        this.resender = new Thread(this::resendLoop, "followermaze-log-resend");
        resender.setDaemon(true);
        resender.start();
        LOG.info("Ingest: appending event lines to Kafka topic '{}' ({} partition(s)) at {} (acks=all, idempotent)",
            topic, partitions, bootstrap);
    }

    /**
     * Fetches the topic's metadata (creating the topic where the broker allows it) before the event port opens, so
     * that {@code send()} on an event loop never waits for it; while Kafka does not answer: a log line and a retry
     * with backoff.
     */
    private int awaitTopic(String bootstrap) {
        long backoffMillis = 200;
        while (true) {
            try {
                final int n = producer.partitionsFor(topic).size();
                if (n > 0) {
                    return n;
                }
            } catch (org.apache.kafka.common.KafkaException e) {
                LOG.warn("Ingest: no metadata for topic '{}' from Kafka at {} ({}); retrying in {} ms", topic,
                    bootstrap, e.getMessage(), backoffMillis);
            }
            try {
                Thread.sleep(backoffMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                producer.close(Duration.ZERO);
                throw new IllegalStateException("interrupted while waiting for Kafka", e);
            }
            backoffMillis = Math.min(backoffMillis * 2, 5_000);
        }
    }

    @Override
    public PipelineConfig config() {
        return config;
    }

    @Override
    public <A> Outcome tryPublish(EventTranslatorOneArg<IngressEntry, A> translator, A arg) {
        if (closed || failure.get() != null) {
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
        send(value);
        return Outcome.PUBLISHED;
    }

    private void send(byte[] value) {
        final int partition = partitions == 1 ? 0 : (int) (sent.getAndIncrement() % partitions);
        producer.send(new ProducerRecord<>(topic, partition, null, value), new Acked(value));
    }

    /**
     * Sends again what Kafka could not take for a passing reason; its own thread, because a send may wait up to
     * {@code max.block.ms} for metadata, which the producer's I/O thread (where callbacks run) must fetch.
     */
    private void resendLoop() {
        while (!closed) {
            try {
                final byte[] value = retries.poll(100, TimeUnit.MILLISECONDS);
                if (value != null) {
                    send(value);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("Ingest: sending a record again failed: {}", e.toString());
            }
        }
    }

    private final class Acked implements Callback {
        private final byte[] value;

        Acked(byte[] value) {
            this.value = value;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            final int length = value.length;
            if (exception instanceof RetriableException && !closed) {
                // e.g. no metadata while the broker is away, or the delivery timeout passed: the record may be
                // missing from the log, so it goes again (a copy that did get in is dropped by seq downstream).
                // Its bytes stay counted in flight: the sources stay throttled while Kafka is away.
                resent.incrementAndGet();
                retryLog.log("Kafka could not take a record of {} bytes for now ({}); sending it again", length,
                    exception.toString());
                retries.add(value);
                return;
            }
            inFlightBytes.addAndGet(-length);
            if (exception == null) {
                acked.incrementAndGet();
            } else {
                failed.incrementAndGet();
                if (failure.compareAndSet(null, exception)) {
                    LOG.error("FATAL: Kafka refused a record of {} bytes for good ({}); every fan-out node would wait "
                        + "at the seqs it held, so this ingest node takes no more input", length, exception.toString());
                    onFatal.accept(exception);
                } else {
                    failureLog.log("Kafka refused a record of {} bytes for good (after retries): {}", length,
                        exception.toString());
                }
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
    public long recordsResent() {
        return resent.get();
    }

    @Override
    public Throwable failure() {
        return failure.get();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        // Records waiting to go again are sent first (for a bounded time); one that then fails again is counted.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!retries.isEmpty() && System.nanoTime() < deadline) {
            producer.flush();
            Thread.onSpinWait();
        }
        closed = true;
        resender.interrupt();
        producer.flush();
        producer.close(Duration.ofSeconds(30));
        LOG.info("Ingest: producer closed; {} records acknowledged, {} failed", acked.get(), failed.get());
    }
}
