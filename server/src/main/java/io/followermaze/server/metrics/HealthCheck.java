package io.followermaze.server.metrics;

import io.followermaze.pipeline.Pipeline;
import io.followermaze.server.FollowerMazeServer;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * UP or DOWN for {@code /health}. DOWN when the pipeline is not running (stopped, or killed by a fatal error), when
 * the node's Kafka log failed for good (a fan-out node's consumer died, a record ingest could not append),
 * or when the cursor has stood still with events pending for longer than the gap policy allows: a gap is
 * skipped after the gap timeout, so a cursor stuck for 2 × that + 1 s has lost a seq for good (the pipeline is
 * wedged, not waiting). With no gap timeout the protocol promises contiguity and the server waits for ever:
 * then a wait is reported ({@code waiting_ms}) but is not DOWN.
 *
 * <p>Not thread-safe: {@link #sample()} and {@link #check()} are called on one thread only (the metrics event
 * loop), which is the single writer of every mutable field here. Sample often (the endpoint does every
 * 250 ms) so that "stuck since" is right even when {@code /health} is asked rarely.
 */
public final class HealthCheck {
    /** Slack on top of 2 × the gap timeout: the gap ticker runs every timeout/4 and samples are 250 ms apart. */
    static final long STUCK_SLACK_MILLIS = 1_000;

    /** What the check reads: the server's pipeline in production, a fake in tests. Any thread may answer. */
    public interface Probe {
        boolean running();

        /** The error that stopped the pipeline, or null. */
        Throwable failure();

        /** Last seq released in order (0 before the first). */
        long lastReleasedSeq();

        /** Events held while waiting for a missing seq. */
        long pending();

        /** What stopped the node's Kafka log for good ({@code --role ingest|fanout}), or null. */
        default Throwable logFailure() {
            return null;
        }
    }

    /** {@code up} decides 200 or 503; {@code body} is the text served. */
    public record Status(boolean up, String body) {
    }

    private final Probe probe;
    private final long stuckLimitNanos; // 0: no limit (gap timeout 0 waits for ever)
    private final LongSupplier nanoClock;

    // Written by the one calling thread only (see the class comment); seenSeq and waitingSinceNanos mean
    // something only while waiting: the cursor has been at seenSeq with events pending since waitingSinceNanos.
    private boolean waiting;
    private long seenSeq;
    private long waitingSinceNanos;

    /** @param gapTimeoutMillis the pipeline's gap timeout; 0 means gaps are waited out for ever */
    public HealthCheck(Probe probe, long gapTimeoutMillis, LongSupplier nanoClock) {
        if (gapTimeoutMillis < 0) {
            throw new IllegalArgumentException("gapTimeoutMillis must be >= 0: " + gapTimeoutMillis);
        }
        this.probe = probe;
        this.stuckLimitNanos = gapTimeoutMillis == 0 ? 0
            : TimeUnit.MILLISECONDS.toNanos(2 * gapTimeoutMillis + STUCK_SLACK_MILLIS);
        this.nanoClock = nanoClock;
    }

    /** The check for a live server (its pipeline and, in a cluster role, its Kafka log), on the real clock. */
    public static HealthCheck of(FollowerMazeServer server) {
        final Pipeline pipeline = server.pipeline();
        if (pipeline == null) { // --role ingest: no pipeline, only the log
            return new HealthCheck(new Probe() {
                @Override
                public boolean running() {
                    return true;
                }

                @Override
                public Throwable failure() {
                    return null;
                }

                @Override
                public long lastReleasedSeq() {
                    return 0;
                }

                @Override
                public long pending() {
                    return 0;
                }

                @Override
                public Throwable logFailure() {
                    return server.logFailure();
                }
            }, 0, System::nanoTime);
        }
        return new HealthCheck(new Probe() {
            @Override
            public Throwable logFailure() {
                return server.logFailure();
            }

            @Override
            public boolean running() {
                return pipeline.isRunning();
            }

            @Override
            public Throwable failure() {
                return pipeline.failure();
            }

            @Override
            public long lastReleasedSeq() {
                return pipeline.stats().lastReleasedSeq();
            }

            @Override
            public long pending() {
                return pipeline.stats().pending();
            }
        }, pipeline.config().gapTimeoutMillis(), System::nanoTime);
    }

    /** Notes whether the cursor moved; call it periodically so the stuck clock does not depend on callers. */
    public void sample() {
        observe(probe.lastReleasedSeq(), probe.pending(), nanoClock.getAsLong());
    }

    private void observe(long seq, long pending, long now) {
        if (pending <= 0) {
            waiting = false; // nothing held: an idle cursor is not stuck
        } else if (!waiting || seq != seenSeq) { // a wait begins, or the cursor moved: the clock restarts
            waiting = true;
            seenSeq = seq;
            waitingSinceNanos = now;
        }
    }

    /** Samples, then decides. */
    public Status check() {
        final boolean running = probe.running();
        final Throwable failure = probe.failure();
        final Throwable logFailure = probe.logFailure();
        final long seq = probe.lastReleasedSeq();
        final long pending = probe.pending();
        final long now = nanoClock.getAsLong();
        observe(seq, pending, now);

        final long waitedNanos = waiting ? now - waitingSinceNanos : 0;
        final String reason;
        if (failure != null) {
            reason = "pipeline failed: " + oneLine(failure.toString());
        } else if (logFailure != null) {
            reason = "Kafka log failed: " + oneLine(logFailure.toString());
        } else if (!running) {
            reason = "pipeline stopped";
        } else if (stuckLimitNanos > 0 && waitedNanos > stuckLimitNanos) {
            reason = "cursor stuck for " + TimeUnit.NANOSECONDS.toMillis(waitedNanos) + " ms with events pending (limit "
                + TimeUnit.NANOSECONDS.toMillis(stuckLimitNanos) + " ms: 2 x gap timeout + "
                + STUCK_SLACK_MILLIS + " ms)";
        } else {
            reason = null;
        }

        final StringBuilder body = new StringBuilder(reason == null ? "UP\n" : "DOWN\n");
        body.append("next_seq=").append(Long.toUnsignedString(seq + 1)).append('\n'); // right at Long.MAX_VALUE too
        body.append("pending=").append(pending).append('\n');
        if (waiting) {
            body.append("waiting_ms=").append(TimeUnit.NANOSECONDS.toMillis(waitedNanos)).append('\n');
        }
        if (reason != null) {
            body.append("reason=").append(reason).append('\n');
        }
        return new Status(reason == null, body.toString());
    }

    private static String oneLine(String s) {
        return s.replace('\r', ' ').replace('\n', ' ');
    }
}
