package io.followermaze.pipeline;

import io.followermaze.ingress.LineFramer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.followermaze.pipeline.PipelineTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pipeline whose sequence-route stage runs as tasks of a caller's single-threaded executor (the server's event
 * loop, {@code --pipeline-thread event-loop}) instead of a Disruptor thread: the same results, on that thread only,
 * input taken from any thread, held back instead of waiting, drained at stop, and an Error still fatal.
 */
class PipelineOnLoopTest {
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread t = new Thread(r, "test-loop");
        t.setDaemon(true);
        return t;
    });
    private final List<Pipeline> pipelines = new ArrayList<>();

    @AfterEach
    void stop() {
        pipelines.forEach(Pipeline::close);
        loop.shutdownNow();
    }

    /** Records the thread every batch end ran on; holds the pipeline back while {@code holdBack} is set. */
    private static final class LoopEgress implements EgressListener {
        final CopyOnWriteArrayList<String> threads = new CopyOnWriteArrayList<>();
        final AtomicBoolean holdBack = new AtomicBoolean();
        final AtomicInteger asked = new AtomicInteger();

        @Override
        public void onBatchEnd() {
            final String name = Thread.currentThread().getName();
            if (threads.isEmpty() || !threads.get(threads.size() - 1).equals(name)) {
                threads.add(name);
            }
        }

        @Override
        public boolean holdsBack() {
            asked.incrementAndGet();
            return holdBack.get();
        }
    }

    private Pipeline onLoop(EgressListener egress, java.util.function.Consumer<Throwable> onFatal) {
        final Pipeline p = new Pipeline(PipelineConfig.DEFAULT.withWindowSize(64), egress, r -> {
            throw new AssertionError("a pipeline on a loop starts no thread");
        }, onFatal, List.of(), stage -> { }, loop);
        pipelines.add(p);
        return p;
    }

    private static void publish(Pipeline p, String lines) {
        final byte[] wire = lines.getBytes(StandardCharsets.US_ASCII);
        LineFramer.publishAll(p, wire, 0, wire.length);
    }

    @Test
    void everyEventIsRoutedInOrderOnTheLoopWhateverThreadPublishes() throws Exception {
        final LoopEgress egress = new LoopEgress();
        final Pipeline p = onLoop(egress, e -> { });
        final PipelineTest.RecordingSession s = new PipelineTest.RecordingSession(1);
        p.register(s);
        // 10,000 broadcasts, shuffled in pairs, from two threads that are not the loop and from the loop itself
        final StringBuilder odd = new StringBuilder();
        final StringBuilder even = new StringBuilder();
        for (int seq = 10_000; seq >= 1; seq--) {
            (seq % 2 == 0 ? even : odd).append(seq).append("|B\n");
        }
        final Thread a = new Thread(() -> publish(p, odd.toString()));
        a.start();
        final CountDownLatch fromLoop = new CountDownLatch(1);
        loop.execute(() -> {
            final byte[] wire = even.toString().getBytes(StandardCharsets.US_ASCII);
            // on the loop a producer must never wait for the ring: it takes what fits and comes back for the rest
            final LineFramer framer = new LineFramer(p);
            final io.followermaze.ingress.ByteArrayInput in = new io.followermaze.ingress.ByteArrayInput();
            in.wrap(wire, 0, wire.length);
            retryOnLoop(framer, in, fromLoop);
        });
        a.join();
        assertTrue(fromLoop.await(30, TimeUnit.SECONDS));
        await(() -> p.stats().released() == 10_000, () -> "10,000 released; have " + p.stats().released());
        final List<String> expected = new ArrayList<>();
        for (int seq = 1; seq <= 10_000; seq++) {
            expected.add(seq + "|B");
        }
        assertEquals(expected, s.receivedList());
        assertEquals(List.of("test-loop"), egress.threads, "every batch ended on the loop");
        assertTrue(p.drainAndStop(10, TimeUnit.SECONDS));
    }

    private void retryOnLoop(LineFramer framer, io.followermaze.ingress.ByteArrayInput in, CountDownLatch done) {
        if (framer.frame(in, Integer.MAX_VALUE)) {
            done.countDown();
        } else {
            loop.schedule(() -> retryOnLoop(framer, in, done), 100, TimeUnit.MICROSECONDS);
        }
    }

    @Test
    void whileTheEgressHoldsBackNothingMoreIsTakenAndTheRestFollowsWhenItLetsGo() {
        final LoopEgress egress = new LoopEgress();
        final Pipeline p = onLoop(egress, e -> { });
        final PipelineTest.RecordingSession s = new PipelineTest.RecordingSession(1);
        p.register(s);
        await(() -> p.stats().registrations() == 1, () -> "the registration");
        egress.holdBack.set(true);
        publish(p, "1|B\n2|B\n");
        final int askedBefore = egress.asked.get();
        await(() -> egress.asked.get() > askedBefore + 3, () -> "the consumer to ask again while held back");
        assertEquals(0, p.stats().released(), "nothing is taken while held back");
        assertEquals(1, p.config().ringSize() - p.ringRemainingCapacity(), "their entry waits in the ring");
        egress.holdBack.set(false);
        await(() -> p.stats().released() == 2, () -> "both released once let go; have " + p.stats().released());
        assertEquals(List.of("1|B", "2|B"), s.receivedList());
    }

    @Test
    void stopTakesWhatIsPublishedThenShutsTheStageDownOnTheLoop() {
        final LoopEgress egress = new LoopEgress();
        final Pipeline p = onLoop(egress, e -> { });
        final PipelineTest.RecordingSession s = new PipelineTest.RecordingSession(1);
        p.register(s);
        final StringBuilder lines = new StringBuilder();
        for (int seq = 1; seq <= 5_000; seq++) {
            lines.append(seq).append("|B\n");
        }
        publish(p, lines.toString());
        assertTrue(p.drainAndStop(10, TimeUnit.SECONDS));
        assertEquals(5_000, p.stats().released(), "everything published before the stop is released");
        assertEquals(5_000, s.receivedList().size());
        assertFalse(p.isRunning());
        assertEquals(IngressPublisher.Outcome.STOPPED, p.tryPublish(IngressPublisher.Registration.REGISTER, s));
    }

    @Test
    void anExceptionIsCountedAndTheNextEntryFollowsButAnErrorIsFatal() {
        final AtomicInteger fatal = new AtomicInteger();
        final Pipeline p = onLoop(new LoopEgress(), e -> fatal.incrementAndGet());
        final PipelineTest.FaultySession faulty = new PipelineTest.FaultySession(1, "1|B");
        p.register(faulty);
        publish(p, "1|B\n");
        publish(p, "2|B\n");
        await(() -> p.stats().released() == 2, () -> "both released");
        assertEquals(List.of("2|B"), faulty.receivedList());
        assertTrue(p.stats().processorExceptions() >= 1);
        assertTrue(p.isRunning());

        final PipelineTest.FaultySession fatalSession = PipelineTest.FaultySession.withError(2, "3|B",
            x -> new OutOfMemoryError("simulated"));
        p.register(fatalSession);
        publish(p, "3|B\n4|B\n");
        await(() -> fatal.get() == 1, () -> "the fatal error to be reported");
        assertFalse(p.isRunning());
        assertInstanceOf(OutOfMemoryError.class, p.failure());
        assertEquals(IngressPublisher.Outcome.STOPPED, p.tryPublish(IngressPublisher.Registration.REGISTER, faulty));
    }

    @Test
    void anEgressThatThrowsWhenAskedIsCountedAndTheInputIsStillTaken() {
        final AtomicBoolean threw = new AtomicBoolean();
        final Pipeline p = onLoop(new EgressListener() {
            @Override
            public void onBatchEnd() {
            }

            @Override
            public boolean holdsBack() {
                if (threw.compareAndSet(false, true)) {
                    throw new IllegalStateException("boom (simulated)");
                }
                return false;
            }
        }, e -> { });
        final PipelineTest.RecordingSession s = new PipelineTest.RecordingSession(1);
        p.register(s);
        publish(p, "1|B\n");
        await(() -> p.stats().released() == 1, () -> "released without further input; have " + p.stats().released());
        assertTrue(threw.get());
        assertEquals(1, p.stats().processorExceptions());
        assertTrue(p.isRunning());
    }

    @Test
    void anUpstreamStageNeedsAThreadOfItsOwn() {
        final PipelineTopology.Stage journal = new PipelineTopology.Stage("journal", (e, seq, end) -> { });
        assertThrows(IllegalArgumentException.class, () -> new Pipeline(PipelineConfig.DEFAULT, EgressListener.NONE,
            Thread::new, t -> { }, List.of(journal), s -> { }, loop));
    }
}
