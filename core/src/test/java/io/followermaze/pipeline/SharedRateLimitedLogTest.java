package io.followermaze.pipeline;

import io.followermaze.testkit.LogCapture;
import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SharedRateLimitedLogTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void logsTheFirstLineSuppressesWithinTheIntervalAndReportsTheCountInTheNext() {
        final String name = "io.followermaze.pipeline.test.shared.basic";
        final AtomicLong clock = new AtomicLong(5 * SECOND);
        try (LogCapture capture = new LogCapture(name)) {
            final SharedRateLimitedLog log = new SharedRateLimitedLog(LoggerFactory.getLogger(name),
                org.slf4j.event.Level.WARN, 1000, clock::get);
            for (int i = 0; i < 6; i++) {
                log.log("bad {} {}", i, "client");
            }
            assertEquals(1, capture.events(Level.WARN).size());
            assertEquals(5, log.pendingSuppressed());
            clock.addAndGet(SECOND - 1);
            log.log("bad {} {}", 6, "client");
            assertEquals(1, capture.events(Level.WARN).size(), "still within the interval");
            clock.addAndGet(1);
            log.log("bad {} {}", 7, "client");
            final List<String> lines = messages(capture, Level.WARN);
            assertEquals(List.of("bad 0 client", "bad 7 client (6 similar lines suppressed)"), lines);
            assertEquals(0, log.pendingSuppressed());
        }
    }

    /** Probe of issue 8: a burst that ends inside the interval left its count out of the log for good. */
    @Test
    void theTailOfABurstIsReportedOnceTheIntervalHasPassedThoughNoFurtherLineComes() {
        final String name = "io.followermaze.pipeline.test.shared.tail";
        final AtomicLong clock = new AtomicLong(5 * SECOND);
        try (LogCapture capture = new LogCapture(name)) {
            final SharedRateLimitedLog log = new SharedRateLimitedLog(LoggerFactory.getLogger(name),
                org.slf4j.event.Level.WARN, 1000, clock::get);
            for (int i = 0; i < 4; i++) {
                log.log("bad {}", i);
            }
            log.flushIfDue();
            assertEquals(1, capture.events(Level.WARN).size(), "not before the interval has passed");
            clock.addAndGet(SECOND);
            // the daemon timer flushes every instance once a second; calling it here does what it does
            log.flushIfDue();
            assertEquals(List.of("bad 0", "3 more similar lines suppressed (like: bad {})"), messages(capture, Level.WARN));
            assertEquals(0, log.pendingSuppressed());
        }
    }

    @Test
    void logsAtItsLevelAndNotWhenTheLevelIsOff() {
        final String name = "io.followermaze.pipeline.test.shared.level";
        final AtomicLong clock = new AtomicLong();
        try (LogCapture capture = new LogCapture(name)) {
            final ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(name);
            logger.setLevel(Level.INFO);
            final SharedRateLimitedLog info = new SharedRateLimitedLog(logger, org.slf4j.event.Level.INFO, 1000, clock::get);
            final SharedRateLimitedLog debug = new SharedRateLimitedLog(logger, org.slf4j.event.Level.DEBUG, 1000, clock::get);
            info.log("connected {}", "a");
            debug.log("detail {}", "a");
            debug.log("detail {}", "b");
            assertEquals(List.of("connected a"), messages(capture, Level.INFO));
            assertEquals(0, debug.pendingSuppressed(), "a disabled level is not counted");
            logger.setLevel(null);
        }
    }

    @Test
    void withoutIntervalLogsEveryLine() {
        final String name = "io.followermaze.pipeline.test.shared.nolimit";
        try (LogCapture capture = new LogCapture(name)) {
            final SharedRateLimitedLog log = new SharedRateLimitedLog(LoggerFactory.getLogger(name),
                org.slf4j.event.Level.WARN, 0);
            for (int i = 0; i < 5; i++) {
                log.log("bad {}", i);
            }
            assertEquals(5, capture.events(Level.WARN).size());
        }
    }

    @Test
    void manyThreadsLogOneLineAndEveryOtherCallIsCounted() throws Exception {
        final String name = "io.followermaze.pipeline.test.shared.threads";
        final AtomicLong clock = new AtomicLong(-3 * SECOND); // a negative clock is fine: only differences count
        final int threads = 8;
        final int calls = 20_000;
        try (LogCapture capture = new LogCapture(name)) {
            final SharedRateLimitedLog log = new SharedRateLimitedLog(LoggerFactory.getLogger(name),
                org.slf4j.event.Level.WARN, 1000, clock::get);
            final CountDownLatch start = new CountDownLatch(1);
            final List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final int id = t;
                final Thread w = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    for (int i = 0; i < calls; i++) {
                        log.log("bad {} {}", id, i);
                    }
                });
                w.start();
                workers.add(w);
            }
            start.countDown();
            for (Thread w : workers) {
                w.join();
            }
            assertEquals(1, capture.events(Level.WARN).size());
            assertEquals((long) threads * calls - 1, log.pendingSuppressed());
            clock.addAndGet(SECOND);
            log.log("bad {} {}", "last", 0);
            final List<String> lines = messages(capture, Level.WARN);
            assertEquals(2, lines.size());
            assertTrue(lines.get(1).endsWith("(" + ((long) threads * calls - 1) + " similar lines suppressed)"),
                lines.get(1));
        }
    }

    private static List<String> messages(LogCapture capture, Level level) {
        final List<String> out = new ArrayList<>();
        capture.events(level).forEach(e -> out.add(e.getFormattedMessage()));
        return out;
    }
}
