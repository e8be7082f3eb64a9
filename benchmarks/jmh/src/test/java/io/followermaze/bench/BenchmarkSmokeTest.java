package io.followermaze.bench;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves the suite runs: the annotation processor generated the benchmark list, and the single-threaded pipeline
 * benchmark (which touches parser, resequencer, graph, router and sessions, and checks its own output at
 * tear-down) completes one short iteration through the JMH Runner API. In-process (forks = 0), so the numbers mean
 * nothing; it is a smoke test, not a measurement.
 */
class BenchmarkSmokeTest {

    /** The stage alone, and the stage on an event loop (which checks at each invocation that every event came out). */
    @ParameterizedTest
    @ValueSource(strings = {"PipelineBenchmark.parseResequenceRoute", "PipelineOnLoopBenchmark.frameAndRunTheLoopTask"})
    void pipelineBenchmarkRunsThroughJmh(String benchmark) throws RunnerException {
        final Options options = new OptionsBuilder()
            .include(Pattern.quote(PipelineBenchmark.class.getPackageName() + "." + benchmark))
            .forks(0)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(300))
            .shouldFailOnError(true)
            .build();

        final Collection<RunResult> results = new Runner(options).run();

        assertEquals(1, results.size());
        final RunResult result = results.iterator().next();
        assertTrue(result.getPrimaryResult().getScore() > 0, "events/s must be positive");
        assertTrue(result.getSecondaryResults().containsKey("notifications"), "notifications counter reported");
    }
}
