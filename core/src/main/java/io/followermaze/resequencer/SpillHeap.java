package io.followermaze.resequencer;

import io.followermaze.protocol.Event;

/**
 * Events too far ahead for the window: a binary min-heap on seq over a pool of {@link EventSlots}.
 * Insert and remove-min are O(log n); storage grows by doubling up to a hard capacity and is then reused,
 * so a steady stream allocates nothing.
 */
final class SpillHeap {
    private final int maxCapacity;
    private final EventSlots slots;
    /** heap[i] is a slot index; ordered by slots.seq[heap[i]]. */
    private int[] heap;
    /** Free slot indices, used as a stack. */
    private int[] free;
    private int freeCount;
    private int size;

    SpillHeap(int initialCapacity, int maxCapacity) {
        this.maxCapacity = maxCapacity;
        final int capacity = Math.max(1, Math.min(initialCapacity, maxCapacity));
        this.slots = new EventSlots(capacity);
        this.heap = new int[capacity];
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

    boolean isFull() {
        return size == maxCapacity;
    }

    /** @return the smallest seq held; only when not empty */
    long minSeq() {
        return slots.seq[heap[0]];
    }

    /** Adds a copy of {@code e}; the caller checks {@link #isFull()} first. */
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
            if (slots.seq[heap[parent]] <= seq) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = slot;
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
            siftDown(last);
        }
    }

    /** Removes the minimum without reading it. */
    void dropMin() {
        free[freeCount++] = heap[0];
        final int last = heap[--size];
        if (size > 0) {
            siftDown(last);
        }
    }

    private void siftDown(int slot) {
        final long seq = slots.seq[slot];
        int i = 0;
        final int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            final int right = child + 1;
            if (right < size && slots.seq[heap[right]] < slots.seq[heap[child]]) {
                child = right;
            }
            if (seq <= slots.seq[heap[child]]) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = slot;
    }

    private void grow() {
        final int old = slots.capacity();
        final int capacity = (int) Math.min((long) old * 2, maxCapacity);
        slots.growTo(capacity);
        heap = java.util.Arrays.copyOf(heap, capacity);
        free = java.util.Arrays.copyOf(free, capacity);
        for (int i = capacity - 1; i >= old; i--) {
            free[freeCount++] = i;
        }
    }
}
