package io.followermaze.server.egress;

import io.netty.util.internal.PlatformDependent;

/**
 * The total outbound-bytes budget: configured, or by default 1/4 of the process's direct-memory limit. Buffers
 * reserve 1.0 to 2.4 times the bytes they hold (capacity doubling, allocator chunks: 2.3 measured with 1,000
 * clients that do not read), so a full budget stays near 1/2 of the limit, below the 3/4 at which
 * {@link Egress} cuts off non-draining clients whatever the count says, and leaves room for event-source reads and TLS.
 */
public final class OutboundBudget {
    private OutboundBudget() {
    }

    /** @param configured bytes, or 0 for the default */
    public static long resolve(long configured) {
        return configured > 0 ? configured : PlatformDependent.maxDirectMemory() / 4;
    }
}
