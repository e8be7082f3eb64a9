package io.followermaze.resequencer;

import io.followermaze.protocol.Event;
import io.followermaze.resequencer.ResequencerHarness.Gap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResequencerTest {
    private static long[] range(long firstInclusive, long lastInclusive) {
        return LongStream.rangeClosed(firstInclusive, lastInclusive).toArray();
    }

    // ---- construction ----

    @ParameterizedTest
    @ValueSource(ints = {Integer.MIN_VALUE, -4, -1, 0, 1, 3, 6, 1000, (1 << 20) + 1})
    void rejectsWindowSizesThatAreNotPowersOfTwoFromTwo(int windowSize) {
        assertThrows(IllegalArgumentException.class,
            () -> new Resequencer(windowSize, Long.MAX_VALUE, e -> { }, null));
    }

    @Test
    void rejectsMaxPendingBelowTheWindow() {
        assertThrows(IllegalArgumentException.class, () -> new Resequencer(16, 15, e -> { }, null));
        assertThrows(IllegalArgumentException.class, () -> new Resequencer(2, 0, e -> { }, null));
        assertThrows(IllegalArgumentException.class, () -> new Resequencer(2, -1, e -> { }, null));
        assertDoesNotThrow(() -> new Resequencer(16, 16, e -> { }, null));
        assertDoesNotThrow(() -> new Resequencer(2, 2, e -> { }, null));
        assertDoesNotThrow(() -> new Resequencer(2, Long.MAX_VALUE, e -> { }, null));
    }

    @Test
    void startsAtSeqOneWithNothingHeld() {
        final ResequencerHarness h = new ResequencerHarness(8, 8);
        assertEquals(1, h.resequencer.nextExpected());
        assertEquals(0, h.resequencer.pending());
        assertEquals(0, h.resequencer.skipGap());
        assertEquals(1, h.resequencer.nextExpected());
        assertTrue(h.gaps.isEmpty());
    }

    // ---- ordering ----

    @Test
    void passesInOrderEventsStraightThrough() {
        final ResequencerHarness h = new ResequencerHarness(4, 4);
        for (long s = 1; s <= 100; s++) {
            h.offerSeq(s);
            assertEquals(s, h.released.size());
            assertEquals(0, h.resequencer.pending());
        }
        assertArrayEquals(range(1, 100), h.releasedSeqs());
        h.assertReleasedMatch(ResequencerHarness::lineFor, "in order");
        assertEquals(100, h.resequencer.releasedCount().get());
        assertEquals(101, h.resequencer.nextExpected());
    }

    @Test
    void holdsEventsInTheWindowUntilTheGapFills() {
        final ResequencerHarness h = new ResequencerHarness(8, 1000);
        h.offerSeq(3);
        h.offerSeq(2);
        h.offerSeq(5);
        assertEquals(0, h.released.size());
        assertEquals(3, h.resequencer.pending());
        assertEquals(3, h.resequencer.pendingGauge().get());
        h.offerSeq(1);
        assertArrayEquals(range(1, 3), h.releasedSeqs());
        assertEquals(4, h.resequencer.nextExpected());
        assertEquals(1, h.resequencer.pending());
        assertEquals(1, h.resequencer.pendingGauge().get());
        h.offerSeq(4);
        assertArrayEquals(range(1, 5), h.releasedSeqs());
        assertEquals(0, h.resequencer.pending());
        assertEquals(0, h.resequencer.pendingGauge().get());
        h.assertReleasedMatch(ResequencerHarness::lineFor, "window");
    }

    @Test
    void spillsEventsBeyondTheWindowAndFeedsThemBackInOrder() {
        final ResequencerHarness h = new ResequencerHarness(4, 1000);
        // 20..5 are all beyond the window [1, 4] when they arrive.
        for (long s = 20; s >= 5; s--) {
            h.offerSeq(s);
        }
        h.offerSeq(3);
        h.offerSeq(2);
        assertEquals(18, h.resequencer.pending());
        assertEquals(0, h.released.size());
        h.offerSeq(1);
        h.offerSeq(4);
        assertArrayEquals(range(1, 20), h.releasedSeqs());
        assertEquals(0, h.resequencer.pending());
        h.assertReleasedMatch(ResequencerHarness::lineFor, "spill");
    }

    @Test
    void windowOfTwoStillOrdersEverything() {
        final ResequencerHarness h = new ResequencerHarness(2, 1000);
        final long[] arrival = {4, 2, 9, 3, 1, 8, 5, 7, 6, 10};
        for (long s : arrival) {
            h.offerSeq(s);
        }
        assertArrayEquals(range(1, 10), h.releasedSeqs());
        h.assertReleasedMatch(ResequencerHarness::lineFor, "window 2");
        assertEquals(0, h.resequencer.duplicatesDropped().get());
    }

    /** Payloads of every length up to the longest accepted, held in the window and in the spill, come back whole. */
    @Test
    void payloadsOfEveryLengthSurviveWindowAndSpill() {
        final int events = 400;
        final ResequencerHarness h = new ResequencerHarness(64, 10_000);
        final java.util.function.LongFunction<String> lineOf = seq -> {
            // ids with 1..19 digits, so the line length sweeps 6..MAX_PAYLOAD_LENGTH
            final long from = Long.MAX_VALUE / (long) Math.pow(10, (int) (seq % 19));
            final long to = Long.MAX_VALUE / (long) Math.pow(10, (int) (seq * 7 % 19));
            return seq + "|F|" + from + '|' + to;
        };
        final String longest = "9223372036854775807|P|9223372036854775807|9223372036854775807";
        assertEquals(io.followermaze.protocol.EventParser.MAX_PAYLOAD_LENGTH, longest.length());
        for (long s = events; s >= 2; s--) { // descending: everything waits, far ones in the spill
            h.offer(lineOf.apply(s));
        }
        assertEquals(events - 1, h.resequencer.pending());
        h.offer(lineOf.apply(1));
        assertArrayEquals(range(1, events), h.releasedSeqs());
        h.assertReleasedMatch(lineOf, "every length");
        final ResequencerHarness big = new ResequencerHarness(4, 100);
        big.offer(longest.replaceFirst("^9223372036854775807", "3"));
        big.offer(longest.replaceFirst("^9223372036854775807", "9"));
        big.offer("2|B");
        big.offer("1|B");
        assertEquals(List.of("1|B", "2|B", longest.replaceFirst("^9223372036854775807", "3")),
            big.released.stream().map(ResequencerHarness.Released::payload).toList().subList(0, 3));
    }

    @Test
    void offerKeepsNoReferenceToTheCallersEvent() {
        final List<String> out = new ArrayList<>();
        final Resequencer r = new Resequencer(4, 100, e -> out.add(e.payloadAsString()), null);
        final Event e = new Event();
        final byte[] near = "2|B".getBytes();
        final byte[] far = "9|S|4".getBytes();
        e.set(2, (byte) 'B', 0, 0, near, 0, near.length);
        r.offer(e);
        e.set(9, (byte) 'S', 4, 0, far, 0, far.length);
        r.offer(e);
        near[0] = 'X';
        far[0] = 'X';
        e.set(-7, (byte) 'X', 0, 0, new byte[0], 0, 0);
        for (long s : new long[] {1, 3, 4, 5, 6, 7, 8}) {
            final byte[] b = (s + "|B").getBytes();
            e.set(s, (byte) 'B', 0, 0, b, 0, b.length);
            r.offer(e);
        }
        assertEquals(List.of("1|B", "2|B", "3|B", "4|B", "5|B", "6|B", "7|B", "8|B", "9|S|4"), out);
    }

    // ---- duplicates ----

    @Test
    void dropsDuplicateHeldInTheWindow() {
        final ResequencerHarness h = new ResequencerHarness(8, 1000);
        h.offerSeq(3);
        h.offerSeq(3);
        assertEquals(1, h.resequencer.duplicatesDropped().get());
        assertEquals(1, h.resequencer.pending());
        h.offerSeq(1);
        h.offerSeq(2);
        assertArrayEquals(range(1, 3), h.releasedSeqs());
        assertEquals(1, h.resequencer.duplicatesDropped().get());
    }

    @Test
    void dropsDuplicatesOfReleasedSeqs() {
        final ResequencerHarness h = new ResequencerHarness(8, 1000);
        h.offerSeq(1);
        h.offerSeq(2);
        h.offerSeq(1);
        h.offerSeq(2);
        h.offerSeq(1);
        assertArrayEquals(range(1, 2), h.releasedSeqs());
        assertEquals(3, h.resequencer.duplicatesDropped().get());
        assertEquals(0, h.resequencer.pending());
    }

    @Test
    void dropsDuplicatesThatSitInTheSpill() {
        final ResequencerHarness h = new ResequencerHarness(4, 1000);
        h.offerSeq(10);
        h.offerSeq(10);
        h.offerSeq(10);
        h.offerSeq(12);
        h.offerSeq(12);
        // The spill does not detect duplicates on insert; they count as pending until drained.
        assertEquals(5, h.resequencer.pending());
        for (long s = 1; s <= 9; s++) {
            h.offerSeq(s);
        }
        h.offerSeq(11);
        assertArrayEquals(range(1, 12), h.releasedSeqs());
        assertEquals(3, h.resequencer.duplicatesDropped().get());
        assertEquals(0, h.resequencer.pending());
        h.assertReleasedMatch(ResequencerHarness::lineFor, "spill dups");
    }

    @Test
    void dropsACopyInTheSpillWhenTheOtherCopyIsReleasedFromTheWindow() {
        final ResequencerHarness h = new ResequencerHarness(4, 1000);
        h.offerSeq(10); // spilled: distance 9 > 3
        for (long s = 1; s <= 6; s++) {
            h.offerSeq(s);
        }
        h.offerSeq(10); // now distance 3: held in the window while the first copy still sits in the spill
        assertEquals(2, h.resequencer.pending());
        h.offerSeq(8);
        h.offerSeq(9);
        h.offerSeq(7);
        assertArrayEquals(range(1, 10), h.releasedSeqs());
        assertEquals(1, h.resequencer.duplicatesDropped().get());
        assertEquals(0, h.resequencer.pending());
    }

    // ---- gaps ----

    @Test
    void skipsTheGapWhenMaxPendingIsReached() {
        final ResequencerHarness h = new ResequencerHarness(4, 8);
        for (long s = 2; s <= 8; s++) {
            h.offerSeq(s);
        }
        assertEquals(7, h.resequencer.pending());
        assertTrue(h.gaps.isEmpty());
        h.offerSeq(9); // 8 held: the bound is reached
        assertArrayEquals(range(2, 9), h.releasedSeqs());
        assertEquals(List.of(new Gap(1, 1, "max pending reached")), h.gaps);
        assertEquals(1, h.resequencer.gapsSkipped().get());
        assertEquals(1, h.resequencer.seqsSkipped().get());
        assertEquals(10, h.resequencer.nextExpected());
        assertEquals(0, h.resequencer.pending());

        h.offerSeq(1); // too late
        assertEquals(1, h.resequencer.duplicatesDropped().get());
        assertArrayEquals(range(2, 9), h.releasedSeqs());
        h.offerSeq(10);
        assertArrayEquals(range(2, 10), h.releasedSeqs());
        h.assertReleasedMatch(ResequencerHarness::lineFor, "max pending");
    }

    @Test
    void skipsAMultiSeqGapToTheLowestHeldSeqInTheSpill() {
        final ResequencerHarness h = new ResequencerHarness(4, 4);
        // Everything is far ahead of the cursor, so the window is empty and the spill holds all four.
        h.offerSeq(30);
        h.offerSeq(21);
        h.offerSeq(25);
        assertTrue(h.gaps.isEmpty());
        h.offerSeq(22);
        assertEquals(List.of(new Gap(1, 20, "max pending reached")), h.gaps);
        assertArrayEquals(new long[] {21, 22}, h.releasedSeqs());
        assertEquals(23, h.resequencer.nextExpected());
        assertEquals(20, h.resequencer.seqsSkipped().get());
        assertEquals(2, h.resequencer.pending());
        for (long s = 1; s <= 22; s++) {
            h.offerSeq(s); // all late now
        }
        assertEquals(22, h.resequencer.duplicatesDropped().get());
        h.offerSeq(23);
        h.offerSeq(24);
        assertArrayEquals(new long[] {21, 22, 23, 24, 25}, h.releasedSeqs());
        assertEquals(26, h.resequencer.nextExpected());
        assertEquals(1, h.resequencer.gapsSkipped().get());
    }

    @Test
    void skipsToTheLowestHeldSeqInTheWindowEvenWhenTheSpillHoldsMore() {
        final ResequencerHarness h = new ResequencerHarness(8, 8);
        h.offerSeq(100); // spill
        h.offerSeq(101); // spill
        h.offerSeq(6);   // window
        h.offerSeq(4);   // window
        h.offerSeq(200); // spill
        h.offerSeq(7);   // window
        h.offerSeq(8);   // window
        assertTrue(h.gaps.isEmpty());
        h.offerSeq(150); // 8 held
        assertEquals(List.of(new Gap(1, 3, "max pending reached")), h.gaps);
        assertArrayEquals(new long[] {4}, h.releasedSeqs());
        assertEquals(5, h.resequencer.nextExpected());
        assertEquals(7, h.resequencer.pending());
    }

    @Test
    void pendingNeverReachesMaxPending() {
        final ResequencerHarness h = new ResequencerHarness(2, 3);
        for (long s = 1000; s > 1; s -= 3) {
            h.offerSeq(s);
            assertTrue(h.resequencer.pending() < 3, "pending " + h.resequencer.pending());
        }
        assertTrue(h.resequencer.gapsSkipped().get() > 0);
    }

    @Test
    void skipGapOnRequest() {
        final ResequencerHarness h = new ResequencerHarness(8, 1000);
        h.offerSeq(3);
        h.offerSeq(5);
        h.offerSeq(6);
        assertEquals(2, h.resequencer.skipGap());
        assertArrayEquals(new long[] {3}, h.releasedSeqs());
        assertEquals(4, h.resequencer.nextExpected());
        assertEquals(1, h.resequencer.skipGap());
        assertArrayEquals(new long[] {3, 5, 6}, h.releasedSeqs());
        assertEquals(0, h.resequencer.skipGap()); // nothing held
        assertEquals(List.of(new Gap(1, 2, "gap skipped on request"), new Gap(4, 4, "gap skipped on request")),
            h.gaps);
        assertEquals(2, h.resequencer.gapsSkipped().get());
        assertEquals(3, h.resequencer.seqsSkipped().get());
        h.offerSeq(4);
        assertEquals(1, h.resequencer.duplicatesDropped().get());
        h.offerSeq(7);
        assertArrayEquals(new long[] {3, 5, 6, 7}, h.releasedSeqs());
    }

    @Test
    void skipGapReachesIntoTheSpill() {
        final ResequencerHarness h = new ResequencerHarness(4, 1000);
        h.offerSeq(50);
        h.offerSeq(51);
        h.offerSeq(53);
        assertEquals(49, h.resequencer.skipGap());
        assertArrayEquals(new long[] {50, 51}, h.releasedSeqs());
        assertEquals(1, h.resequencer.skipGap());
        assertArrayEquals(new long[] {50, 51, 53}, h.releasedSeqs());
        assertEquals(50, h.resequencer.seqsSkipped().get());
    }

    // ---- the two window rings (near: up to nearSlots ahead; far: the rest of the window) ----

    @Test
    void aSeqHeldInTheFarRingIsStillADuplicateOnceTheCursorBringsItNear() {
        final ResequencerHarness h = new ResequencerHarness(16, 4, 1000);
        h.offerSeq(10); // 10 ahead: far ring
        for (long s = 1; s <= 7; s++) {
            h.offerSeq(s);
        }
        h.offerSeq(10); // now 3 ahead: the near ring's range, but the seq is held in the far ring
        assertEquals(1, h.resequencer.duplicatesDropped().get());
        assertEquals(1, h.resequencer.pending());
        h.offerSeq(9);  // near ring
        h.offerSeq(8);  // releases 8, 9 (near) and 10 (far)
        assertArrayEquals(range(1, 10), h.releasedSeqs());
        h.assertReleasedMatch(ResequencerHarness::lineFor, "far duplicate");
        assertEquals(0, h.resequencer.pending());
    }

    @Test
    void drainsBothRingsAndTheSpillInSeqOrder() {
        final ResequencerHarness h = new ResequencerHarness(16, 4, 1000);
        for (long s : new long[] {12, 3, 30, 9, 2, 5, 17, 4, 16, 13, 15, 14, 11, 10, 8, 7, 6}) {
            h.offerSeq(s); // near: 2..5; far: 9, 12..17 at arrival; spill: 30
        }
        assertEquals(17, h.resequencer.pending());
        h.offerSeq(1);
        assertArrayEquals(range(1, 17), h.releasedSeqs());
        h.assertReleasedMatch(ResequencerHarness::lineFor, "two rings");
        assertEquals(1, h.resequencer.pending());
    }

    @Test
    void skipGapFindsTheLowestSeqInTheFarRing() {
        final ResequencerHarness h = new ResequencerHarness(16, 4, 1000);
        h.offerSeq(14);
        h.offerSeq(10);
        assertEquals(9, h.resequencer.skipGap());
        assertArrayEquals(new long[] {10}, h.releasedSeqs());
        assertEquals(3, h.resequencer.skipGap()); // 14 is now 4 ahead, still in the far ring
        assertArrayEquals(new long[] {10, 14}, h.releasedSeqs());
        assertEquals(0, h.resequencer.pending());
    }

    @Test
    void everyHeldEventIsSeenForASnapshotWhicheverRingHoldsIt() {
        final ResequencerHarness h = new ResequencerHarness(16, 4, 1000);
        h.offerSeq(3);  // near
        h.offerSeq(10); // far
        h.offerSeq(40); // spill
        final List<String> held = new ArrayList<>();
        h.resequencer.forEachHeld(e -> held.add(e.payloadAsString()));
        held.sort(null);
        final List<String> expected = new ArrayList<>(List.of(ResequencerHarness.lineFor(3),
            ResequencerHarness.lineFor(10), ResequencerHarness.lineFor(40)));
        expected.sort(null);
        assertEquals(expected, held);
    }

    @Test
    void rejectsANearRingThatIsNotAPowerOfTwoWithinTheWindow() {
        for (int near : new int[] {0, 1, 3, 32}) {
            assertThrows(IllegalArgumentException.class,
                () -> new Resequencer(16, near, 1000, Long.MAX_VALUE, e -> { }, null), "near " + near);
        }
        assertDoesNotThrow(() -> new Resequencer(16, 16, 1000, Long.MAX_VALUE, e -> { }, null));
    }

    @Test
    void skipGapWithoutAListener() {
        final List<Long> out = new ArrayList<>();
        final Resequencer r = new Resequencer(2, 2, e -> out.add(e.seq), null);
        final Event e = new Event();
        final byte[] b = "5|B".getBytes();
        e.set(5, (byte) 'B', 0, 0, b, 0, b.length);
        r.offer(e);
        assertEquals(4, r.skipGap());
        assertEquals(List.of(5L), out);
    }
}
