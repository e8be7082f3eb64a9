package io.followermaze.server.cli;

import io.followermaze.server.PipelineThread;
import io.followermaze.server.ServerConfig;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Named performance presets, in the manner of exchange-core's named configurations: each changes a few values of
 * a {@link ServerConfig}, from code ({@code Profile.THROUGHPUT.apply(ServerConfig.DEFAULT)}) or through
 * {@code serve --profile}, where anything set by flag, environment or file still wins (the profile only replaces the
 * built-in defaults, see {@link ConfigDefaults}). What a profile sets, as options, is derived from what it changes
 * ({@link ServeOptions#changedBy}), so the help table can not drift from the code.
 */
public enum Profile implements UnaryOperator<ServerConfig> {
    /**
     * The defaults: the pipeline thread blocks when idle (the {@code blocking} wait strategy: no CPU until input
     * arrives), moderate batches. Right for a small shared box.
     */
    BALANCED(b -> { }),
    /**
     * Smaller chunks and hand-offs so each notification leaves sooner, and the pipeline on the event loop: the thread
     * that reads an event routes and writes it, with no wake-up of a second thread. (It used to keep a pipeline
     * thread that yields instead of blocking: no lower latency on the 2-core box, at up to 4.9 times the CPU.)
     */
    LOW_LATENCY(b -> b
        .handoffBytes(64 * 1024)
        .clientHighWaterMark(128 * 1024)
        .pipelineThread(PipelineThread.EVENT_LOOP)
        .pipeline(p -> p.chunkBytes(4 * 1024))),
    /** Bigger chunks, ring and hand-offs: fewer wake-ups and syscalls per event; blocks when idle as the default. */
    THROUGHPUT(b -> b
        .clientHighWaterMark(1024 * 1024)
        .maxOutboundBytes(32L * 1024 * 1024)
        .handoffBytes(4L * 1024 * 1024)
        .pipeline(p -> p.ringSize(1024).chunkBytes(64 * 1024).windowSize(1 << 18)));

    private final Consumer<ServerConfig.Builder> changes;

    Profile(Consumer<ServerConfig.Builder> changes) {
        this.changes = changes;
    }

    /** {@code config} with this preset's values in place of its own. */
    @Override
    public ServerConfig apply(ServerConfig config) {
        final ServerConfig.Builder b = config.toBuilder();
        changes.accept(b);
        return b.build();
    }

    /** The name in configuration: lowercase, hyphenated ({@code low-latency}). */
    public String displayName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @Override
    public String toString() {
        return displayName();
    }

    /** @throws IllegalArgumentException naming the valid profiles */
    public static Profile parse(String name) {
        for (Profile p : values()) {
            if (p.displayName().equalsIgnoreCase(name.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown profile '" + name + "' (" + names() + ")");
    }

    /** The valid names, comma separated. */
    public static String names() {
        return Arrays.stream(values()).map(Profile::displayName).collect(Collectors.joining(", "));
    }

    /** The preset table for {@code --help}. */
    public static String table() {
        final StringBuilder sb = new StringBuilder("Profiles (--profile; flags, environment and file still win):%n");
        for (Profile p : values()) {
            final var changed = ServeOptions.changedBy(p);
            sb.append("  ").append(p.displayName()).append(changed.isEmpty() ? ": the defaults above" : ":").append("%n");
            changed.forEach((k, v) -> sb.append(String.format("      --%s=%s%%n", k, v)));
        }
        return sb.toString();
    }
}
