package io.followermaze.server.ingress;

import io.followermaze.pipeline.SharedRateLimitedLog;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The idle closer closes a silent source, but not one the server itself stopped reading (ring full). */
class EventSourceIdleCloserTest {
    private final AtomicLong closed = new AtomicLong();
    private final SharedRateLimitedLog log =
        new SharedRateLimitedLog(LoggerFactory.getLogger(EventSourceIdleCloserTest.class), Level.WARN, 1000);

    @Test
    void aReaderIdleSourceIsClosed() {
        final EmbeddedChannel ch = new EmbeddedChannel(new EventSourceIdleCloser(200, closed, log));
        ch.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
        assertFalse(ch.isOpen());
        assertEquals(1, closed.get());
    }

    @Test
    void aSourceHeldBackByTheServerIsNotIdle() {
        final EmbeddedChannel ch = new EmbeddedChannel(new EventSourceIdleCloser(200, closed, log));
        ch.config().setAutoRead(false); // EventSourceHandler does this while the ring is full
        ch.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
        ch.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        assertTrue(ch.isOpen());
        assertEquals(0, closed.get());
        ch.config().setAutoRead(true);
        ch.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        assertFalse(ch.isOpen(), "idle again once the server reads again");
        assertEquals(1, closed.get());
    }

    @Test
    void otherEventsPassThrough() {
        final EmbeddedChannel ch = new EmbeddedChannel(new EventSourceIdleCloser(200, closed, log));
        ch.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_WRITER_IDLE_STATE_EVENT);
        ch.pipeline().fireUserEventTriggered("something else");
        assertTrue(ch.isOpen());
        assertEquals(0, closed.get());
    }
}
