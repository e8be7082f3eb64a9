package io.followermaze.resequencer;

import io.followermaze.resequencer.ResequencerHarness.Gap;
import io.followermaze.testkit.EventStreamGenerator;
import io.followermaze.testkit.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The resequencer against the obviously-correct model: its output must be the sorted, distinct input.
 */
class ResequencerPropertyTest {
    /** Large enough never to force a gap skip in these tests. */
    private static final long UNBOUNDED = 1L << 40;

    private static List<String> stream(long seed, int count) {
        return new EventStreamGenerator(seed, 1_000).zeroPaddedIds(true).next(count);
    }

    /** Consecutive batches of exactly {@code batchSize} (the last may be shorter), each fully shuffled. */
    private static List<String> shuffledFixedBatches(List<String> inOrder, int batchSize, Random random) {
        final List<String> out = new ArrayList<>(inOrder.size());
        for (int i = 0; i < inOrder.size(); i += batchSize) {
            final List<String> batch = new ArrayList<>(inOrder.subList(i, Math.min(inOrder.size(), i + batchSize)));
            Collections.shuffle(batch, random);
            out.addAll(batch);
        }
        return out;
    }

    /**
     * The near-ring sizes every case runs with: the server's (one ring up to {@link Resequencer#NEAR_SLOTS}), and the
     * smallest, which sends nearly all disorder through the far ring.
     */
    private static int[] nearSizes(int windowSize) {
        final int server = Math.min(windowSize, Resequencer.NEAR_SLOTS);
        return server == 2 ? new int[] {2} : new int[] {server, 2};
    }

    /**
     * Feeds {@code arrival} and checks the output is exactly {@code inOrder} with every field intact, once per
     * {@link #nearSizes}; returns the last run.
     */
    private static ResequencerHarness runAndCheck(List<String> inOrder, List<String> arrival, int windowSize,
                                                  String context) {
        ResequencerHarness last = null;
        for (int nearSlots : nearSizes(windowSize)) {
            last = runAndCheck(inOrder, arrival, windowSize, nearSlots, context + " near " + nearSlots);
        }
        return last;
    }

