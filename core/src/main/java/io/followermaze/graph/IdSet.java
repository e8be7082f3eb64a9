package io.followermaze.graph;

/**
 * A set of user ids (>= 0): open addressing with linear probing in one {@code long[]}, deletion by backward shift
 * (no tombstones). Each slot holds {@code id + 1}, so a fresh array (all zeros) is empty and needs no fill.
 * <p>
 * It is a base class, not a field, for speed: {@link FollowerGraph.User} extends it so that the set's fields sit in
 * the user's record. A follow or unfollow then touches the record and the slot array, not also a set object and a
 * parallel values array as a {@code Long2ObjectHashMap<User>} did (two cache lines fewer on the hot path; the
 * followed user's record is found by id instead, an array load for the usual small ids).
 * <p>
 * Memory follows the size: the table doubles at a load of 1/2 and, above {@link #SPARSE_ABOVE} slots, halves its
 * way back down once fewer than an eighth are used, so a user's peak is not kept. Not thread-safe.
 */
class IdSet {
    /** Tables of at most this many slots never shrink: ordinary churn allocates nothing. */
    static final int SPARSE_ABOVE = 64;
    private static final long[] NONE = {};
    private static final int FIRST_CAPACITY = 8;

    /** {@code id + 1} per used slot, 0 when free; length a power of two (or 0 before the first id). */
    private long[] idSlots = NONE;
    private int idCount;

    /** @return true if {@code id} was not in the set */
    final boolean addId(long id) {
        if (id < 0) {
            throw new IllegalArgumentException("user ids are >= 0: " + id);
        }
        if (2 * (idCount + 1) > idSlots.length) {
            rehash(Math.max(FIRST_CAPACITY, idSlots.length * 2));
        }
        final long stored = id + 1;
        final int i = probe(idSlots, stored);
        if (idSlots[i] == stored) {
            return false;
        }
        idSlots[i] = stored;
        idCount++;
        return true;
    }

    /** @return true if {@code id} was in the set */
    final boolean removeId(long id) {
        final long[] slots = idSlots;
        if (idCount == 0 || id < 0) {
            return false;
        }
        final int mask = slots.length - 1;
        final int i = probe(slots, id + 1);
        if (slots[i] == 0) {
            return false;
        }
        // Backward shift: move later members of the probe run into the hole when their home slot allows it.
        int hole = i;
        for (int j = (i + 1) & mask; slots[j] != 0; j = (j + 1) & mask) {
            final int home = slot(slots[j], mask);
            // j's entry may fill the hole if its home is not cyclically within (hole, j].
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                slots[hole] = slots[j];
                hole = j;
            }
        }
        slots[hole] = 0;
        idCount--;
        if (slots.length > SPARSE_ABOVE && idCount < slots.length >>> 3) {
            rehash(Math.max(FIRST_CAPACITY, Integer.highestOneBit(Math.max(1, idCount)) * 4));
        }
        return true;
    }

    final boolean containsId(long id) {
        final long[] slots = idSlots;
        if (idCount == 0 || id < 0) {
            return false;
        }
        final long stored = id + 1;
        return slots[probe(slots, stored)] == stored;
    }

    final int idCount() {
        return idCount;
    }

    /** Slots in the table, used or not; for tests of memory that is given back. */
    final int idCapacity() {
        return idSlots.length;
    }

    /**
     * The raw table, for a walk without an iterator (no allocation): a slot {@code s != 0} holds id {@code s - 1}.
     * Valid until the set changes.
     */
    final long[] idSlots() {
        return idSlots;
    }

    /** The slot of {@code stored}, or the free slot that ends its probe run (the table is never full). */
    private static int probe(long[] slots, long stored) {
        final int mask = slots.length - 1;
        int i = slot(stored, mask);
        while (slots[i] != stored && slots[i] != 0) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /** Spreads ids that differ in the low bits (as sequential ids do) over the table (Fibonacci hashing). */
    private static int slot(long stored, int mask) {
        final long h = stored * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private void rehash(int capacity) {
        final long[] old = idSlots;
        final long[] slots = new long[capacity];
        for (long s : old) {
            if (s != 0) {
                slots[probe(slots, s)] = s; // not yet there: its probe run ends at a free slot
            }
        }
        idSlots = slots;
    }
}
