package io.followermaze.pipeline;

import org.slf4j.Logger;

/**
 * Logs at most one warning per interval and says how many were suppressed in between, so that a flood of
 * bad input costs a counter increment, not a log line per event.
 */
public final class RateLimitedLog {
    private final Logger log;
    private final long intervalNanos;
    private long nextAllowedNanos = Long.MIN_VALUE;
    private long suppressed;

    public RateLimitedLog(Logger log, long intervalMillis) {
        this.log = log;
        this.intervalNanos = intervalMillis * 1_000_000L;
    }

    /**
     * For lines with more arguments: true when a line may go out now (then log it, adding
     * {@link #takeSuppressed()}), false when it is counted as suppressed. Thread-confined.
     */
    public boolean allow() {
        final long now = System.nanoTime();
        if (nextAllowedNanos != Long.MIN_VALUE && now - nextAllowedNanos < 0) {
            suppressed++;
            return false;
        }
        nextAllowedNanos = now + intervalNanos;
        return true;
    }

    /** Lines suppressed since the last one that went out; resets the count. */
    public long takeSuppressed() {
        final long n = suppressed;
        suppressed = 0;
        return n;
    }

    /** Logs unless a line went out less than the interval ago; thread-confined (one instance per thread). */
    public void warn(String format, Object a, Object b) {
        final long now = System.nanoTime();
        if (nextAllowedNanos != Long.MIN_VALUE && now - nextAllowedNanos < 0) {
            suppressed++;
            return;
        }
        nextAllowedNanos = now + intervalNanos;
        if (suppressed > 0) {
            log.warn(format + " ({} similar warnings suppressed)", a, b, suppressed);
            suppressed = 0;
        } else {
            log.warn(format, a, b);
        }
    }
}
