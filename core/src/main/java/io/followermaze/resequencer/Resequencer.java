package io.followermaze.resequencer;

import io.followermaze.metrics.Counter;
import io.followermaze.protocol.Event;

/**
 * Turns events arriving in any order into one strictly ordered stream, starting at seq 1.
 * <p>
 * A power-of-two window holds seqs {@code [next, next + windowSize)} at index {@code seq & mask}: insert and
 * release are O(1). Seqs beyond the window go to a {@link SpillHeap}; the drain loop takes from whichever
 * holds {@code next}, so the spill feeds the stream as the cursor reaches it. Duplicates and seqs already
 * released are dropped and counted. An event arriving exactly at {@code next} with nothing held is passed
 * through without a copy (the common case for mildly shuffled input).
 * <p>
 * Memory is bounded: when the window and spill together hold {@code maxPending} events, the stream can not
 * be waiting for a late event any longer without breaking that bound, so the cursor skips the gap to the
 * lowest held seq ({@link #skipGap()}); the skipped range is counted and reported to the {@link GapListener}.
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

    private final InOrderHandler out;
    private final GapListener gapListener;
    private final int mask;
    private final EventSlots window;
    private final SpillHeap spill;
    private final long maxPending;
    private final Event released = new Event();

    private long next = 1;
    private int heldInWindow;

    private final Counter releasedCount = new Counter();
    private final Counter duplicatesDropped = new Counter();
    private final Counter gapsSkipped = new Counter();
    private final Counter seqsSkipped = new Counter();
    private final Counter pendingGauge = new Counter();

    /**
     * @param windowSize power of two; seqs up to this far ahead of the cursor are held in O(1) slots
     * @param maxPending most events held back at once (window + spill); at least the window size
     */
    public Resequencer(int windowSize, long maxPending, InOrderHandler out, GapListener gapListener) {
        if (windowSize < 2 || Integer.bitCount(windowSize) != 1) {
            throw new IllegalArgumentException("windowSize must be a power of two >= 2: " + windowSize);
        }
        if (maxPending < windowSize) {
            throw new IllegalArgumentException("maxPending (" + maxPending + ") must be >= windowSize (" + windowSize + ")");
        }
        this.out = out;
        this.gapListener = gapListener;
        this.mask = windowSize - 1;
        this.window = new EventSlots(windowSize, EventSlots.CACHE_LINE_STRIDE);
        this.maxPending = maxPending;
        final long spillCapacity = Math.min(maxPending, Integer.MAX_VALUE - 8);
        this.spill = new SpillHeap(Math.min(INITIAL_SPILL_CAPACITY, (int) spillCapacity), (int) spillCapacity);
    }

    /** Offers one event; releases it and any events it unblocks, in order, to the handler. */
    public void offer(Event e) {
        final long seq = e.seq;
        final long distance = seq - next;
        if (distance < 0) {
            duplicatesDropped.increment();
        } else if (distance == 0) {
            release(e);
            drain();
        } else if (distance <= mask) {
            final int slot = (int) (seq & mask);
            if (window.seq(slot) == seq) {
                duplicatesDropped.increment();
            } else {
                window.store(slot, e);
                heldInWindow++;
                afterHold();
            }
        } else {
            spill.add(e);
            afterHold();
        }
    }

    /** The next seq the stream is waiting for. */
    public long nextExpected() {
        return next;
    }

    /** Events held back, waiting for an earlier seq (may include duplicates not yet detected in the spill). */
    public long pending() {
        return heldInWindow + spill.size();
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
        if (pending() == 0) {
            return 0;
        }
        long lowest = spill.isEmpty() ? Long.MAX_VALUE : spill.minSeq();
        if (heldInWindow > 0) {
            final long limit = Math.min(lowest, next + mask + 1);
            for (long s = next; s < limit; s++) {
                if (window.seq((int) (s & mask)) == s) {
                    lowest = s;
                    break;
                }
            }
        }
        final long skipped = lowest - next;
        if (skipped <= 0) {
            drain();
            return 0;
        }
        gapsSkipped.increment();
        seqsSkipped.add(skipped);
        if (gapListener != null) {
            gapListener.onGapSkipped(next, lowest - 1, reason);
        }
        // Every window slot for a seq below `lowest` is empty, so advancing needs no clearing.
        next = lowest;
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

    private void release(Event e) {
        out.onInOrder(e);
        next++;
        releasedCount.increment();
    }

    private void drain() {
        if (heldInWindow == 0 && spill.isEmpty()) {
            return;
        }
        while (true) {
            while (!spill.isEmpty() && spill.minSeq() < next) {
                spill.dropMin();
                duplicatesDropped.increment();
            }
            final int slot = (int) (next & mask);
            if (window.seq(slot) == next) {
                window.load(slot, released);
                window.free(slot);
                heldInWindow--;
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
