package io.followermaze.resequencer;

import io.followermaze.metrics.Counter;
import io.followermaze.protocol.Event;

/**
 * Turns events arriving in any order into one strictly ordered stream, starting at seq 1.
 * <p>
 * A power-of-two window holds seqs {@code [next, next + windowSize)}: insert and release are O(1). It has two
 * levels. Seqs up to {@value #NEAR_SLOTS} ahead (all of the usual, mildly shuffled input) go to a small ring at
 * index {@code seq & nearMask}, which stays in the L1 cache because the cursor reuses its slots every
 * {@value #NEAR_SLOTS} seqs; the rest of the window, a ring at {@code seq & mask}, is swept through memory only by
 * the seqs that are that far ahead (each of its slots is touched once per {@code windowSize} seqs, so a single
 * large ring cost a cache miss for nearly every held event). Seqs beyond the window go to a {@link SpillHeap}; the
 * drain loop takes from whichever holds {@code next}, so the far ring and the spill feed the stream as the cursor
 * reaches them. Duplicates and seqs already
 * released are dropped and counted. An event arriving exactly at {@code next} with nothing held is passed
 * through without a copy (the common case for mildly shuffled input).
 * <p>
 * Memory is bounded: when the window and spill together hold {@code maxPending} events, the stream can not
 * be waiting for a late event any longer without breaking that bound, so the cursor skips the gap to the
 * lowest held seq ({@link #skipGap()}); the skipped range is counted and reported to the {@link GapListener}.
 * <p>
 * How far ahead is bounded too: a seq more than {@code maxSeqAhead} ahead of the next one awaited is not taken
 * ({@link #offer} returns false; the caller counts it). Otherwise one absurd seq (say 10^15) would sit in the
 * spill for ever, or, once a gap skip reached it, move the cursor out of reach of the real stream for good.
 * <p>
 * The cursor is the last seq released ({@code 0} before the first), so it never overflows: every seq is at most
 * {@link Long#MAX_VALUE} and so is the cursor. Once {@link Long#MAX_VALUE} has been released nothing can follow
 * it, and every later seq is dropped as late.
 * <p>
 * Single-threaded: owned by the pipeline thread.
 */
public final class Resequencer {
    /** Told when a gap is skipped; for logs. */
    @FunctionalInterface
    public interface GapListener {
        void onGapSkipped(long firstMissing, long lastMissing, String reason);
    }

    /** The spill starts small and doubles as needed: most streams never leave the window. */
    private static final int INITIAL_SPILL_CAPACITY = 1024;
    /** Slots of the near ring: 32 KiB of records, within the L1 cache next to what routing touches. */
    static final int NEAR_SLOTS = 512;
    /** Most events the spill can hold: its records share one byte array (about 24 million). */
    static final int MAX_SPILL_CAPACITY = (Integer.MAX_VALUE - 8) / EventSlots.COMPACT_STRIDE;

    private final InOrderHandler out;
    private final GapListener gapListener;
    /** Near ring: seqs {@code last+2 .. last+nearMask+1}, at {@code seq & nearMask}. */
    private final int nearMask;
    private final EventSlots near;
    /**
     * Far ring: seqs that were {@code nearMask+2 .. mask+1} ahead when they arrived, at {@code seq & mask}; null when
     * the window is no larger than the near ring.
     */
    private final int mask;
    private final EventSlots far;
    private final SpillHeap spill;
    private final long maxPending;
    /** Farthest a seq may be from {@link #last}: {@code maxSeqAhead + 1}, at most {@link Long#MAX_VALUE}. */
    private final long maxDistance;
    private final Event released = new Event();

    /** The last seq released (or skipped over); 0 before the first. Seqs are 1..2^63-1, so this never wraps. */
    private long last;
    private int heldNear;
    /** Events in the far ring; while 0 (the usual case) the near path never looks at it. */
    private int heldFar;

