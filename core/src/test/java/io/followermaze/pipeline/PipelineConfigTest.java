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
            .withMaxPending(5000).withWaitStrategy("yielding");
        assertEquals(new PipelineConfig(64, 4096, 200, 1024, 5000, "yielding"), c);
        assertEquals(D, D.withRingSize(D.ringSize()));
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
        assertInstanceOf(BlockingWaitStrategy.class, D.withWaitStrategy("blocking").newWaitStrategy());
        assertInstanceOf(LiteBlockingWaitStrategy.class, D.withWaitStrategy("lite-blocking").newWaitStrategy());
        assertInstanceOf(SleepingWaitStrategy.class, D.withWaitStrategy("sleeping").newWaitStrategy());
        assertInstanceOf(YieldingWaitStrategy.class, D.withWaitStrategy("Yielding").newWaitStrategy());
        assertInstanceOf(BusySpinWaitStrategy.class, D.withWaitStrategy("BUSY-SPIN").newWaitStrategy());
        assertNotSame(D.newWaitStrategy(), D.newWaitStrategy(), "each Disruptor needs its own");
        assertThrows(IllegalArgumentException.class, () -> D.withWaitStrategy("spinning"));
        assertThrows(IllegalArgumentException.class, () -> D.withWaitStrategy(null));
    }
}
