package io.followermaze.loadgen.pace;

/** A clock that moves only when told to, or when someone sleeps on it (then straight to the deadline). */
public final class FakeClock implements PaceClock {
    private long now;
    private int sleeps;

    public FakeClock(long start) {
        now = start;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public void sleepUntil(long deadlineNanos) {
        if (deadlineNanos > now) {
            sleeps++;
            now = deadlineNanos;
        }
    }

    /** Time passing while the caller does something (a slow write, a stalled server). */
    public void advance(long nanos) {
        now += nanos;
    }

    /** Sleeps that had to wait. */
    public int sleeps() {
        return sleeps;
    }
}
