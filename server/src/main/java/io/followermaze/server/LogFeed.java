package io.followermaze.server;

import io.followermaze.pipeline.IngressPublisher;
import io.followermaze.pipeline.SequenceRouteStage;

import java.util.function.Consumer;

/**
 * A fan-out node's ingress: the log ({@code --role fanout}). First {@link #catchUp()} restores the node's newest
 * snapshot, if it keeps them, and replays the log after it up to the end offsets read at start into the
 * sequence-route stage with routing off (before the pipeline starts and before the
 * client port opens); then {@link #start} feeds everything after that into the ring from its own thread. No Kafka
 * type appears here, so that the single node never loads one.
 */
public interface LogFeed extends AutoCloseable {

    /** The pipeline's {@code beforeStart} hook: replays the log up to its end offsets at start. */
    Consumer<SequenceRouteStage> catchUp();

    /** Starts the consumer thread that publishes each record into {@code ring}. */
    void start(IngressPublisher ring);

    /** Records in the log not yet published into the ring (as of the last poll); -1 before the first. */
    long lagRecords();

    /** Records published into the ring (or replayed at catch-up) since start. */
    long recordsConsumed();

    /**
     * Log records this node did not read at start because its snapshot held their effect (the sum of the offsets it
     * resumed at); 0 when it replayed the log from the beginning.
     */
    long resumedFromRecords();

    /** What ended the consumer thread for good (no further event reaches this node), or null. */
    Throwable failure();

    /** Stops the consumer thread; what it already published stays in the ring. */
    @Override
    void close();

    /** After the pipeline has stopped (its shutdown snapshot written): releases what the node holds on disk. */
    void afterPipelineStopped();
}
