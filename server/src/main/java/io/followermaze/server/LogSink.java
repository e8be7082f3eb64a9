package io.followermaze.server;

import io.followermaze.pipeline.IngressPublisher;

/**
 * Where an ingest node's event sources publish instead of the ring: the log ({@code --role ingest}). The event-source
 * handlers frame lines exactly as for the ring; {@link #tryPublish} answering {@code RING_FULL} makes them stop
 * reading the socket, the same backpressure as a full ring. No Kafka type appears here, so that the single node
 * never loads one.
 */
public interface LogSink extends IngressPublisher, AutoCloseable {

    /** Records acknowledged by the log. */
    long recordsAcked();

    /** Records the log refused for good (after the producer's own retries). */
    long recordsFailed();

    /** Records sent again after a passing failure (no metadata while the broker was away, the delivery timeout). */
    long recordsResent();

    /**
     * The first record the log refused for good, or null. Every fan-out node waits for its seqs, so this is fatal:
     * the node stops taking input and tells its {@code onFatal}.
     */
    Throwable failure();

    /** Sends what is buffered, waits for the acknowledgements, and closes. */
    @Override
    void close();
}
