package io.followermaze.server.egress;

import io.netty.util.internal.PlatformDependent;

/**
 * The total outbound-bytes budget: configured, or by default 3/8 of the process's direct-memory limit. Buffers
 * reserve up to twice the bytes they hold (capacity doubling, allocator chunks), so 3/8 keeps a full budget under
 * 3/4 of the limit, leaving the rest for event-source reads and TLS.
 */
public final class OutboundBudget {
    private OutboundBudget() {
    }

    /** @param configured bytes, or 0 for the default */
    public static long resolve(long configured) {
        return configured > 0 ? configured : PlatformDependent.maxDirectMemory() / 8 * 3;
    }
}
