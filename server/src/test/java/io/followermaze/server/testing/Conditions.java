package io.followermaze.server.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting on a condition with a generous failure deadline: correctness, not speed, decides a test. */
public final class Conditions {
    private Conditions() {
    }

    public static void await(String what, Duration limit, BooleanSupplier condition, Supplier<String> state) {
        final long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + limit + " waiting for " + what + "; " + state.get());
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
