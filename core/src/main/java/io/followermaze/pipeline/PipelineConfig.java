package io.followermaze.pipeline;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.LiteBlockingWaitStrategy;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;

import java.util.Locale;

/**
 * Sizes and policies of the pipeline. Immutable; {@link #DEFAULT} suits a small (2-core) box.
 *
 * @param ringSize       ingress ring entries (power of two)
 * @param chunkBytes     bytes of event lines one ring entry carries; lines longer than this can not be carried
 * @param maxLineLength  longest event line accepted (without line end); at most {@code chunkBytes - 2}
 * @param windowSize     resequencer window (power of two): disorder up to this distance costs O(1)
 * @param maxPending     most events held back waiting for a missing seq before the gap is skipped
 * @param waitStrategy   how the pipeline thread waits: blocking, lite-blocking, sleeping, yielding, busy-spin
 * @param gapTimeoutMillis how long the stream may wait for a missing seq while later ones are held before the gap
 *                       is skipped; 0 waits for ever (the protocol promises contiguous seqs)
 */
public record PipelineConfig(int ringSize, int chunkBytes, int maxLineLength, int windowSize, long maxPending,
                             String waitStrategy, long gapTimeoutMillis) {

    public static final PipelineConfig DEFAULT =
        new PipelineConfig(256, 16 * 1024, 1024, 1 << 17, 1 << 20, "blocking", 0);

    /** Without a gap timeout. */
    public PipelineConfig(int ringSize, int chunkBytes, int maxLineLength, int windowSize, long maxPending,
                          String waitStrategy) {
        this(ringSize, chunkBytes, maxLineLength, windowSize, maxPending, waitStrategy, 0);
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
    }

    public PipelineConfig withRingSize(int v) {
        return new PipelineConfig(v, chunkBytes, maxLineLength, windowSize, maxPending, waitStrategy, gapTimeoutMillis);
    }

    public PipelineConfig withChunkBytes(int v) {
        return new PipelineConfig(ringSize, v, maxLineLength, windowSize, maxPending, waitStrategy, gapTimeoutMillis);
    }

    public PipelineConfig withMaxLineLength(int v) {
        return new PipelineConfig(ringSize, chunkBytes, v, windowSize, maxPending, waitStrategy, gapTimeoutMillis);
    }

    public PipelineConfig withWindowSize(int v) {
        return new PipelineConfig(ringSize, chunkBytes, maxLineLength, v, maxPending, waitStrategy, gapTimeoutMillis);
    }

    public PipelineConfig withMaxPending(long v) {
        return new PipelineConfig(ringSize, chunkBytes, maxLineLength, windowSize, v, waitStrategy, gapTimeoutMillis);
    }

    public PipelineConfig withWaitStrategy(String v) {
        return new PipelineConfig(ringSize, chunkBytes, maxLineLength, windowSize, maxPending, v, gapTimeoutMillis);
    }

    public PipelineConfig withGapTimeoutMillis(long v) {
        return new PipelineConfig(ringSize, chunkBytes, maxLineLength, windowSize, maxPending, waitStrategy, v);
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
