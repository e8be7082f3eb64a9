/**
 * The event stream the load generator sends: {@link io.followermaze.loadgen.stream.EventGenerator} makes it in seq
 * order from a seed ({@link io.followermaze.loadgen.stream.SplitMix64}) with a
 * {@link io.followermaze.loadgen.stream.Mix} of event types, keeps its own model of the graph
 * ({@link io.followermaze.loadgen.stream.FollowGraph}) and tells a
 * {@link io.followermaze.loadgen.stream.RecipientSink} who must receive each event;
 * {@link io.followermaze.loadgen.stream.SourceStream} shuffles it into batches and writes it to the event port.
 * <p>
 * Threads: single-threaded: everything here runs on the source thread ({@code loadgen-source}), allocation-free per
 * event. What it tells readers goes through the producer side of each client's {@code verify.Expectation}.
 */
package io.followermaze.loadgen.stream;
