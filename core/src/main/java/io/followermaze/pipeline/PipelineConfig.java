package io.followermaze.pipeline;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.LiteBlockingWaitStrategy;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;

import java.util.Locale;

/**
 * Sizes, policies and memory budgets of the pipeline. Immutable; {@link #DEFAULT} suits a small (2-core) box.
 *
 * @param ringSize       ingress ring entries (power of two)
 * @param chunkBytes     bytes of event lines one ring entry carries; lines longer than this can not be carried
 * @param maxLineLength  longest event line accepted (without line end); at most {@code chunkBytes - 2}
 * @param windowSize     resequencer window (power of two): disorder up to this distance costs O(1)
 * @param maxPending     most events held back waiting for a missing seq before the gap is skipped
 * @param waitStrategy   how the pipeline thread waits: blocking, lite-blocking, sleeping, yielding, busy-spin
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
                             String waitStrategy, long gapTimeoutMillis, long maxSeqAhead, long maxUsers,
                             long maxFollows) {

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

    public static final PipelineConfig DEFAULT =
        new PipelineConfig(256, 16 * 1024, 1024, 1 << 17, 1 << 20, "blocking", 0);

    /** Without a gap timeout; default seq, user and follow bounds. */
    public PipelineConfig(int ringSize, int chunkBytes, int maxLineLength, int windowSize, long maxPending,
                          String waitStrategy) {
        this(ringSize, chunkBytes, maxLineLength, windowSize, maxPending, waitStrategy, 0);
    }

    /** Default seq, user and follow bounds. */
    public PipelineConfig(int ringSize, int chunkBytes, int maxLineLength, int windowSize, long maxPending,
                          String waitStrategy, long gapTimeoutMillis) {
        this(ringSize, chunkBytes, maxLineLength, windowSize, maxPending, waitStrategy, gapTimeoutMillis,
            DEFAULT_MAX_SEQ_AHEAD, DEFAULT_MAX_USERS, DEFAULT_MAX_FOLLOWS);
    }

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
        newWaitStrategy(waitStrategy); // validates the name
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

    public PipelineConfig withRingSize(int v) {
        return new PipelineConfig(v, chunkBytes, maxLineLength, windowSize, maxPending, waitStrategy, gapTimeoutMillis,
            maxSeqAhead, maxUsers, maxFollows);
    }

    public PipelineConfig withChunkBytes(int v) {
        return new PipelineConfig(ringSize, v, maxLineLength, windowSize, maxPending, waitStrategy, gapTimeoutMillis,
            maxSeqAhead, maxUsers, maxFollows);
    }

    public PipelineConfig withMaxLineLength(int v) {
        return new PipelineConfig(ringSize, chunkBytes, v, windowSize, maxPending, waitStrategy, gapTimeoutMillis,
            maxSeqAhead, maxUsers, maxFollows);
    }

    public PipelineConfig withWindowSize(int v) {
        return new PipelineConfig(ringSize, chunkBytes, maxLineLength, v, maxPending, waitStrategy, gapTimeoutMillis,
            maxSeqAhead, maxUsers, maxFollows);
    }

    public PipelineConfig withMaxPending(long v) {
        return new PipelineConfig(ringSize, chunkBytes, maxLineLength, windowSize, v, waitStrategy, gapTimeoutMillis,
            maxSeqAhead, maxUsers, maxFollows);
    }

    public PipelineConfig withWaitStrategy(String v) {
        return new PipelineConfig(ringSize, chunkBytes, maxLineLength, windowSize, maxPending, v, gapTimeoutMillis,
            maxSeqAhead, maxUsers, maxFollows);
    }

    public PipelineConfig withGapTimeoutMillis(long v) {
        return new PipelineConfig(ringSize, chunkBytes, maxLineLength, windowSize, maxPending, waitStrategy, v,
            maxSeqAhead, maxUsers, maxFollows);
    }

    public PipelineConfig withMaxSeqAhead(long v) {
        return new PipelineConfig(ringSize, chunkBytes, maxLineLength, windowSize, maxPending, waitStrategy,
            gapTimeoutMillis, v, maxUsers, maxFollows);
    }

    public PipelineConfig withMaxUsers(long v) {
        return new PipelineConfig(ringSize, chunkBytes, maxLineLength, windowSize, maxPending, waitStrategy,
            gapTimeoutMillis, maxSeqAhead, v, maxFollows);
    }

    public PipelineConfig withMaxFollows(long v) {
        return new PipelineConfig(ringSize, chunkBytes, maxLineLength, windowSize, maxPending, waitStrategy,
            gapTimeoutMillis, maxSeqAhead, maxUsers, v);
    }

    /** A fresh wait strategy of the configured kind (each Disruptor needs its own). */
    public WaitStrategy newWaitStrategy() {
        return newWaitStrategy(waitStrategy);
    }

    private static WaitStrategy newWaitStrategy(String name) {
        switch (name == null ? "" : name.toLowerCase(Locale.ROOT)) {
            case "blocking":
                return new BlockingWaitStrategy();
            case "lite-blocking":
                return new LiteBlockingWaitStrategy();
            case "sleeping":
                return new SleepingWaitStrategy();
            case "yielding":
                return new YieldingWaitStrategy();
            case "busy-spin":
                return new BusySpinWaitStrategy();
            default:
                throw new IllegalArgumentException(
                    "unknown wait strategy '" + name + "' (blocking, lite-blocking, sleeping, yielding, busy-spin)");
        }
    }

    private static void requirePowerOfTwo(String name, int value) {
        if (value < 2 || Integer.bitCount(value) != 1) {
            throw new IllegalArgumentException(name + " must be a power of two >= 2: " + value);
        }
    }
}
