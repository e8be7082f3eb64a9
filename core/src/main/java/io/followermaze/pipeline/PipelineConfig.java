package io.followermaze.pipeline;

import com.lmax.disruptor.WaitStrategy;

/**
 * Sizes, policies and memory budgets of the pipeline. Immutable; {@link #DEFAULT} suits a small (2-core) box.
 * Each default is declared once, as a {@code DEFAULT_*} constant; {@link #DEFAULT} and {@link #builder()} start from
 * them. Derive variants with a wither ({@code DEFAULT.withWindowSize(1024)}) or, for several values that are only
 * valid together, {@link #toBuilder()} (validation runs once, at {@link Builder#build()}).
 *
 * @param ringSize       ingress ring entries (power of two)
 * @param chunkBytes     bytes of event lines one ring entry carries; lines longer than this can not be carried
 * @param maxLineLength  longest event line accepted (without line end); at most {@code chunkBytes - 2}
 * @param windowSize     resequencer window (power of two): disorder up to this distance costs O(1)
 * @param maxPending     most events held back waiting for a missing seq before the gap is skipped
 * @param waitStrategy   how the pipeline thread waits (see {@link WaitStrategyKind})
 * @param gapTimeoutMillis how long the stream may wait for a missing seq while later ones are held before the gap
 *                       is skipped; 0 waits for ever (the protocol promises contiguous seqs)
 * @param maxSeqAhead    furthest a seq may be ahead of the next seq awaited ({@code seq - next <= maxSeqAhead}; at
 *                       least the window size); a seq further ahead is rejected and counted
 *                       ({@code seq_too_far_ahead}), so one absurd seq can neither sit in the spill for ever nor,
 *                       through a gap skip, move the cursor out of reach of the real stream
 * @param maxUsers       most users the follow graph holds (a user enters with its first stored follow, on either
 *                       side, and stays); a follow that would add a user beyond it is not stored and is counted,
 *                       yet released and delivered. Connected users always get a record, outside this bound (one
 *                       per connected user, dropped with its last connection unless the user is in the graph)
 * @param maxFollows     most follow edges the graph holds; a new edge beyond it is not stored and is counted, yet
 *                       released and delivered
 */
