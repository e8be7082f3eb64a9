package io.followermaze.bench;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The run settings every benchmark here starts from, declared once: throughput in ops/s, 3 warm-up and 5 measured
 * iterations of 1 s, one fork. JMH reads these class-level annotations from the superclass when the benchmark class
 * has none of its own; a subclass that declares one (say {@code @Fork} with extra JVM flags, or
 * {@code @BenchmarkMode}) replaces the inherited one. Command-line flags ({@code -f}, {@code -wi}, {@code -i},
 * {@code -bm}, {@code -tu}) override both.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public abstract class BenchmarkDefaults {
}