    private final Counter releasedCount = new Counter();
    private final Counter duplicatesDropped = new Counter();
    private final Counter gapsSkipped = new Counter();
    private final Counter seqsSkipped = new Counter();
    private final Counter pendingGauge = new Counter();

    /** No bound on how far ahead a seq may be (tests, benchmarks); see {@link #Resequencer(int, long, long, InOrderHandler, GapListener)}. */
    public Resequencer(int windowSize, long maxPending, InOrderHandler out, GapListener gapListener) {
        this(windowSize, maxPending, Long.MAX_VALUE, out, gapListener);
    }

    /**
     * @param windowSize  power of two; seqs up to this far ahead of the cursor are held in O(1) slots
     * @param maxPending  most events held back at once (window + spill); at least the window size. The spill holds
     *                    at most {@link #MAX_SPILL_CAPACITY} events, so a larger value acts as that
     * @param maxSeqAhead furthest a seq may be ahead of the next seq awaited ({@code seq - next <= maxSeqAhead});
     *                    at least the window size; {@link Long#MAX_VALUE} for no bound
     */
    public Resequencer(int windowSize, long maxPending, long maxSeqAhead, InOrderHandler out, GapListener gapListener) {
        this(windowSize, Math.min(windowSize, NEAR_SLOTS), maxPending, maxSeqAhead, out, gapListener);
    }

    /** With the near ring's size given (a power of two, 2..windowSize): tests make both levels small. */
    Resequencer(int windowSize, int nearSlots, long maxPending, long maxSeqAhead, InOrderHandler out,
                GapListener gapListener) {
        if (windowSize < 2 || Integer.bitCount(windowSize) != 1) {
            throw new IllegalArgumentException("windowSize must be a power of two >= 2: " + windowSize);
        }
        if (maxPending < windowSize) {
            throw new IllegalArgumentException("maxPending (" + maxPending + ") must be >= windowSize (" + windowSize + ")");
        }
        if (maxSeqAhead < windowSize) {
            throw new IllegalArgumentException("maxSeqAhead (" + maxSeqAhead + ") must be >= windowSize (" + windowSize + ")");
        }
        this.out = out;
        this.gapListener = gapListener;
        if (nearSlots < 2 || Integer.bitCount(nearSlots) != 1 || nearSlots > windowSize) {
            throw new IllegalArgumentException("nearSlots must be a power of two in 2.." + windowSize + ": " + nearSlots);
        }
        this.nearMask = nearSlots - 1;
        this.near = new EventSlots(nearSlots, EventSlots.CACHE_LINE_STRIDE);
        this.mask = windowSize - 1;
        this.far = windowSize > nearSlots ? new EventSlots(windowSize, EventSlots.CACHE_LINE_STRIDE) : null;
        final long spillCapacity = Math.min(maxPending, MAX_SPILL_CAPACITY);
        // The spill can not grow past its capacity: a gap is skipped before it would have to.
        this.maxPending = spillCapacity;
        this.maxDistance = maxSeqAhead == Long.MAX_VALUE ? Long.MAX_VALUE : maxSeqAhead + 1;
        this.spill = new SpillHeap(Math.min(INITIAL_SPILL_CAPACITY, (int) spillCapacity), (int) spillCapacity);
    }

