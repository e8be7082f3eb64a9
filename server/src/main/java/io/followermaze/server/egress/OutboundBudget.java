package io.followermaze.server.egress;

import io.netty.util.internal.PlatformDependent;

/** The total outbound-bytes budget: configured, or by default half of what the process may hold in direct memory. */
public final class OutboundBudget {
    private OutboundBudget() {
    }

    /** @param configured bytes, or 0 for the default */
    public static long resolve(long configured) {
        return configured > 0 ? configured : PlatformDependent.maxDirectMemory() / 2;
    }
}
