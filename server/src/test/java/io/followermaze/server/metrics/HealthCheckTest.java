package io.followermaze.server.metrics;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** UP / DOWN decisions on a fake pipeline and a hand-moved clock. */
class HealthCheckTest {
    /** A pipeline whose observations the test sets. */
    private static final class FakePipeline implements HealthCheck.Probe {
        boolean running = true;
        Throwable failure;
        Throwable logFailure;
        long lastReleasedSeq;
        long pending;

        @Override
        public boolean running() {
            return running;
        }

        @Override
        public Throwable failure() {
            return failure;
        }

        @Override
        public long lastReleasedSeq() {
            return lastReleasedSeq;
        }

        @Override
        public long pending() {
            return pending;
        }

        @Override
        public Throwable logFailure() {
            return logFailure;
        }
    }

    private final FakePipeline pipeline = new FakePipeline();
    private long nowNanos = 1_000_000_000L;

    private HealthCheck check(long gapTimeoutMillis) {
        return new HealthCheck(pipeline, gapTimeoutMillis, () -> nowNanos);
    }

    private void advanceMillis(long ms) {
        nowNanos += TimeUnit.MILLISECONDS.toNanos(ms);
    }

    @Test
    void runningWithNothingPendingIsUp() {
        pipeline.lastReleasedSeq = 6;
        final HealthCheck.Status s = check(500).check();
        assertTrue(s.up());
        assertEquals("UP\nnext_seq=7\npending=0\n", s.body());
    }

    @Test
    void stoppedPipelineIsDown() {
        pipeline.running = false;
        pipeline.lastReleasedSeq = 41;
        final HealthCheck.Status s = check(0).check();
        assertFalse(s.up());
        assertEquals("DOWN\nnext_seq=42\npending=0\nreason=pipeline stopped\n", s.body());
    }

    @Test
    void failedPipelineIsDownAndNamesTheError() {
        pipeline.running = false;
        pipeline.failure = new OutOfMemoryError("Java heap space");
        final HealthCheck.Status s = check(0).check();
        assertFalse(s.up());
        assertTrue(s.body().startsWith("DOWN\n"), s.body());
        assertTrue(s.body().contains("\nreason=pipeline failed: java.lang.OutOfMemoryError: Java heap space\n"), s.body());
    }

    @Test
    void aFailedKafkaLogIsDownWhileThePipelineStillRuns() {
        pipeline.logFailure = new IllegalStateException("record too large");
        final HealthCheck.Status s = check(0).check();
        assertFalse(s.up());
        assertTrue(s.body().contains("\nreason=Kafka log failed: java.lang.IllegalStateException: record too large\n"),
            s.body());
    }

    @Test
    void cursorStuckWithEventsPendingIsDownAfterTwiceTheGapTimeoutPlusOneSecond() {
        final HealthCheck health = check(500); // limit: 2 × 500 + 1000 = 2000 ms
        pipeline.lastReleasedSeq = 4;
        pipeline.pending = 3;
        assertEquals("UP\nnext_seq=5\npending=3\nwaiting_ms=0\n", health.check().body());
        advanceMillis(2_000);
        assertTrue(health.check().up(), "exactly at the limit is still UP");
        advanceMillis(1);
        final HealthCheck.Status down = health.check();
        assertFalse(down.up());
        assertTrue(down.body().startsWith("DOWN\nnext_seq=5\npending=3\nwaiting_ms=2001\nreason=cursor stuck for 2001 ms"),
            down.body());

        pipeline.lastReleasedSeq = 5; // it moved after all: the wait starts again
        assertEquals("UP\nnext_seq=6\npending=3\nwaiting_ms=0\n", health.check().body());
    }

    @Test
    void aMovingCursorIsUpHoweverLongEventsStayPending() {
        final HealthCheck health = check(500);
        pipeline.pending = 10;
        for (int i = 0; i < 100; i++) {
            pipeline.lastReleasedSeq++;
            advanceMillis(1_500);
            assertTrue(health.check().up(), "round " + i);
        }
    }

    @Test
    void anIdleCursorIsNotStuckWhenAGapThenAppears() {
        final HealthCheck health = check(500);
        pipeline.lastReleasedSeq = 9;
        health.sample();
        advanceMillis(TimeUnit.HOURS.toMillis(1)); // idle: nothing pending
        health.sample();
        pipeline.pending = 1; // seq 11 arrives, 10 missing: the wait starts now, not an hour ago
        assertTrue(health.check().up());
        advanceMillis(2_001);
        assertFalse(health.check().up());
    }

    @Test
    void periodicSamplesStartTheClockWhenHealthIsAskedRarely() {
        final HealthCheck health = check(500);
        pipeline.lastReleasedSeq = 9;
        pipeline.pending = 2;
        health.sample();
        advanceMillis(3_000);
        final HealthCheck.Status s = health.check(); // first ask, 3 s after the stall began
        assertFalse(s.up());
        assertTrue(s.body().contains("\nwaiting_ms=3000\n"), s.body());
    }

    @Test
    void withNoGapTimeoutAGapIsWaitedOutForEverAndOnlyReported() {
        final HealthCheck health = check(0);
        pipeline.lastReleasedSeq = 9;
        pipeline.pending = 5;
        health.sample();
        advanceMillis(TimeUnit.HOURS.toMillis(1));
        final HealthCheck.Status s = health.check();
        assertTrue(s.up());
        assertEquals("UP\nnext_seq=10\npending=5\nwaiting_ms=3600000\n", s.body());
    }

    @Test
    void nextSeqAtTheTopOfTheRangeDoesNotOverflow() {
        pipeline.lastReleasedSeq = Long.MAX_VALUE;
        assertTrue(check(0).check().body().contains("\nnext_seq=9223372036854775808\n"));
    }
}