    /**
     * Offers one event; releases it and any events it unblocks, in order, to the handler. A duplicate or a seq
     * already released is dropped and counted ({@link #duplicatesDropped()}).
     *
     * @param e an event with a seq from 1 to {@link Long#MAX_VALUE}
     * @return false when the seq is more than {@code maxSeqAhead} ahead of the next one awaited: the event is
     *         neither held nor released, and the caller counts it; true otherwise
     */
    public boolean offer(Event e) {
        final long seq = e.seq;
        final long distance = seq - last; // both in [0, 2^63-1]: no overflow
        if (distance <= 0) {
            duplicatesDropped.increment();
        } else if (distance == 1) {
            release(e);
            drain();
        } else if (distance <= nearMask + 1L) { // seqs next+1 .. next+nearMask: slot free, or holding this seq
            final int slot = (int) (seq & nearMask);
            // The seq may also sit in the far ring, put there while it was farther ahead.
            if (near.seq(slot) == seq || (heldFar != 0 && far.seq((int) (seq & mask)) == seq)) {
                duplicatesDropped.increment();
            } else {
                near.store(slot, e);
                heldNear++;
                afterHold();
            }
        } else if (distance <= mask + 1L) { // only with a far ring: a near seq is never this far ahead
            final int slot = (int) (seq & mask);
            if (far.seq(slot) == seq) {
                duplicatesDropped.increment();
            } else {
                far.store(slot, e);
                heldFar++;
                afterHold();
            }
        } else if (distance > maxDistance) { // beyond the window only, so the common path pays nothing for it
            return false;
        } else {
            spill.add(e);
            afterHold();
        }
        return true;
    }

    /**
     * The next seq the stream is waiting for: {@link #lastReleased()} + 1. Once {@link Long#MAX_VALUE} has been
     * released nothing can follow it; this then stays at {@link Long#MAX_VALUE} (never wraps to a negative).
     */
    public long nextExpected() {
        return last == Long.MAX_VALUE ? Long.MAX_VALUE : last + 1;
    }

    /**
     * The last seq released or skipped over (0 before the first): the cursor. Pipeline thread; other threads read
     * it as {@code releasedCount() + seqsSkipped()} (every seq up to the cursor is one or the other), which costs
     * the per-event path no store of its own.
     */
    public long lastReleased() {
        return last;
    }

    /** Events held back, waiting for an earlier seq (may include duplicates not yet detected in the spill). */
    public long pending() {
        return heldNear + heldFar + spill.size();
    }

    /**
     * Gives up waiting for {@link #nextExpected()}: moves the cursor to the lowest held seq and releases from
     * there. Does nothing when nothing is held.
     *
     * @return how many seqs were skipped
     */
    public long skipGap() {
        return skipGap("gap skipped on request");
    }

    /** As {@link #skipGap()}, with the reason told to the {@link GapListener}. */
    public long skipGap(String reason) {
        dropLateFromSpill();
        if (pending() == 0) {
            pendingGauge.set(0);
            return 0;
        }
        // Every held seq is above `last`; distances from `last` keep the arithmetic below 2^63.
        long lowest = spill.isEmpty() ? Long.MAX_VALUE : spill.minSeq();
        if (heldNear + heldFar > 0) {
            final long limit = Math.min(lowest - last, mask + 2L); // window seqs are last+2 .. last+mask+1
            for (long d = 1; d < limit; d++) {
                final long s = last + d;
                if (near.seq((int) (s & nearMask)) == s || (heldFar != 0 && far.seq((int) (s & mask)) == s)) {
                    lowest = s;
                    break;
                }
            }
        }
        final long skipped = lowest - last - 1;
        if (skipped == 0) {
            drain();
            return 0;
        }
        gapsSkipped.increment();
        seqsSkipped.add(skipped);
        if (gapListener != null) {
            gapListener.onGapSkipped(last + 1, lowest - 1, reason);
        }
        // Every window slot for a seq below `lowest` is empty, so advancing needs no clearing.
        last = lowest - 1;
        drain();
        return skipped;
    }

    private void afterHold() {
        final long held = pending();
        pendingGauge.set(held);
        if (held >= maxPending) {
            skipGap("max pending reached");
        }
    }

    /** Releases {@code e}, whose seq is {@code last + 1}. */
    private void release(Event e) {
        out.onInOrder(e);
        last = e.seq;
        releasedCount.increment();
    }

    /** Seqs in the spill at or below the cursor are duplicates found late (the spill does not look on insert). */
    private void dropLateFromSpill() {
        while (!spill.isEmpty() && spill.minSeq() <= last) {
            spill.dropMin();
            duplicatesDropped.increment();
        }
    }

