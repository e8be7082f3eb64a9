package io.followermaze.server.egress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HandoffRing} with two real threads and random schedules: a producer that offers records in random-sized
 * batches and publishes them, and a consumer that drains only when the producer's wake-up protocol asks it to (as
 * the event loop runs {@link LoopEgress} only when submitted). Every record must arrive exactly once, in order, with
 * its own pair; and no wake-up may be lost (a lost one leaves records published and never drained, and the test
 * fails on its deadline instead of hanging).
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang (a lost wake-up, a wait that never ends) fails
class HandoffRingStressTest {
    private static final int ROUNDS = 200;
    private static final int RECORDS_PER_ROUND = 2_000;

    /** Random pauses at the points where the other thread's interleaving matters. */
    private static void jitter(SplittableRandom random) {
        switch (random.nextInt(16)) {
            case 0 -> Thread.yield();
            case 1, 2 -> {
                for (int i = random.nextInt(64); i > 0; i--) {
                    Thread.onSpinWait();
                }
            }
            default -> { }
        }
    }

    @Test
    void everyRecordArrivesOnceInOrderAndNoWakeUpIsLost() throws Exception {
        final SplittableRandom seeds = new SplittableRandom(20240917);
        for (int round = 0; round < ROUNDS; round++) {
            final int capacity = 1 << (1 + round % 6); // 2 .. 64: full rings as often as not
            runRound(new HandoffRing<>(capacity), seeds.split(), seeds.split());
        }
    }

    private static void runRound(HandoffRing<Object, Object> ring, SplittableRandom producerRandom,
                                 SplittableRandom consumerRandom) throws Exception {
        final Object[] firsts = new Object[RECORDS_PER_ROUND];
        final Object[] seconds = new Object[RECORDS_PER_ROUND];
        for (int i = 0; i < RECORDS_PER_ROUND; i++) {
            firsts[i] = new Object(); // distinct objects: the test checks identity
            seconds[i] = new Object();
        }
        final Semaphore wakeUps = new Semaphore(0); // the event loop's task queue, reduced to a count
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final int[] received = {0};
        final long[] drains = {0};
        final Thread consumer = new Thread(() -> {
            try {
                while (received[0] < RECORDS_PER_ROUND) {
                    if (!wakeUps.tryAcquire(10, TimeUnit.SECONDS)) {
                        throw new AssertionError("lost wake-up: " + received[0] + " of " + RECORDS_PER_ROUND
                            + " received and no drain asked for");
                    }
                    jitter(consumerRandom);
                    drains[0]++;
                    ring.drain((first, second) -> {
                        final int n = received[0];
                        assertSame(firsts[n], first, "record " + n + " out of order, lost or duplicated");
                        assertSame(seconds[n], second, "record " + n + " torn: its pair does not match");
                        received[0] = n + 1;
                        jitter(consumerRandom);
                    });
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "ring-consumer");
        consumer.start();

        int sent = 0;
        while (sent < RECORDS_PER_ROUND && failure.get() == null) {
            final int batch = 1 + producerRandom.nextInt(3 * ring.capacity());
            for (int i = 0; i < batch && sent < RECORDS_PER_ROUND; i++) {
                while (!ring.offer(firsts[sent], seconds[sent])) {
                    if (failure.get() != null) {
                        break; // the consumer has stopped: report what it saw
                    }
                    if (ring.publish()) { // full: what is staged must go, or the consumer never frees a slot
                        wakeUps.release();
                    }
                    jitter(producerRandom);
                    Thread.onSpinWait();
                }
                if (failure.get() != null) {
                    break;
                }
                sent++;
                jitter(producerRandom);
            }
            if (ring.publish()) {
                wakeUps.release();
            }
            jitter(producerRandom);
        }
        consumer.join(TimeUnit.SECONDS.toMillis(30));
        assertNull(failure.get(), () -> String.valueOf(failure.get()));
        assertEquals(RECORDS_PER_ROUND, received[0]);
        assertEquals(0, ring.unconsumed(), "every slot given back");
        assertTrue(drains[0] >= 1);
    }
}
