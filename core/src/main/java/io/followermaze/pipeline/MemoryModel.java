package io.followermaze.pipeline;

/**
 * What the pipeline's heap budgets cost at most, from measurements (benchmarks' {@code MemoryFootprint}, JDK 17,
 * compressed oops, serial collector): the figure to size {@code -Xmx} by, and what the server checks at start.
 * <pre>
 *   heap ≥ 1.5 × (fixed + users × 270 B + follows × 93 B + maxPending × 140 B)
 * </pre>
 * 270 B is a user that follows someone (record, index slot, its first followee map); 93 B an edge whose follower
 * is connected (37 B otherwise); 140 B a held event in the spill at its peak while the spill doubles (104 B once
 * full); fixed is the idle server with the window and ring. The factor 1.5: the serial collector's old generation
 * is 2/3 of the heap and must hold the largest array being copied.
 */
public final class MemoryModel {
    public static final long FIXED_BYTES = 18_100_000;
    public static final long BYTES_PER_USER = 270;
    public static final long BYTES_PER_FOLLOW = 93;
    public static final long BYTES_PER_PENDING = 140;
    /** Held payloads longer than 38 bytes go to an overflow array allocated once. */
    public static final long LONG_PAYLOAD_OVERFLOW_BYTES = 8L * 1024 * 1024;

    private MemoryModel() {
    }

    /** Live heap the budgets of {@code config} may need at most. */
    public static long liveBytes(PipelineConfig config) {
        return FIXED_BYTES + LONG_PAYLOAD_OVERFLOW_BYTES + config.maxUsers() * BYTES_PER_USER
            + config.maxFollows() * BYTES_PER_FOLLOW + config.maxPending() * BYTES_PER_PENDING;
    }

    /** The {@code -Xmx} that holds {@link #liveBytes} under the serial collector. */
    public static long heapBytes(PipelineConfig config) {
        return liveBytes(config) / 2 * 3;
    }
}
