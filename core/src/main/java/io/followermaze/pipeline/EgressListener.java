package io.followermaze.pipeline;

/**
 * What the pipeline thread tells the outbound side. Implementations may make the pipeline thread wait (for
 * congested clients to drain): that is how backpressure reaches the ingress ring and, through it, the sources.
 */
public interface EgressListener {
    /**
     * After each in-order event has been routed. Must be cheap in the common case (a counter compare); may
     * hand off early when a single batch produces a lot of output (large fan-out).
     */
    default void onEventRouted() {
    }

    /**
     * After the last entry of each Disruptor batch: the moment to hand the batch's notifications to the
     * network in one go (one hand-off per event loop per batch, not one per message).
     */
    void onBatchEnd();

    /**
     * Asked by a pipeline that runs on an event loop ({@link LoopConsumer}) before it takes more input, instead of
     * waiting inside {@link #onBatchEnd()}: true while clients must catch up first. Such a pipeline shares its
     * thread with the sockets it writes to, so it must not wait for them.
     */
    default boolean holdsBack() {
        return false;
    }

    /**
     * Called once, by the thread that stops the pipeline, when the drain at a stop has waited its time for clients
     * that hold the pipeline back: from then on congested clients are not waited for (the per-client bound cuts them
     * off), so that the rest of the ring reaches the clients that read.
     */
    default void stopWaitingForCongestedClients() {
    }

    /** Does nothing: for pipelines whose sessions write somewhere synchronous (tests, benchmarks). */
    EgressListener NONE = () -> { };
}