public record PipelineConfig(int ringSize, int chunkBytes, int maxLineLength, int windowSize, long maxPending,
                             WaitStrategyKind waitStrategy, long gapTimeoutMillis, long maxSeqAhead, long maxUsers,
                             long maxFollows) {

    /** Ingress ring entries: 256 × {@link #DEFAULT_CHUNK_BYTES} = 4 MiB of heap, allocated at start. */
    public static final int DEFAULT_RING_SIZE = 256;
    /** Bytes of event lines per ring entry. */
    public static final int DEFAULT_CHUNK_BYTES = 16 * 1024;
    /** Longest event line accepted; the protocol's lines are far shorter. */
    public static final int DEFAULT_MAX_LINE_LENGTH = 1024;
    /** Resequencer window: disorder up to 131,072 seqs costs O(1). */
    public static final int DEFAULT_WINDOW_SIZE = 1 << 17;
    /** Events held back waiting for a missing seq before the gap is skipped (~140 MB of heap at most). */
    public static final long DEFAULT_MAX_PENDING = 1 << 20;
    /** No CPU while idle: right for a small shared box. */
    public static final WaitStrategyKind DEFAULT_WAIT_STRATEGY = WaitStrategyKind.BLOCKING;
    /** Wait for a missing seq for ever: the protocol promises contiguous seqs. */
    public static final long DEFAULT_GAP_TIMEOUT_MILLIS = 0;
    public static final long DEFAULT_MAX_SEQ_AHEAD = 1L << 30;
    /**
     * At most ~500 bytes of heap per user in the graph (a record, its index entry, its followees map and, when a
     * connected user follows it, its connected-follower index; ~170 bytes for users who only follow one another):
     * at most ~50 MB, which fits the launcher's 256 MiB heap next to a full spill at the default max-pending.
     */
    public static final long DEFAULT_MAX_USERS = 100_000;
    /**
     * ~33 bytes of heap per edge beyond a user's first: at most ~33 MB. Above the ~670,000 edges the load
     * generator's fan-out mix (1,000 users) settles at.
     */
    public static final long DEFAULT_MAX_FOLLOWS = 1_000_000;

    /** Every value at its {@code DEFAULT_*}. */
    public static final PipelineConfig DEFAULT = builder().build();

    public PipelineConfig {
        requirePowerOfTwo("ringSize", ringSize);
        requirePowerOfTwo("windowSize", windowSize);
        if (chunkBytes < 128) {
            throw new IllegalArgumentException("chunkBytes must be >= 128: " + chunkBytes);
        }
        if (maxLineLength < 1 || maxLineLength > chunkBytes - 2) {
            throw new IllegalArgumentException("maxLineLength must be 1.." + (chunkBytes - 2) + ": " + maxLineLength);
        }
        if (maxPending < windowSize) {
            throw new IllegalArgumentException("maxPending must be >= windowSize (" + windowSize + "): " + maxPending);
        }
        if (waitStrategy == null) {
            throw new IllegalArgumentException("waitStrategy must be set (" + WaitStrategyKind.names() + ")");
        }
        if (gapTimeoutMillis < 0) {
            throw new IllegalArgumentException("gapTimeoutMillis must be >= 0: " + gapTimeoutMillis);
        }
        if (maxSeqAhead < windowSize) {
            throw new IllegalArgumentException("maxSeqAhead must be >= windowSize (" + windowSize + "): " + maxSeqAhead);
        }
        if (maxUsers < 1 || maxFollows < 0) {
            throw new IllegalArgumentException("maxUsers must be >= 1 and maxFollows >= 0: " + maxUsers + ", " + maxFollows);
        }
    }

    /** A builder at the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    public PipelineConfig withRingSize(int v) {
        return toBuilder().ringSize(v).build();
    }

    public PipelineConfig withChunkBytes(int v) {
        return toBuilder().chunkBytes(v).build();
    }

    public PipelineConfig withMaxLineLength(int v) {
        return toBuilder().maxLineLength(v).build();
    }

    public PipelineConfig withWindowSize(int v) {
        return toBuilder().windowSize(v).build();
    }

    public PipelineConfig withMaxPending(long v) {
        return toBuilder().maxPending(v).build();
    }

    public PipelineConfig withWaitStrategy(WaitStrategyKind v) {
        return toBuilder().waitStrategy(v).build();
    }

    public PipelineConfig withGapTimeoutMillis(long v) {
        return toBuilder().gapTimeoutMillis(v).build();
    }

    public PipelineConfig withMaxSeqAhead(long v) {
        return toBuilder().maxSeqAhead(v).build();
    }

    public PipelineConfig withMaxUsers(long v) {
        return toBuilder().maxUsers(v).build();
    }

    public PipelineConfig withMaxFollows(long v) {
        return toBuilder().maxFollows(v).build();
    }

    /** A fresh wait strategy of the configured kind (each Disruptor needs its own). */
    public WaitStrategy newWaitStrategy() {
        return waitStrategy.newWaitStrategy();
    }

    private static void requirePowerOfTwo(String name, int value) {
        if (value < 2 || Integer.bitCount(value) != 1) {
            throw new IllegalArgumentException(name + " must be a power of two >= 2: " + value);
        }
    }

    /** Mutable builder; starts from the defaults. Values are checked together by {@link #build()}. */
    public static final class Builder {
        private int ringSize = DEFAULT_RING_SIZE;
        private int chunkBytes = DEFAULT_CHUNK_BYTES;
        private int maxLineLength = DEFAULT_MAX_LINE_LENGTH;
        private int windowSize = DEFAULT_WINDOW_SIZE;
        private long maxPending = DEFAULT_MAX_PENDING;
        private WaitStrategyKind waitStrategy = DEFAULT_WAIT_STRATEGY;
        private long gapTimeoutMillis = DEFAULT_GAP_TIMEOUT_MILLIS;
        private long maxSeqAhead = DEFAULT_MAX_SEQ_AHEAD;
        private long maxUsers = DEFAULT_MAX_USERS;
        private long maxFollows = DEFAULT_MAX_FOLLOWS;

        private Builder() {
        }

        private Builder(PipelineConfig c) {
            ringSize = c.ringSize;
            chunkBytes = c.chunkBytes;
            maxLineLength = c.maxLineLength;
            windowSize = c.windowSize;
            maxPending = c.maxPending;
            waitStrategy = c.waitStrategy;
            gapTimeoutMillis = c.gapTimeoutMillis;
            maxSeqAhead = c.maxSeqAhead;
            maxUsers = c.maxUsers;
            maxFollows = c.maxFollows;
        }

        public Builder ringSize(int v) { ringSize = v; return this; }
        public Builder chunkBytes(int v) { chunkBytes = v; return this; }
        public Builder maxLineLength(int v) { maxLineLength = v; return this; }
        public Builder windowSize(int v) { windowSize = v; return this; }
        public Builder maxPending(long v) { maxPending = v; return this; }
        public Builder waitStrategy(WaitStrategyKind v) { waitStrategy = v; return this; }
        public Builder gapTimeoutMillis(long v) { gapTimeoutMillis = v; return this; }
        public Builder maxSeqAhead(long v) { maxSeqAhead = v; return this; }
        public Builder maxUsers(long v) { maxUsers = v; return this; }
        public Builder maxFollows(long v) { maxFollows = v; return this; }

        /** @throws IllegalArgumentException naming the first invalid value */
        public PipelineConfig build() {
            return new PipelineConfig(ringSize, chunkBytes, maxLineLength, windowSize, maxPending, waitStrategy,
                gapTimeoutMillis, maxSeqAhead, maxUsers, maxFollows);
        }
    }
}
