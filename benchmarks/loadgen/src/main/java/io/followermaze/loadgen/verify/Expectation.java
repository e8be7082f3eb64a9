package io.followermaze.loadgen.verify;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * What one client must still receive: a single-producer single-consumer byte ring between the generator
 * (which appends each notification line before the event is sent) and the client's reader (which compares
 * arriving bytes against it and releases what it has verified). Bounded, so the memory a run needs depends
 * on how far the server lags, not on how many events are sent.
 * <p>
 * Latency marks ride along: a mark says "the line ending at byte offset X belongs to batch B"; when the
 * source writes batch B it stamps the mark with the time, and the reader turns it into a latency sample once
 * it has verified past X. Only stamped marks are published.
 * <p>
 * Producer methods are called by the source thread only, consumer methods by the owning reader only;
 * {@link #publish()} is the release point for everything appended before it. The positions each side
 * writes for the other live in one padded array, a cache line apart, so that the reader releasing bytes
 * does not keep invalidating the line the source appends through (false sharing).
 */
public final class Expectation {
    private static final int MARKS = 256;
    private static final VarHandle SHARED = MethodHandles.arrayElementVarHandle(long[].class);
    /** Written by the reader. */
    private static final int HEAD = 8;
    private static final int MARK_HEAD = 9;
    /** Written by the source. */
    private static final int PUBLISHED_TAIL = 16;
    private static final int PUBLISHED_MARK_TAIL = 17;
    private static final int SHARED_LENGTH = 26;

    private final int userId;
    private final byte[] ring;
    private final int mask;
    private final long[] markEnd = new long[MARKS];
    /** The mark's batch until it is stamped, then the time its batch was written. */
    private final long[] markValue = new long[MARKS];

    // producer side (source thread)
    private long tail;
    private long headCache;
    private long markTail;
    private long markStamped;
    private long markHeadCache;
    private boolean dirty;

    // shared: indices above, each group on its own cache line
    private final long[] shared = new long[SHARED_LENGTH];

    /** @param capacity bytes; a power of two no smaller than the largest batch's worth of lines */
    public Expectation(int userId, int capacity) {
        if (capacity < 64 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two >= 64: " + capacity);
        }
        this.userId = userId;
        this.ring = new byte[capacity];
        this.mask = capacity - 1;
    }

    public int userId() {
        return userId;
    }

    public int capacity() {
        return ring.length;
    }

    // ---- producer ----

    /** True if {@code length} more bytes fit now; refreshes the consumer's position only when needed. */
    public boolean hasRoom(int length) {
        if (ring.length - (tail - headCache) >= length) {
            return true;
        }
        headCache = (long) SHARED.getAcquire(shared, HEAD);
        return ring.length - (tail - headCache) >= length;
    }

    /** Appends one whole notification line; the caller has checked {@link #hasRoom(int)}. */
    public void append(byte[] line, int offset, int length) {
        final int at = (int) (tail & mask);
        final int first = Math.min(length, ring.length - at);
        System.arraycopy(line, offset, ring, at, first);
        if (first < length) {
            System.arraycopy(line, offset + first, ring, 0, length - first);
        }
        tail += length;
    }

    /** Marks the line just appended as a latency sample of {@code batch}; skipped if the mark ring is full. */
    public void mark(long batch) {
        if (markTail - markHeadCache == MARKS) {
            markHeadCache = (long) SHARED.getAcquire(shared, MARK_HEAD);
            if (markTail - markHeadCache == MARKS) {
                return;
            }
        }
        final int i = (int) (markTail & (MARKS - 1));
        markEnd[i] = tail;
        markValue[i] = batch;
        markTail++;
    }

    /**
     * Stamps the marks of batches before {@code firstUnwritten} as written at {@code nanos}.
     *
     * @return true if marks of later batches remain unstamped (this ring needs stamping at the next write)
     */
    public boolean stampMarks(long firstUnwritten, long nanos) {
        while (markStamped < markTail) {
            final int i = (int) (markStamped & (MARKS - 1));
            if (markValue[i] >= firstUnwritten) {
                return true;
            }
            markValue[i] = nanos;
            markStamped++;
        }
        return false;
    }

    /**
     * Notes that this ring has unpublished lines.
     *
     * @return true the first time since the last {@link #publish()}: the caller lists it for publishing
     */
    public boolean markDirty() {
        if (dirty) {
            return false;
        }
        dirty = true;
        return true;
    }

    /** Makes everything appended so far visible to the reader; must precede sending those events. */
    public void publish() {
        dirty = false;
        SHARED.setRelease(shared, PUBLISHED_MARK_TAIL, markStamped);
        SHARED.setRelease(shared, PUBLISHED_TAIL, tail);
    }

    // ---- consumer ----

    public long publishedTail() {
        return (long) SHARED.getAcquire(shared, PUBLISHED_TAIL);
    }

    /** Bytes below {@code position} are verified and may be overwritten. */
    public void release(long position) {
        SHARED.setRelease(shared, HEAD, position);
    }

    /** The expected byte at an absolute stream offset in {@code [head, publishedTail)}. */
    public byte byteAt(long position) {
        return ring[(int) (position & mask)];
    }

    /**
     * Compares expected bytes from absolute {@code position} with {@code actual[offset, offset+length)}.
     *
     * @return index (0-based, relative) of the first difference, or -1 if all equal
     */
    public int mismatch(long position, byte[] actual, int offset, int length) {
        final int at = (int) (position & mask);
        final int first = Math.min(length, ring.length - at);
        int m = Arrays.mismatch(ring, at, at + first, actual, offset, offset + first);
        if (m >= 0 || first == length) {
            return m;
        }
        m = Arrays.mismatch(ring, 0, length - first, actual, offset + first, offset + length);
        return m < 0 ? -1 : first + m;
    }

    /** Consumes marks whose lines end at or before {@code verified}, recording each one's latency. */
    public void takeMarks(long verified, long nowNanos, LatencyRecorder recorder) {
        final long end = (long) SHARED.getAcquire(shared, PUBLISHED_MARK_TAIL);
        long h = (long) SHARED.getOpaque(shared, MARK_HEAD);
        final long start = h;
        while (h < end) {
            final int i = (int) (h & (MARKS - 1));
            if (markEnd[i] > verified) {
                break;
            }
            recorder.record(nowNanos - markValue[i]);
            h++;
        }
        if (h != start) {
            SHARED.setRelease(shared, MARK_HEAD, h);
        }
    }
}
