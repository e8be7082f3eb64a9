package io.followermaze.server.egress;

import io.netty.util.internal.PlatformDependent;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/**
 * Direct memory in use by the whole process, as the limit that throws "Cannot reserve … bytes of direct buffer
 * memory" counts it: Netty's own counter when it allocates without the JDK's cleaner, else the JDK's "direct"
 * buffer pool. Either is one atomic read, cheap enough for once per hand-off.
 */
final class DirectMemory {
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

    static long max() {
        return PlatformDependent.maxDirectMemory();
    }
}