    private void drain() {
        if (heldFar == 0 && spill.isEmpty()) {
            drainNear();
        } else {
            drainAll();
        }
    }

    /**
     * {@link #drain} while only the near ring holds events (the usual, mildly shuffled input): it alone can hold
     * {@code next}, and releasing adds nothing to the far ring or the spill, so neither is looked at. With nothing
     * held (every other in-order event) it costs a compare.
     */
    private void drainNear() {
        if (heldNear == 0) {
            return;
        }
        while (heldNear != 0) {
            final long next = last + 1;
            final int slot = (int) (next & nearMask);
            if (near.seq(slot) != next) {
                break;
            }
            releaseNear(slot);
        }
        pendingGauge.set(heldNear);
    }

    private void drainAll() {
        while (true) {
            dropLateFromSpill();
            // At last == 2^63-1 this wraps to -2^63, which no held seq (1..2^63-1) equals: the loop ends.
            final long next = last + 1;
            final int slot = (int) (next & nearMask);
            if (near.seq(slot) == next) {
                releaseNear(slot);
            } else if (heldFar != 0 && far.seq((int) (next & mask)) == next) {
                final int farSlot = (int) (next & mask);
                far.load(farSlot, released);
                far.free(farSlot);
                heldFar--;
                release(released);
            } else if (!spill.isEmpty() && spill.minSeq() == next) {
                spill.removeMin(released);
                release(released);
            } else {
                break;
            }
        }
        pendingGauge.set(pending());
    }

    private void releaseNear(int slot) {
        near.load(slot, released);
        near.free(slot);
        heldNear--;
        release(released);
    }

    /**
     * Calls {@code action} with every event held back (window rings first, then spill; not in seq order), for a
     * snapshot.
     * The event is a flyweight whose payload is the verbatim line: re-offering it after {@link #restoreCursor}
     * holds it again. Pipeline thread.
     */
    public void forEachHeld(java.util.function.Consumer<Event> action) {
        final Event held = new Event();
        forEachHeld(near, heldNear, held, action);
        forEachHeld(far, heldFar, held, action);
        for (int i = 0; i < spill.size(); i++) {
            spill.peek(i, held);
            if (held.seq > last) { // a late duplicate not yet dropped is not state
                action.accept(held);
            }
        }
    }

    private void forEachHeld(EventSlots ring, int heldThere, Event held, java.util.function.Consumer<Event> action) {
        if (heldThere > 0) {
            for (int slot = 0; slot < ring.capacity(); slot++) {
                if (ring.seq(slot) > last) {
                    ring.load(slot, held);
                    action.accept(held);
                }
            }
        }
    }

    /**
     * Puts the cursor where a snapshot found it, with the counts that add up to it (every seq up to the cursor was
     * released or skipped), so that statistics read on as before. Only on a fresh resequencer (recovery).
     */
    public void restoreCursor(long lastReleased, long released, long gaps, long skippedSeqs) {
        if (last != 0 || pending() != 0 || releasedCount.get() != 0) {
            throw new IllegalStateException("restore into a resequencer that has seen events");
        }
        if (lastReleased < 0 || released < 0 || skippedSeqs < 0 || released + skippedSeqs != lastReleased) {
            throw new IllegalArgumentException("cursor " + lastReleased + " is not released " + released
                + " + skipped " + skippedSeqs);
        }
        last = lastReleased;
        releasedCount.set(released);
        gapsSkipped.set(gaps);
        seqsSkipped.set(skippedSeqs);
    }

    public Counter releasedCount() {
        return releasedCount;
    }

    /** Duplicates and seqs that arrived after their turn. */
    public Counter duplicatesDropped() {
        return duplicatesDropped;
    }

    public Counter gapsSkipped() {
        return gapsSkipped;
    }

    public Counter seqsSkipped() {
        return seqsSkipped;
    }

    public Counter pendingGauge() {
        return pendingGauge;
    }
}
