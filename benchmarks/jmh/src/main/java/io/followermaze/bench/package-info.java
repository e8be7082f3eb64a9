/**
 * The JMH benchmarks of core's hot path, built into {@code benchmarks/jmh/target/benchmarks.jar}: parsing
 * ({@link io.followermaze.bench.EventParserBenchmark}), resequencing ({@link io.followermaze.bench.ResequencerBenchmark}),
 * routing ({@link io.followermaze.bench.RouterBenchmark}), the pipeline stage on one thread
 * ({@link io.followermaze.bench.PipelineBenchmark}) and across the real Disruptor
 * ({@link io.followermaze.bench.PipelineDisruptorBenchmark}), reading direct memory
 * ({@link io.followermaze.bench.DirectMemoryReadBenchmark}); two plain mains that measure memory
 * ({@link io.followermaze.bench.MemoryFootprint}, {@link io.followermaze.bench.DirectMemoryFootprint}); and their
 * shared inputs and sinks ({@link io.followermaze.bench.ReferenceStream}, {@link io.followermaze.bench.CountingSession},
 * {@link io.followermaze.bench.Notifications}).
 * Run settings are declared once in {@link io.followermaze.bench.BenchmarkDefaults} (and the per-thread state with the
 * {@code mix} parameter in {@link io.followermaze.bench.MixBenchmark}); how to run them: {@code docs/benchmarks.md}.
 * <p>
 * Threads: every benchmark state is per benchmark thread ({@code Scope.Thread}) and single-threaded, except
 * {@code PipelineDisruptorBenchmark}: there the benchmark thread publishes into the ring and the pipeline thread
 * routes into {@code CountingSession}s, which the benchmark thread reads only after seeing the pipeline's released
 * count advance (a release/acquire pair). The memory mains run on one thread each ({@code DirectMemoryFootprint}'s
 * a Netty thread, as the pipeline's is).
 */
package io.followermaze.bench;
