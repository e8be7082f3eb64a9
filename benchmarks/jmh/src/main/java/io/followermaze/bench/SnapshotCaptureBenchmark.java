package io.followermaze.bench;

import io.followermaze.graph.FollowerGraph;
import io.followermaze.pipeline.EgressListener;
import io.followermaze.pipeline.PipelineConfig;
import io.followermaze.pipeline.SequenceRouteStage;
import io.followermaze.snapshot.Snapshot;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The pause a snapshot costs the stream: {@link SequenceRouteStage#capture}, the flat copy of the follow graph (and
 * the cursor and held events) that runs on the pipeline thread; writing the copy to disk happens on another thread and
 * is not measured here. Sample-time mode reports the pause's distribution (p99, max) for a graph of {@code edges}
 * follows among {@code edges / 10} users, ids drawn at random.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g", "-XX:+UseParallelGC"})
@State(Scope.Benchmark)
public class SnapshotCaptureBenchmark extends BenchmarkDefaults {

    @Param({"1000000", "10000000"})
    public int edges;

    private SequenceRouteStage stage;
    private final Snapshot snapshot = new Snapshot();

    @Setup(Level.Trial)
    public void buildGraph() {
        final int users = edges / 10;
        final PipelineConfig config = PipelineConfig.DEFAULT.withMaxUsers(users).withMaxFollows(edges);
        stage = new SequenceRouteStage(config, EgressListener.NONE);
        final FollowerGraph graph = stage.graph();
        final SplittableRandom random = new SplittableRandom(42);
        while (graph.edgeCount() < edges) {
            graph.follow(1 + random.nextInt(users), 1 + random.nextInt(users));
        }
        stage.capture(snapshot); // sizes the image's arrays once, as the first snapshot of a run does
    }

    @Benchmark
    public Snapshot capture() {
        stage.capture(snapshot);
        return snapshot;
    }
}
