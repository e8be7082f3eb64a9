/**
 * The Disruptor pipeline and what surrounds it: {@link io.followermaze.pipeline.Pipeline} (the ring's lifecycle),
 * {@link io.followermaze.pipeline.PipelineTopology} (the stages and what each waits for),
 * {@link io.followermaze.pipeline.IngressPublisher} (the one way to publish into the ring),
 * {@link io.followermaze.pipeline.IngressEntry} (one ring entry: a chunk of event lines or a registration change),
 * {@link io.followermaze.pipeline.SequenceRouteStage} (the sequence-route stage: splits, parses, resequences, routes),
 * {@link io.followermaze.pipeline.PipelineStats} (the read-only view of every statistic),
 * {@link io.followermaze.pipeline.EgressListener} (what the stage tells the outbound side),
 * {@link io.followermaze.pipeline.PipelineConfig} and {@link io.followermaze.pipeline.MemoryModel} (sizes and heap
 * budgets), and the rate-limited logs used on and off the per-event path.
 * <p>
 * Threads: producers are any threads (in the server the Netty event loops, which only ever try to publish, never wait
 * on a full ring; a ticker thread while a gap timeout is set); each stage runs on its own thread and owns the entries
 * it has been given; the sequence-route stage's thread owns everything in the resequencer, graph, router and session
 * packages. Statistics are single-writer counters any thread may read. A
 * {@link io.followermaze.pipeline.RateLimitedLog} belongs to one thread; a
 * {@link io.followermaze.pipeline.SharedRateLimitedLog} is for lines logged from many.
 */
package io.followermaze.pipeline;