    private static ResequencerHarness runAndCheck(List<String> inOrder, List<String> arrival, int windowSize,
                                                  int nearSlots, String context) {
        final ResequencerHarness h = new ResequencerHarness(windowSize, nearSlots, UNBOUNDED);
        for (String line : arrival) {
            h.offer(line);
        }
        final long[] expected = new long[inOrder.size()];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = i + 1;
        }
        final long[] actual = h.releasedSeqs();
        if (!java.util.Arrays.equals(expected, actual)) {
            fail(context + ": released " + actual.length + " of " + expected.length + " events, first difference at "
                + java.util.Arrays.mismatch(expected, actual));
        }
        h.assertReleasedMatch(seq -> inOrder.get((int) seq - 1), context);
        assertEquals(inOrder.size(), h.resequencer.releasedCount().get(), context);
        assertEquals(0, h.resequencer.pending(), context);
        assertEquals(0, h.resequencer.pendingGauge().get(), context);
        assertEquals(0, h.resequencer.gapsSkipped().get(), context);
        assertEquals(0, h.resequencer.seqsSkipped().get(), context);
        assertEquals(arrival.size() - inOrder.size(), h.resequencer.duplicatesDropped().get(),
            context + ": duplicates dropped must be exactly the extra copies");
        assertEquals(inOrder.size() + 1, h.resequencer.nextExpected(), context);
        assertTrue(h.gaps.isEmpty(), context);
        return h;
    }

    @ParameterizedTest(name = "window {0}, batches of 1..{1}")
    @CsvSource({"2, 100", "16, 100", "128, 100", "1024, 100", "4, 5", "256, 1000"})
    void smallDisplacementComesOutSorted(int windowSize, int maxBatch) {
        for (int round = 0; round < 3; round++) {
            final long seed = Seeds.seed(1_000L * windowSize + maxBatch) + round;
            final List<String> inOrder = stream(seed, 30_000);
            final List<String> arrival = EventStreamGenerator.shuffleInBatches(inOrder, maxBatch, new Random(seed));
            runAndCheck(inOrder, arrival, windowSize, "seed " + seed + " window " + windowSize);
        }
    }

    @Test
    void hugeDisplacementGoesThroughTheSpill() {
        final long seed = Seeds.seed(424_242L);
        final List<String> inOrder = stream(seed, 300_000);
        final List<String> arrival = shuffledFixedBatches(inOrder, 100_000, new Random(seed));
        runAndCheck(inOrder, arrival, 1024, "seed " + seed);
    }

    @Test
    void hugeRandomBatchesGoThroughTheSpill() {
        final long seed = Seeds.seed(31_337L);
        final List<String> inOrder = stream(seed, 250_000);
        final List<String> arrival = EventStreamGenerator.shuffleInBatches(inOrder, 100_000, new Random(seed));
        runAndCheck(inOrder, arrival, 1024, "seed " + seed);
    }

    @ParameterizedTest
    @CsvSource({"2, 5000", "64, 20000", "1024, 1000", "1024, 1024", "1024, 1025", "4096, 20000"})
    void fullyReversedInput(int windowSize, int count) {
        final List<String> inOrder = stream(count, count);
        final List<String> arrival = new ArrayList<>(inOrder);
        Collections.reverse(arrival);
        runAndCheck(inOrder, arrival, windowSize, "reversed, window " + windowSize + ", count " + count);
    }

    @Test
    void everyPermutationOfASmallStreamWithWindowTwo() {
        final List<String> inOrder = stream(5, 6);
        permute(new ArrayList<>(inOrder), 0, arrival -> runAndCheck(inOrder, arrival, 2, "permutation " + arrival));
    }

    private static void permute(List<String> items, int k, java.util.function.Consumer<List<String>> check) {
        if (k == items.size()) {
            check.accept(items);
            return;
        }
        for (int i = k; i < items.size(); i++) {
            Collections.swap(items, k, i);
            permute(items, k + 1, check);
            Collections.swap(items, k, i);
        }
    }

    @ParameterizedTest(name = "window {0}, batches of 1..{1}")
    @CsvSource({"2, 100", "16, 100", "16, 20000", "1024, 100", "1024, 100000"})
    void duplicatesAreDroppedAndCountedExactly(int windowSize, int maxBatch) {
        final long seed = Seeds.seed(99L * windowSize + maxBatch);
        final Random random = new Random(seed);
        final List<String> inOrder = stream(seed, 60_000);
        final List<String> arrival = new ArrayList<>(EventStreamGenerator.shuffleInBatches(inOrder, maxBatch, random));
        final int extras = 6_000;
        for (int i = 0; i < extras; i++) {
            final int from = random.nextInt(arrival.size());
            final String copy = arrival.get(from);
            final int to;
            switch (random.nextInt(3)) {
                case 0: // right next to the original: usually both held, or one passes through
                    to = from + 1;
                    break;
                case 1: // long after: the original is usually released by then
                    to = Math.min(arrival.size(), from + 1 + random.nextInt(50_000));
                    break;
                default: // anywhere, also before the original
                    to = random.nextInt(arrival.size() + 1);
                    break;
            }
            arrival.add(to, copy);
        }
        runAndCheck(inOrder, arrival, windowSize, "seed " + seed + " window " + windowSize + " batch " + maxBatch);
    }

    @Test
    void duplicatesOfEverySeqInTheSpillAndAfterRelease() {
        // Every event arrives three times: twice while far ahead (both copies spill), once after its release.
        final long seed = Seeds.seed(7L);
        final List<String> inOrder = stream(seed, 5_000);
        final List<String> arrival = new ArrayList<>();
        for (int i = inOrder.size() - 1; i >= 0; i--) {
            arrival.add(inOrder.get(i));
            arrival.add(inOrder.get(i));
        }
        arrival.addAll(inOrder);
        final ResequencerHarness h = runAndCheck(inOrder, arrival, 16, "seed " + seed);
        assertEquals(2L * inOrder.size(), h.resequencer.duplicatesDropped().get());
    }

    /**
     * With seqs missing for good and a small {@code maxPending}, there is no simple model of exactly which seqs get
     * skipped, but invariants hold: the output strictly increases, never contains a missing seq, every offered
     * event is released, dropped or still held, and the skipped ranges account for every seq not released.
     */
    @ParameterizedTest(name = "window {0}, near ring {1}, maxPending {2}")
    @CsvSource({"2, 2, 2", "2, 2, 7", "16, 16, 16", "16, 16, 100", "16, 2, 100", "64, 64, 1000", "64, 4, 1000",
        "256, 8, 1000"})
    void missingSeqsAndABoundedBacklog(int windowSize, int nearSlots, long maxPending) {
        final long seed = Seeds.seed(5_000L + windowSize * 31L + maxPending);
        final Random random = new Random(seed);
        final List<String> inOrder = stream(seed, 40_000);
        final Set<Long> missing = new HashSet<>();
        final List<String> arrival = new ArrayList<>();
        for (String line : EventStreamGenerator.shuffleInBatches(inOrder, 200, random)) {
            if (random.nextInt(500) == 0) {
                missing.add(io.followermaze.testkit.NaiveFollowerModel.seqOf(line));
            } else {
                arrival.add(line);
                if (random.nextInt(50) == 0) {
                    arrival.add(line);
                }
            }
        }
        final String context = "seed " + seed + " window " + windowSize + " near " + nearSlots + " maxPending "
            + maxPending;
        final ResequencerHarness h = new ResequencerHarness(windowSize, nearSlots, maxPending);
        for (String line : arrival) {
            h.offer(line);
            assertTrue(h.resequencer.pending() < maxPending, context + ": pending " + h.resequencer.pending());
        }
        while (h.resequencer.pending() > 0) {
            assertTrue(h.resequencer.skipGap() > 0 || h.resequencer.pending() == 0, context);
        }

        final long[] out = h.releasedSeqs();
        for (int i = 1; i < out.length; i++) {
            assertTrue(out[i] > out[i - 1], context + ": not increasing at " + i);
        }
        for (long seq : out) {
            assertTrue(!missing.contains(seq), context + ": released missing seq " + seq);
        }
        h.assertReleasedMatch(seq -> inOrder.get((int) seq - 1), context);
        assertEquals(h.offered(), h.resequencer.releasedCount().get() + h.resequencer.duplicatesDropped().get(),
            context + ": every offer is released or dropped");

        // Skipped ranges: disjoint, in order, and together with the released seqs they tile 1..last.
        final TreeSet<Long> covered = new TreeSet<>();
        long seqsInGaps = 0;
        long previousLast = 0;
        for (Gap g : h.gaps) {
            assertTrue(g.first() > previousLast && g.last() >= g.first(), context + ": " + g);
            previousLast = g.last();
            seqsInGaps += g.last() - g.first() + 1;
            for (long s = g.first(); s <= g.last(); s++) {
                covered.add(s);
            }
        }
        assertEquals(seqsInGaps, h.resequencer.seqsSkipped().get(), context);
        assertEquals(h.gaps.size(), h.resequencer.gapsSkipped().get(), context);
        for (long seq : out) {
            assertTrue(covered.add(seq), context + ": seq " + seq + " both released and skipped");
        }
        final long last = h.resequencer.nextExpected() - 1;
        assertEquals(last, covered.size(), context);
        if (!covered.isEmpty()) {
            assertEquals(1L, covered.first(), context);
            assertEquals(last, covered.last(), context);
        }
        assertTrue(h.gaps.size() >= 1, context + ": expected at least one skipped gap");
    }
}
