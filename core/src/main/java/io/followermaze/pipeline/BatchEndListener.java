package io.followermaze.pipeline;

/**
 * Told on the pipeline thread after the last entry of each Disruptor batch: the moment to hand the batch's
 * notifications to the network in one go (one hand-off per event loop per batch, not one per message).
 */
@FunctionalInterface
public interface BatchEndListener {
    void onBatchEnd();

    BatchEndListener NONE = () -> { };
}
