package io.followermaze.server.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Collects what one logger logs, from any thread, until closed. Optionally lowers the logger's level for the
 * duration (the test configuration logs WARN and above only), and restores it on close.
 */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final Level previousLevel;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public LogCapture(Class<?> loggerClass) {
        this(loggerClass, null);
    }

    /** @param level the level the logger logs at while captured; null keeps the configured one */
    public LogCapture(Class<?> loggerClass, Level level) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerClass);
        this.previousLevel = logger.getLevel();
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
        if (level != null) {
            logger.setLevel(level);
        }
    }

    /** @return a copy of the events so far (the appender appends under its own lock) */
    public List<ILoggingEvent> events() {
        synchronized (appender) {
            return new ArrayList<>(appender.list);
        }
    }

    /** @return the formatted messages at {@code level} that contain {@code text} */
    public List<String> messages(Level level, String text) {
        final List<String> out = new ArrayList<>();
        for (ILoggingEvent e : events()) {
            if (e.getLevel() == level && e.getFormattedMessage().contains(text)) {
                out.add(e.getFormattedMessage());
            }
        }
        return out;
    }

    /**
     * Asserts that a rate-limited kind of line came at most once a second (plus the first) since {@code startedNanos}:
     * a bound by the clock, not a fixed handful, so that a slow machine does not fail it.
     */
    public static void assertAtMostOneASecond(List<String> lines, long startedNanos, String what) {
        final long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedNanos);
        assertTrue(lines.size() <= seconds + 2, lines.size() + " " + what + " lines in " + seconds + " s: " + lines);
    }

    @Override
    public void close() {
        logger.setLevel(previousLevel);
        logger.detachAppender(appender);
        appender.stop();
    }
}
