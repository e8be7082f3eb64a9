package io.followermaze.pipeline;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.LiteBlockingWaitStrategy;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * How the pipeline thread waits for input: the Disruptor wait strategies the server offers. Each constant has the
 * lowercase, hyphenated name users type ({@code --wait-strategy busy-spin}), which is also its {@link #toString()}.
 */
public enum WaitStrategyKind {
    /** Parks on a lock and condition until a producer signals: no CPU while idle, a wake-up per batch. */
    BLOCKING(BlockingWaitStrategy::new),
    /** Like {@link #BLOCKING} but signals only when the consumer is actually waiting. */
    LITE_BLOCKING(LiteBlockingWaitStrategy::new),
    /** Spins, then yields, then sleeps briefly: little CPU while idle, slower first event after a pause. */
    SLEEPING(SleepingWaitStrategy::new),
    /** Spins, then yields the core: low latency, a busy core while idle. */
    YIELDING(YieldingWaitStrategy::new),
    /** Spins without pause: lowest latency, a whole core for ever. */
    BUSY_SPIN(BusySpinWaitStrategy::new);

    private final Supplier<WaitStrategy> factory;
    private final String configName;

    WaitStrategyKind(Supplier<WaitStrategy> factory) {
        this.factory = factory;
        this.configName = name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** A fresh wait strategy of this kind (each Disruptor needs its own). */
    public WaitStrategy newWaitStrategy() {
        return factory.get();
    }

    /** The name in configuration: lowercase, hyphenated ({@code busy-spin}). */
    public String configName() {
        return configName;
    }

    @Override
    public String toString() {
        return configName;
    }

    /**
     * @param name a {@link #configName()}, case-insensitive; the constant's own name ({@code BUSY_SPIN}) is accepted too
     * @throws IllegalArgumentException naming the valid values
     */
    public static WaitStrategyKind parse(String name) {
        if (name != null) {
            final String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            for (WaitStrategyKind k : values()) {
                if (k.configName.equals(n)) {
                    return k;
                }
            }
        }
        throw new IllegalArgumentException("unknown wait strategy '" + name + "' (" + names() + ")");
    }

    /** The valid names, comma separated, in declaration order. */
    public static String names() {
        return Arrays.stream(values()).map(WaitStrategyKind::configName).collect(Collectors.joining(", "));
    }
}
