package io.followermaze.resequencer;

import io.followermaze.protocol.Event;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cursor at the top of the seq range: releasing {@link Long#MAX_VALUE} must not wrap it. */
class ResequencerSeqBoundTest {
    private static final long MAX = Long.MAX_VALUE;

    private static long[] range(long firstInclusive, long lastInclusive) {
        return LongStream.rangeClosed(firstInclusive, lastInclusive).toArray();
    }

    /** A skip moves the cursor near the top (nothing bounds how far ahead a seq may be here), then the top releases. */
    @Test
    void releasingMaxValueDoesNotWrapTheCursor() {
        final ResequencerHarness h = new ResequencerHarness(8, 1000);
        h.offer((MAX - 2) + "|B");
        assertEquals(MAX - 3, h.resequencer.skipGap());
        assertEquals(List.of(new ResequencerHarness.Gap(1, MAX - 3, "gap skipped on request")), h.gaps);
        h.offer(MAX + "|B");            // held in the window
        h.offer((MAX - 1) + "|B");      // releases MAX - 1 and MAX
        assertArrayEquals(range(MAX - 2, MAX), h.releasedSeqs());
        assertEquals(MAX, h.resequencer.nextExpected(), "nothing follows MAX: the cursor stays there, never negative");
        assertEquals(0, h.resequencer.pending());

        // After the top every seq is late: dropped as a duplicate, never held, never released.
        h.offer(MAX + "|B");
        h.offer("1|B");
        h.offer((MAX - 1) + "|B");
        assertEquals(3, h.resequencer.duplicatesDropped().get());
        assertEquals(0, h.resequencer.pending());
        assertEquals(0, h.resequencer.skipGap());
        assertEquals(3, h.released.size());
        assertEquals(MAX, h.resequencer.nextExpected());
    }

    /** The top seqs arrive in reverse: max pending forces a skip to the lowest held, and all of them release. */
    @Test
    void theTopSeqsReleaseWhenMaxPendingForcesASkip() {
        final ResequencerHarness h = new ResequencerHarness(8, 16);
        for (long s = MAX; s > MAX - 16; s--) {
            h.offer(s + "|B");
        }
        assertArrayEquals(range(MAX - 15, MAX), h.releasedSeqs());
        assertEquals(1, h.gaps.size());
        assertEquals(new ResequencerHarness.Gap(1, MAX - 16, "max pending reached"), h.gaps.get(0));
        assertEquals(MAX, h.resequencer.nextExpected());
        assertEquals(0, h.resequencer.pending());
        assertEquals(MAX - 16, h.resequencer.seqsSkipped().get());
        h.offer((MAX - 16) + "|B");
        assertEquals(1, h.resequencer.duplicatesDropped().get());
        assertEquals(0, h.resequencer.pending());
    }

    /** The cursor one below the top with events in the window: a skip must find them, not overflow its search. */
    @Test
    void aSkipNearTheTopFindsEventsHeldInTheWindow() {
        final ResequencerHarness h = new ResequencerHarness(16, 1000); // the window reaches past MAX
        h.offer((MAX - 10) + "|B");
        h.resequencer.skipGap();          // cursor: MAX - 10 released, MAX - 9 awaited
        h.offer((MAX - 7) + "|B");        // window
        h.offer((MAX - 5) + "|B");        // window
        assertEquals(2, h.resequencer.pending());
        assertEquals(2, h.resequencer.skipGap());   // MAX - 9, MAX - 8
        assertArrayEquals(new long[] {MAX - 10, MAX - 7}, h.releasedSeqs());
        assertEquals(1, h.resequencer.skipGap());   // MAX - 6
        assertArrayEquals(new long[] {MAX - 10, MAX - 7, MAX - 5}, h.releasedSeqs());
        assertEquals(MAX - 4, h.resequencer.nextExpected());
    }

    // ---- how far ahead a seq may be ----

    private static Event broadcast(long seq) {
        final byte[] payload = (seq + "|B").getBytes(StandardCharsets.US_ASCII);
        final Event e = new Event();
        e.set(seq, (byte) 'B', Event.NO_USER, Event.NO_USER, payload, 0, payload.length);
        return e;
    }

    @Test
    void rejectsMaxSeqAheadBelowTheWindow() {
        assertThrows(IllegalArgumentException.class, () -> new Resequencer(16, 16, 15, e -> { }, null));
        assertDoesNotThrow(() -> new Resequencer(16, 16, 16, e -> { }, null));
        assertDoesNotThrow(() -> new Resequencer(16, 16, MAX, e -> { }, null));
    }

    /** {@code seq - next == maxSeqAhead} is held; one more is refused, neither held nor released nor counted here. */
    @Test
    void aSeqMoreThanMaxSeqAheadIsRefusedAndTheBoundIsExact() {
        final List<Long> released = new ArrayList<>();
        final Resequencer r = new Resequencer(8, 1000, 100, e -> released.add(e.seq), null);
        assertFalse(r.offer(broadcast(102)));           // next is 1: 101 ahead
        assertTrue(r.offer(broadcast(101)));            // 100 ahead: the spill
        assertFalse(r.offer(broadcast(1_000_000_000_000_000L)));
        assertFalse(r.offer(broadcast(MAX)));
        assertEquals(1, r.pending(), "only 101 is held");
        assertEquals(0, r.duplicatesDropped().get());
        for (long s = 100; s >= 2; s--) {
            assertTrue(r.offer(broadcast(s)));
        }
        assertTrue(r.offer(broadcast(1)));
        assertEquals(LongStream.rangeClosed(1, 101).boxed().toList(), released);
        assertEquals(101, r.lastReleased());
        assertEquals(101, r.releasedCount().get() + r.seqsSkipped().get());
        assertTrue(r.offer(broadcast(202)), "the bound moves with the cursor: 202 is 100 ahead of 102");
        assertFalse(r.offer(broadcast(203)));
        assertEquals(0, r.gapsSkipped().get());
    }

    /** At the default bound, neither max pending nor a gap timeout can carry the cursor to an absurd seq. */
    @Test
    void aGapSkipNeverReachesASeqBeyondTheBound() {
        final List<Long> released = new ArrayList<>();
        final Resequencer r = new Resequencer(8, 8, 1L << 30, e -> released.add(e.seq), null);
        assertFalse(r.offer(broadcast(MAX)));
        assertEquals(0, r.skipGap());
        assertEquals(0, r.lastReleased());
        for (long s = 3; s <= 10; s++) {                 // 8 held: max pending skips the missing 1 and 2
            assertTrue(r.offer(broadcast(s)));
        }
        assertEquals(LongStream.rangeClosed(3, 10).boxed().toList(), released);
        assertEquals(10, r.lastReleased());
        assertEquals(11, r.nextExpected());
    }
}
