package io.followermaze.loadgen.kafka;

import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * A test's hold on a fan-out node's consumer, through Kafka's own extension point ({@code interceptor.classes} in
 * {@code --kafka-client-config}; nothing in the product knows of it). The first {@code poll} that brings the total of
 * records returned to {@value #AFTER} or more stops inside {@code poll}, before its records reach the node, until the
 * test releases it: in process through a {@link Gate} named by {@value #GATE}, in a child process (gate
 * {@code stdin}) by printing {@value #PAUSED} and waiting for a byte on its standard input. While held, the consumer
 * sends no fetch, so the node's position in the log stands still and the test can delete the records ahead of it.
 */
public final class PausingInterceptor implements ConsumerInterceptor<byte[], byte[]> {
    static final String AFTER = "followermaze.test.pause-after-records";
    static final String GATE = "followermaze.test.pause-gate";
    static final String PAUSED = "TEST-CONSUMER-PAUSED";
    private static final Map<String, Gate> GATES = new ConcurrentHashMap<>();

    private long after = Long.MAX_VALUE;
    private String gate = "stdin";
    private long seen;
    private boolean done;

    /** An in-process hold: {@link #paused} counts down when the consumer stops, {@link #release()} lets it go. */
    static final class Gate {
        final CountDownLatch paused = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        void release() {
            released.countDown();
        }
    }

    /** The gate of that name, created on first use (by the test or by the consumer, whichever comes first). */
    static Gate gate(String name) {
        return GATES.computeIfAbsent(name, n -> new Gate());
    }

    @Override
    public void configure(Map<String, ?> configs) {
        if (configs.get(AFTER) != null) {
            after = Long.parseLong(String.valueOf(configs.get(AFTER)));
        }
        if (configs.get(GATE) != null) {
            gate = String.valueOf(configs.get(GATE));
        }
    }

    @Override
    public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
        seen += records.count();
        if (!done && seen >= after) {
            done = true;
            if ("stdin".equals(gate)) {
                System.out.println(PAUSED + " after " + seen + " records");
                System.out.flush();
                try {
                    if (System.in.read() < 0) {
                        throw new IllegalStateException("the test closed the gate's input");
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                final Gate g = gate(gate);
                g.paused.countDown();
                try {
                    g.released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while paused", e);
                }
            }
        }
        return records;
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    }

    @Override
    public void close() {
    }
}
