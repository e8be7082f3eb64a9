package io.followermaze.loadgen.pace;

import java.util.concurrent.locks.LockSupport;

/** The paced source's time: {@link #SYSTEM} in runs, a fake in tests. */
public interface PaceClock {
    /** Remainders shorter than this are spun rather than parked (a park overshoots by tens of µs). */
    long SPIN_NANOS = 10_000;

    long nanoTime();

    /** Returns at or after {@code deadlineNanos} (at once if it has passed). */
    void sleepUntil(long deadlineNanos);

    /** {@link System#nanoTime()}; parks for most of a wait and spins for the last few µs. */
    PaceClock SYSTEM = new PaceClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleepUntil(long deadlineNanos) {
            long remaining;
            while ((remaining = deadlineNanos - System.nanoTime()) > 0) {
                if (remaining > SPIN_NANOS) {
                    LockSupport.parkNanos(remaining - SPIN_NANOS);
                } else {
                    Thread.onSpinWait();
                }
            }
        }
    };
}
