package io.followermaze.resequencer;

import io.followermaze.protocol.Event;

/**
 * Events too far ahead for the window: a binary min-heap on seq over a pool of {@link EventSlots}.
 * Insert and remove-min are O(log n); storage grows by doubling up to a hard capacity and is then reused,
 * so a steady stream allocates nothing. Each heap entry keeps its seq next to its slot index, so sifting
 * compares keys in the heap arrays and never touches the (large, scattered) event records.
 */
final class SpillHeap {
    private final int maxCapacity;
    private final EventSlots slots;
    /** heap[i] is a slot index; ordered by heapSeq[i], the seq stored in that slot. */
    private int[] heap;
    private long[] heapSeq;
    /** Free slot indices, used as a stack. */
    private int[] free;
    private int freeCount;
    private int size;

    SpillHeap(int initialCapacity, int maxCapacity) {
        this.maxCapacity = maxCapacity;
        final int capacity = Math.max(1, Math.min(initialCapacity, maxCapacity));
        this.slots = new EventSlots(capacity, EventSlots.COMPACT_STRIDE);
        this.heap = new int[capacity];
        this.heapSeq = new long[capacity];
        this.free = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            free[i] = capacity - 1 - i;
        }
        this.freeCount = capacity;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** @return the smallest seq held; only when not empty */
    long minSeq() {
        return heapSeq[0];
    }

    /**
     * Adds a copy of {@code e}. The caller keeps the size below the capacity: the {@link Resequencer} skips a gap
     * once {@code maxPending} events are held, and its {@code maxPending} is at most this heap's capacity.
     */
    void add(Event e) {
        if (freeCount == 0) {
            grow();
        }
        final int slot = free[--freeCount];
        slots.store(slot, e);
        int i = size++;
        final long seq = e.seq;
        while (i > 0) {
            final int parent = (i - 1) >>> 1;
            if (heapSeq[parent] <= seq) {
                break;
            }
            heap[i] = heap[parent];
            heapSeq[i] = heapSeq[parent];
            i = parent;
        }
        heap[i] = slot;
        heapSeq[i] = seq;
    }

    /**
     * Removes the minimum and points {@code into} at its data, which stays valid until the next {@link #add}.
     */
    void removeMin(Event into) {
        final int top = heap[0];
        slots.load(top, into);
        free[freeCount++] = top;
        final int last = heap[--size];
        if (size > 0) {
            siftDown(last, heapSeq[size]);
        }
    }

    /** Loads the {@code i}-th held event (0 <= i < size, heap order, not seq order) without removing it. */
    void peek(int i, Event into) {
        slots.load(heap[i], into);
    }

    /** Removes the minimum without reading it. */
    void dropMin() {
        free[freeCount++] = heap[0];
        final int last = heap[--size];
        if (size > 0) {
            siftDown(last, heapSeq[size]);
        }
    }

    private void siftDown(int slot, long seq) {
        int i = 0;
        final int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            final int right = child + 1;
            if (right < size && heapSeq[right] < heapSeq[child]) {
                child = right;
            }
            if (seq <= heapSeq[child]) {
                break;
            }
            heap[i] = heap[child];
            heapSeq[i] = heapSeq[child];
            i = child;
        }
        heap[i] = slot;
        heapSeq[i] = seq;
    }

    private void grow() {
        final int old = slots.capacity();
        final int capacity = (int) Math.min((long) old * 2, maxCapacity);
        slots.growTo(capacity);
        heap = java.util.Arrays.copyOf(heap, capacity);
        heapSeq = java.util.Arrays.copyOf(heapSeq, capacity);
        free = java.util.Arrays.copyOf(free, capacity);
        for (int i = capacity - 1; i >= old; i--) {
            free[freeCount++] = i;
        }
    }
}
