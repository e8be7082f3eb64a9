package io.followermaze.pipeline;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.LiteBlockingWaitStrategy;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PipelineConfigTest {
    private static final PipelineConfig D = PipelineConfig.DEFAULT;

    @Test
    void defaultIsValidAndWithersChangeOneField() {
        final PipelineConfig c = D.withRingSize(64).withChunkBytes(4096).withMaxLineLength(200).withWindowSize(1024)
            .withMaxPending(5000).withWaitStrategy(WaitStrategyKind.YIELDING);
        assertEquals(PipelineConfig.builder().ringSize(64).chunkBytes(4096).maxLineLength(200).windowSize(1024)
            .maxPending(5000).waitStrategy(WaitStrategyKind.YIELDING).build(), c);
        assertEquals(D, D.withRingSize(D.ringSize()));
        assertEquals(D, PipelineConfig.builder().build());
    }

    @Test
    void defaultsAreTheDocumentedConstants() {
        assertEquals(PipelineConfig.DEFAULT_RING_SIZE, D.ringSize());
        assertEquals(PipelineConfig.DEFAULT_CHUNK_BYTES, D.chunkBytes());
        assertEquals(PipelineConfig.DEFAULT_MAX_LINE_LENGTH, D.maxLineLength());
        assertEquals(PipelineConfig.DEFAULT_WINDOW_SIZE, D.windowSize());
        assertEquals(PipelineConfig.DEFAULT_MAX_PENDING, D.maxPending());
        assertEquals(PipelineConfig.DEFAULT_WAIT_STRATEGY, D.waitStrategy());
        assertEquals(PipelineConfig.DEFAULT_GAP_TIMEOUT_MILLIS, D.gapTimeoutMillis());
        assertEquals(PipelineConfig.DEFAULT_MAX_SEQ_AHEAD, D.maxSeqAhead());
        assertEquals(PipelineConfig.DEFAULT_MAX_USERS, D.maxUsers());
        assertEquals(PipelineConfig.DEFAULT_MAX_FOLLOWS, D.maxFollows());
    }

    @Test
    void valuesOnlyValidTogetherGoThroughTheBuilder() {
        // a wither checks at once: a window above the default max-pending is invalid on its own
        assertThrows(IllegalArgumentException.class, () -> D.withWindowSize(1 << 21));
        final PipelineConfig c = D.toBuilder().windowSize(1 << 21).maxPending(1 << 22).maxSeqAhead(1L << 31).build();
        assertEquals(1 << 21, c.windowSize());
    }

    @Test
    void rejectsInvalidSizes() {
        assertThrows(IllegalArgumentException.class, () -> D.withRingSize(100));
        assertThrows(IllegalArgumentException.class, () -> D.withRingSize(1));
        assertThrows(IllegalArgumentException.class, () -> D.withWindowSize(3));
        assertThrows(IllegalArgumentException.class, () -> D.withWindowSize(0));
        assertThrows(IllegalArgumentException.class, () -> D.withMaxLineLength(100).withChunkBytes(127));
        assertThrows(IllegalArgumentException.class, () -> D.withMaxLineLength(0));
        assertThrows(IllegalArgumentException.class, () -> D.withMaxLineLength(D.chunkBytes() - 1));
        D.withMaxLineLength(D.chunkBytes() - 2);
        assertThrows(IllegalArgumentException.class, () -> D.withMaxPending(D.windowSize() - 1));
        D.withMaxPending(D.windowSize());
    }

    @Test
    void waitStrategiesByName() {
        assertInstanceOf(BlockingWaitStrategy.class, D.withWaitStrategy(parse("blocking")).newWaitStrategy());
        assertInstanceOf(LiteBlockingWaitStrategy.class, D.withWaitStrategy(parse("lite-blocking")).newWaitStrategy());
        assertInstanceOf(SleepingWaitStrategy.class, D.withWaitStrategy(parse("sleeping")).newWaitStrategy());
        assertInstanceOf(YieldingWaitStrategy.class, D.withWaitStrategy(parse("Yielding")).newWaitStrategy());
        assertInstanceOf(BusySpinWaitStrategy.class, D.withWaitStrategy(parse("BUSY-SPIN")).newWaitStrategy());
        assertEquals(WaitStrategyKind.BUSY_SPIN, parse("busy_spin"));
        assertNotSame(D.newWaitStrategy(), D.newWaitStrategy(), "each Disruptor needs its own");
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("spinning"));
        assertEquals("unknown wait strategy 'spinning' (blocking, lite-blocking, sleeping, yielding, busy-spin)",
            e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> parse(null));
        assertThrows(IllegalArgumentException.class, () -> D.withWaitStrategy(null));
        for (WaitStrategyKind k : WaitStrategyKind.values()) {
            assertEquals(k, parse(k.toString()), "the name shown is the name accepted");
        }
    }

    private static WaitStrategyKind parse(String name) {
        return WaitStrategyKind.parse(name);
    }
}
