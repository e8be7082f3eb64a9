package io.followermaze.server.egress;

import io.netty.util.internal.PlatformDependent;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/**
 * Direct memory in use by the whole process, as the limit that throws "Cannot reserve … bytes of direct buffer
 * memory" counts it: Netty's own counter when it allocates without the JDK's cleaner, else the JDK's "direct"
 * buffer pool. Either is one atomic read, cheap enough for once per hand-off.
 */
public final class DirectMemory {
    private static final BufferPoolMXBean JDK_DIRECT = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)
        .stream().filter(p -> p.getName().equals("direct")).findFirst().orElse(null);

    private DirectMemory() {
    }

    /** @return bytes of direct memory reserved now, or -1 when neither count is available */
    static long used() {
        final long netty = PlatformDependent.usedDirectMemory();
        if (netty >= 0) {
            return netty;
        }
        return JDK_DIRECT == null ? -1 : JDK_DIRECT.getMemoryUsed();
    }

    /** The error says direct memory ran out (not the heap, which is fatal). */
    static boolean isDirectMemoryError(OutOfMemoryError e) {
        return e instanceof io.netty.util.internal.OutOfDirectMemoryError
            || String.valueOf(e.getMessage()).contains("direct");
    }

    /** The process's direct-memory limit. */
    public static long max() {
        return PlatformDependent.maxDirectMemory();
    }

    /**
     * The total outbound-bytes budget: {@code configured}, or by default 1/4 of the direct-memory limit. Buffers
     * reserve 1.0 to 2.4 times the bytes they hold (capacity doubling, allocator chunks: 2.3 measured with 1,000
     * clients that do not read), so a full budget stays near 1/2 of the limit, below the 3/4 at which {@link Egress}
     * cuts off non-draining clients whatever the count says, and leaves room for event-source reads and TLS.
     *
     * @param configured bytes, or 0 for the default
     */
    public static long outboundBudget(long configured) {
        return configured > 0 ? configured : max() / 4;
    }
}
