package io.followermaze.pipeline;

import org.slf4j.Logger;

/**
 * Logs at most one warning per interval and says how many were suppressed in between, so that a flood of
 * bad input costs a counter increment, not a log line per event. Lines suppressed after the last one that went out
 * are reported by {@link #flushIfDue()}, which the owning thread calls now and then (at batch end, on its loop's
 * timer, at shutdown), so that the tail of a burst is not left out of the log.
 */
public final class RateLimitedLog {
    private final Logger log;
    private final long intervalNanos;
    private long nextAllowedNanos = Long.MIN_VALUE;
    private long suppressed;
    /** The format of the last suppressed line, for the flush line. */
    private String lastSuppressed;

    public RateLimitedLog(Logger log, long intervalMillis) {
        this.log = log;
        this.intervalNanos = intervalMillis * 1_000_000L;
    }

    /**
     * For lines with more arguments: true when a line may go out now (then log it, adding
     * {@link #takeSuppressed()}), false when it is counted as suppressed. Thread-confined.
     */
    public boolean allow() {
        return admit(null);
    }

    /** True when a line may go out now (the interval has passed); else counts it as suppressed. */
    private boolean admit(String format) {
        final long now = System.nanoTime();
        if (nextAllowedNanos != Long.MIN_VALUE && now - nextAllowedNanos < 0) {
            suppressed++;
            lastSuppressed = format;
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
        if (!admit(format)) {
            return;
        }
        if (suppressed > 0) {
            log.warn(format + " ({} similar warnings suppressed)", a, b, suppressed);
            suppressed = 0;
        } else {
            log.warn(format, a, b);
        }
    }

    /**
     * Owning thread: if lines were suppressed and the interval has passed, logs how many (nothing else would, should
     * no further line come). Costs a field read when nothing is pending.
     */
    public void flushIfDue() {
        if (suppressed == 0) {
            return;
        }
        final long now = System.nanoTime();
        if (now - nextAllowedNanos >= 0) {
            flush(now);
        }
    }

    /** Owning thread: logs the pending count now, whatever the interval (at shutdown). */
    public void flush() {
        if (suppressed > 0) {
            flush(System.nanoTime());
        }
    }

    private void flush(long now) {
        nextAllowedNanos = now + intervalNanos;
        log.warn("{} more similar warnings suppressed{}", suppressed,
            lastSuppressed == null ? "" : " (like: " + lastSuppressed.replace("{}", "…") + ")");
        suppressed = 0;
        lastSuppressed = null;
    }
}
