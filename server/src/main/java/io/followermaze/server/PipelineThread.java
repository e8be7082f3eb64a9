package io.followermaze.server;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where the sequence-route stage runs ({@code --pipeline-thread}).
 * <p>
 * On a thread of its own, an event crosses three threads in the server: the event loop reads it into the ring, the
 * pipeline thread routes it and hands the bytes back, the event loop writes them. Each crossing is a wake-up, and on
 * a box with few cores a woken thread can wait milliseconds for one. On the event loop, the loop that read the
 * source routes the event and writes it in the same turn: one thread, no hand-over, and the pipeline uses no core
 * of its own; but reading, routing and writing then share that one core.
 */
public enum PipelineThread {
    /** A Disruptor thread of its own, waiting with {@code --wait-strategy}: the stages overlap with the I/O. */
    OWN,
    /** The first event loop's thread: polls the ring in its own turn. Single node, no journal. */
    EVENT_LOOP;

    private final String configName = name().toLowerCase(Locale.ROOT).replace('_', '-');

    public String configName() {
        return configName;
    }

    @Override
    public String toString() {
        return configName;
    }

    /** @throws IllegalArgumentException naming the valid values */
    public static PipelineThread parse(String name) {
        if (name != null) {
            for (PipelineThread p : values()) {
                if (p.configName.equalsIgnoreCase(name.trim().replace('_', '-'))) {
                    return p;
                }
            }
        }
        throw new IllegalArgumentException("unknown pipeline thread '" + name + "' (" + names("|") + ")");
    }

    public static String names(String separator) {
        return Arrays.stream(values()).map(PipelineThread::configName).collect(Collectors.joining(separator));
    }
}
