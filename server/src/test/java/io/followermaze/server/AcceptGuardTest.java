package io.followermaze.server;

import ch.qos.logback.classic.Level;
import io.followermaze.pipeline.SharedRateLimitedLog;
import io.followermaze.server.testing.LogCapture;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The listener-side guard: the connection cap at accept, and failed accepts without stack traces. */
class AcceptGuardTest {
    private final AtomicInteger slots = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    private AcceptGuard guard(int cap, long logIntervalMillis) {
        final SharedRateLimitedLog log = new SharedRateLimitedLog(LoggerFactory.getLogger(AcceptGuardTest.class),
            org.slf4j.event.Level.WARN, logIntervalMillis);
        return new AcceptGuard("client", "--max-clients", cap, slots, refused, log, failures, log);
    }

    @Test
    void connectionsBeyondTheCapAreClosedAtAcceptAndAFreedSlotIsReused() {
        final EmbeddedChannel listener = new EmbeddedChannel(guard(2, 0));
        final EmbeddedChannel a = new EmbeddedChannel();
        final EmbeddedChannel b = new EmbeddedChannel();
        final EmbeddedChannel c = new EmbeddedChannel();
        listener.writeInbound(a, b, c);
        assertSame(a, listener.readInbound());
        assertSame(b, listener.readInbound());
        assertNull(listener.readInbound(), "the third was not handed on");
        assertFalse(c.isOpen(), "the third was closed");
        assertEquals(1, refused.get());
        assertEquals(2, slots.get());

        a.close();
        assertEquals(1, slots.get(), "a closed connection gives its slot back");
        final EmbeddedChannel d = new EmbeddedChannel();
        listener.writeInbound(d);
        assertSame(d, listener.readInbound());
        assertTrue(d.isOpen());
        assertEquals(1, refused.get());
        listener.close();
    }

    @Test
    void aFailedAcceptIsCountedLoggedOnceWithoutAStackTraceAndPausesAccepting() {
        try (LogCapture log = new LogCapture(AcceptGuardTest.class)) {
            final EmbeddedChannel listener = new EmbeddedChannel(guard(10, 60_000));
            for (int i = 0; i < 100; i++) {
                listener.pipeline().fireExceptionCaught(new IOException("accept(..) failed: Too many open files"));
            }
            listener.checkException(); // nothing reached the end of the pipeline
            assertEquals(100, failures.get());
            assertEquals(1, log.messages(Level.WARN, "Too many open files").size());
            assertNull(log.events().get(0).getThrowableProxy(), "no stack trace");
            assertFalse(listener.config().isAutoRead(), "accepting paused");
            listener.advanceTimeBy(AcceptGuard.PAUSE_MILLIS, TimeUnit.MILLISECONDS);
            listener.runScheduledPendingTasks();
            assertTrue(listener.config().isAutoRead(), "accepting resumed");
            listener.close();
        }
    }
}
