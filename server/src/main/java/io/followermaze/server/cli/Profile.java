package io.followermaze.server.cli;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Named performance presets, in the manner of exchange-core's named configurations: each sets a few
 * options; anything set by flag, environment or file still wins.
 */
public enum Profile {
    /**
     * The defaults: the pipeline thread blocks when idle (the {@code blocking} wait strategy: no CPU until input
     * arrives), moderate batches. Right for a small shared box.
     */
    BALANCED(Map.of()),
    /** Smaller chunks and hand-offs so each notification leaves sooner; the pipeline yields instead of blocking. */
    LOW_LATENCY(ordered(
        "wait-strategy", "yielding",
        "chunk-bytes", "4096",
        "handoff-bytes", "65536",
        "client-high-water-mark", "131072")),
    /** Bigger chunks, ring and hand-offs: fewer wake-ups and syscalls per event. */
    THROUGHPUT(ordered(
        "wait-strategy", "blocking",
        "ring-size", "1024",
        "chunk-bytes", "65536",
        "window-size", "262144",
        "handoff-bytes", "4194304",
        "client-high-water-mark", "1048576",
        "max-outbound-bytes", "33554432"));

    private final Map<String, String> options;

    Profile(Map<String, String> options) {
        this.options = options;
    }

    /** @return the value this preset gives the option (name without dashes), or null */
    public String optionValue(String option) {
        return options.get(option);
    }

    public String displayName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Profile parse(String name) {
        for (Profile p : values()) {
            if (p.displayName().equalsIgnoreCase(name.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown profile '" + name + "' (balanced, low-latency, throughput)");
    }

    /** The preset table for {@code --help}. */
    public static String table() {
        final StringBuilder sb = new StringBuilder("Profiles (--profile; flags, environment and file still win):%n");
        for (Profile p : values()) {
            sb.append("  ").append(p.displayName()).append(p.options.isEmpty() ? ": the defaults above" : ":").append("%n");
            p.options.forEach((k, v) -> sb.append(String.format("      --%s=%s%%n", k, v)));
        }
        return sb.toString();
    }

    private static Map<String, String> ordered(String... kv) {
        final Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
