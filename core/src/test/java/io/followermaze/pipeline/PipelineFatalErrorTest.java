package io.followermaze.pipeline;

import io.followermaze.ingress.LineFramer;
import io.followermaze.session.ClientSession;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash-only (issue 8): an {@link Error} inside the pipeline (an OutOfMemoryError while routing, say) used to be
 * logged and survived, leaving a pipeline whose state was half-applied and whose cursor could stop for good while
 * {@code /health} said UP. Now it stops the pipeline for good, reports it, and tells the owner once (the server
 * command exits on it).
 */
class PipelineFatalErrorTest {

    @Test
    void anErrorWhileRoutingStopsThePipelineAndIsReportedOnce() {
        final AtomicInteger fatalCalls = new AtomicInteger();
        final CopyOnWriteArrayList<Throwable> reported = new CopyOnWriteArrayList<>();
        final Pipeline p = new Pipeline(PipelineConfig.DEFAULT, EgressListener.NONE, r -> {
            final Thread t = new Thread(r, "test-pipeline");
            t.setDaemon(true);
            return t;
        }, error -> {
            fatalCalls.incrementAndGet();
            reported.add(error);
        });
        try {
            final PipelineTest.FaultySession session = PipelineTest.FaultySession.withError(1, "2|B",
                p2 -> new OutOfMemoryError("Java heap space (simulated)"));
            p.register(session);
            final byte[] lines = "1|B\n2|B\n3|B\n".getBytes(StandardCharsets.US_ASCII);
            LineFramer.publishAll(p, lines, 0, lines.length);
            PipelineTest.await(() -> fatalCalls.get() == 1, () -> "the fatal error to be reported");
            assertFalse(p.isRunning());

            assertInstanceOf(OutOfMemoryError.class, p.failure());
            assertEquals(1, fatalCalls.get());
            assertEquals(p.failure(), reported.get(0));
            assertEquals(java.util.List.of("1|B"), session.receivedList(), "nothing after the failing event");
            assertEquals(IngressPublisher.Outcome.STOPPED, p.tryPublish(IngressPublisher.Registration.REGISTER, session),
                "a failed pipeline takes no more input");
            assertFalse(p.drainAndStop(1, java.util.concurrent.TimeUnit.SECONDS), "nothing will drain the ring");
            assertTrue(p.stats().released() <= 2);
        } finally {
            p.close();
        }
    }

    @Test
    void aRuntimeExceptionIsStillSurvived() {
        final AtomicInteger fatalCalls = new AtomicInteger();
        final Pipeline p = new Pipeline(PipelineConfig.DEFAULT, EgressListener.NONE, r -> {
            final Thread t = new Thread(r, "test-pipeline");
            t.setDaemon(true);
            return t;
        }, error -> fatalCalls.incrementAndGet());
        try {
            final ClientSession faulty = new ClientSession(1) {
                @Override
                public void deliver(byte[] payload, int offset, int length) {
                    throw new IllegalStateException("boom");
                }
            };
            p.register(faulty);
            final byte[] lines = "1|B\n2|B\n".getBytes(StandardCharsets.US_ASCII);
            LineFramer.publishAll(p, lines, 0, lines.length);
            PipelineTest.await(() -> p.stats().released() == 2, () -> "both events released");
            assertTrue(p.isRunning());
            assertEquals(0, fatalCalls.get());
        } finally {
            p.close();
        }
    }
}
