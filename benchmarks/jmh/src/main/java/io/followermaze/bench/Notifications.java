package io.followermaze.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Secondary JMH result: notifications handed to sessions, reported as a rate next to the primary events/s
 * (JMH prints it as {@code <benchmark>:notifications}, in ops/s). Benchmarks add the notifications each
 * invocation delivered; JMH divides by the iteration's measured time.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Notifications {
    public long notifications;

    @Setup(Level.Iteration)
    public void reset() {
        notifications = 0;
    }
}
