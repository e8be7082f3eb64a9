package io.followermaze.pipeline;

import org.slf4j.Logger;
import org.slf4j.event.Level;

import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * {@link RateLimitedLog} for lines that many threads log (per-connection lines from every event loop): at most
 * one line per interval, the next one that goes out says how many were suppressed in between.
 * <p>
 * Lock-free: the caller that moves the next-allowed time forward with a compare-and-set logs; every other caller
 * in the interval (and any that loses the race) only increments the suppressed count. Not for the per-event path
 * (the {@code Object...} call allocates): it is for lines per connection, which a flood of bad connections can make
 * as frequent as a few hundred thousand a second, and which then cost an atomic increment each.
 * <p>
 * The count is exact: every call is either a line or counted in a later line's "(N similar lines suppressed)"
 * (the count of the calls after the last line stays pending until the next one). Calls while the logger's level
 * is off are neither logged nor counted.
 */
public final class SharedRateLimitedLog {
    /** Every instance, so that one daemon timer can flush them all (weak: an instance may go away). */
    private static final List<WeakReference<SharedRateLimitedLog>> ALL = new CopyOnWriteArrayList<>();

    static {
        final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "followermaze-log-flush");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleWithFixedDelay(() -> {
            for (WeakReference<SharedRateLimitedLog> ref : ALL) {
                final SharedRateLimitedLog l = ref.get();
                if (l == null) {
                    ALL.remove(ref);
                } else {
                    l.flushIfDue();
                }
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    private final Logger log;
    private final Level level;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong nextAllowedNanos;
    private final AtomicLong suppressed = new AtomicLong();
    /** Format of a recent suppressed line, for the flush line (any thread; a plain reference, racy by design). */
    private volatile String lastFormat;

    /** @param intervalMillis at most one line per this many ms; 0 logs every line */
    public SharedRateLimitedLog(Logger log, Level level, long intervalMillis) {
        this(log, level, intervalMillis, System::nanoTime);
        ALL.add(new WeakReference<>(this));
    }

    /** With a given clock (tests): not flushed by the timer, whose second is not the clock's; the test calls {@link #flushIfDue}. */
    SharedRateLimitedLog(Logger log, Level level, long intervalMillis, LongSupplier nanoClock) {
        if (intervalMillis < 0) {
            throw new IllegalArgumentException("intervalMillis must be >= 0: " + intervalMillis);
        }
        this.log = log;
        this.level = level;
        this.intervalNanos = intervalMillis * 1_000_000L;
        this.nanoClock = nanoClock;
        this.nextAllowedNanos = new AtomicLong(nanoClock.getAsLong()); // the first line goes out
    }

    /** Logs {@code format} with {@code args} (no trailing Throwable) unless a line went out less than the interval ago. */
    public void log(String format, Object... args) {
        if (!log.isEnabledForLevel(level)) {
            return;
        }
        if (intervalNanos > 0) {
            final long now = nanoClock.getAsLong();
            final long next = nextAllowedNanos.get();
            if (now - next < 0 || !nextAllowedNanos.compareAndSet(next, now + intervalNanos)) {
                suppressed.incrementAndGet();
                lastFormat = format;
                return;
            }
        }
        final long n = suppressed.getAndSet(0);
        if (n == 0) {
            emit(format, args);
        } else {
            final Object[] withCount = Arrays.copyOf(args, args.length + 1);
            withCount[args.length] = n;
            emit(format + " ({} similar lines suppressed)", withCount);
        }
    }

    /**
     * Reports lines suppressed after the last one that went out, once the interval has passed, so the tail of a
     * burst reaches the log though no further line comes. Run by a daemon timer for every instance.
     */
    void flushIfDue() {
        if (suppressed.get() == 0) {
            return;
        }
        final long now = nanoClock.getAsLong();
        final long next = nextAllowedNanos.get();
        if (now - next >= 0 && nextAllowedNanos.compareAndSet(next, now + intervalNanos)) {
            final long n = suppressed.getAndSet(0);
            if (n > 0) {
                emit("{} more similar lines suppressed (like: " + lastFormat + ")", new Object[] {n});
            }
        }
    }

    /** Lines suppressed since the last one went out (not yet reported). */
    public long pendingSuppressed() {
        return suppressed.get();
    }

    private void emit(String format, Object[] args) {
        switch (level) {
            case ERROR -> log.error(format, args);
            case WARN -> log.warn(format, args);
            case INFO -> log.info(format, args);
            case DEBUG -> log.debug(format, args);
            case TRACE -> log.trace(format, args);
        }
    }
}
