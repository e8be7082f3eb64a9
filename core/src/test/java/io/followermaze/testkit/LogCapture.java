package io.followermaze.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/** Collects what one logger (and its children) logs, from any thread, until closed. */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    /** Formats each message as it is logged, as console and async appenders do (arguments may be flyweights). */
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>() {
        @Override
        protected void append(ILoggingEvent e) {
            e.prepareForDeferredProcessing();
            super.append(e);
        }
    };

    public LogCapture(String loggerName) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerName);
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
    }

    /** @return a copy of the events so far (the appender appends under its own lock) */
    public List<ILoggingEvent> events() {
        synchronized (appender) {
            return new ArrayList<>(appender.list);
        }
    }

    public List<ILoggingEvent> events(Level level) {
        final List<ILoggingEvent> out = new ArrayList<>();
        for (ILoggingEvent e : events()) {
            if (e.getLevel() == level) {
                out.add(e);
            }
        }
        return out;
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
