package io.followermaze.pipeline;

import io.followermaze.testkit.LogCapture;
import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrintableAndRateLimitedLogTest {
    @Test
    void excerptEscapesUnprintableBytes() {
        final byte[] b = {'1', '|', 'B', '\r', 0, (byte) 0xe9, 0x7f, '~', ' '};
        assertEquals("1|B\\x0d\\x00\\xe9\\x7f~ ", Printable.excerpt(b, 0, b.length));
        assertEquals("|B", Printable.excerpt(b, 1, 3));
        assertEquals("", Printable.excerpt(b, 2, 2));
    }

    @Test
    void excerptCutsLongInputShort() {
        final byte[] b = "x".repeat(500).getBytes();
        final String s = Printable.excerpt(b, 0, b.length);
        assertTrue(s.startsWith("x".repeat(80) + "... (500 bytes)"), s);
        assertTrue(s.length() < 100, s);
    }

    @Test
    void rateLimitedLogLogsTheFirstWarningAndSuppressesWithinTheInterval() {
        final String name = "io.followermaze.pipeline.test.ratelimit";
        try (LogCapture capture = new LogCapture(name)) {
            final RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(name), 3_600_000);
            for (int i = 0; i < 5; i++) {
                log.warn("bad {} {}", i, "line");
            }
            assertEquals(1, capture.events(Level.WARN).size());
            assertEquals("bad 0 line", capture.events(Level.WARN).get(0).getFormattedMessage());
        }
    }

    @Test
    void rateLimitedLogWithoutIntervalLogsEveryWarning() {
        final String name = "io.followermaze.pipeline.test.nolimit";
        try (LogCapture capture = new LogCapture(name)) {
            final RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(name), 0);
            for (int i = 0; i < 5; i++) {
                log.warn("bad {} {}", i, "line");
            }
            assertEquals(5, capture.events(Level.WARN).size());
        }
    }
}
