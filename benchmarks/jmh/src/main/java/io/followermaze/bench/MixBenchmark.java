package io.followermaze.bench;

import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * A benchmark whose state is the benchmark class itself (one per benchmark thread) and whose input is
 * {@link ReferenceStream} events of the {@code mix} parameter, with the reference program's users and seed.
 */
@State(Scope.Thread)
public abstract class MixBenchmark extends BenchmarkDefaults {
    /**
     * Event mix: {@code reference} (the load generator's reference-program mix, the default), {@code fanout},
     * {@code broadcast} (the load generator's others) or {@code dense} (core's test-kit mix, a heavier graph).
     */
    @Param({"reference"})
    public String mix;

    /** {@code events} events of {@link #mix} in seq order, over {@link ReferenceStream#USERS} users. */
    final ReferenceStream stream(int events) {
        return ReferenceStream.generate(events, ReferenceStream.USERS, ReferenceStream.SEED, mix);
    }
}
