package io.followermaze.server;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * How many client connections may be open at once: {@code --max-clients}, clamped to what the process's
 * file-descriptor limit leaves once everything else the server holds open is reserved. Without the clamp a cap
 * above the fd limit never fires, and the accept that runs out of descriptors fails with EMFILE instead.
 * <p>
 * The reserve ({@link #reserve}) is one descriptor per event source allowed ({@code --max-event-sources}), four per
 * event loop (the io loops and the accept loop: epoll, eventfd and timerfd, or a selector and its pipe), and a fixed
 * {@value #FIXED_RESERVE} for the rest: the two listeners, the metrics listener and its connections (16 by
 * default), the JVM's own files (its modules image, the jar, stdio, /dev/random, a pipe: about 10), and room to
 * spare. Measured: {@code serve} with the metrics port holds 18 descriptors before any connection.
 *
 * @param configured {@code --max-clients}; {@link #AUTO} (0) for as many as the fd limit allows
 * @param fdLimit    the process's file-descriptor limit; {@link #UNKNOWN} where the platform does not tell
 * @param reserve    descriptors kept for everything but clients
 * @param effective  the cap that applies: {@code min(configured, fdLimit - reserve)}, at least 1
 */
public record ClientCap(int configured, long fdLimit, int reserve, int effective) {
    /** {@code --max-clients 0}: as many as the fd limit allows (the default). */
    public static final int AUTO = 0;
    /** With {@link #AUTO} where the fd limit is not known. */
    public static final int CAP_WHEN_LIMIT_UNKNOWN = 50_000;
    /** The fd limit is not known (not a Unix JVM): the configured cap applies as it is. */
    public static final long UNKNOWN = -1;
    /** Descriptors reserved for listeners, the metrics port, the JVM's own files and transient sockets. */
    public static final int FIXED_RESERVE = 128;
    /** Descriptors reserved per event loop (the io loops and the accept loop). */
    public static final int PER_EVENT_LOOP = 4;

    /** @return the descriptors to keep for all but client connections */
    public static int reserve(int maxEventSources, int ioThreads) {
        final long r = (long) maxEventSources + (long) PER_EVENT_LOOP * (ioThreads + 1) + FIXED_RESERVE;
        return (int) Math.min(Integer.MAX_VALUE, r);
    }

    /** The pure rule: {@code min(configured, fdLimit - reserve)}, at least 1; {@code configured} if the limit is unknown. */
    public static ClientCap compute(int configured, long fdLimit, int reserve) {
        if (fdLimit <= 0) {
            return new ClientCap(configured, UNKNOWN, reserve, configured == AUTO ? CAP_WHEN_LIMIT_UNKNOWN : configured);
        }
        final long room = Math.max(1, fdLimit - reserve);
        final long wanted = configured == AUTO ? Integer.MAX_VALUE : configured;
        return new ClientCap(configured, fdLimit, reserve, (int) Math.min(wanted, room));
    }

    /** The cap for {@code config} under this process's fd limit. */
    public static ClientCap of(ServerConfig config, long fdLimit) {
        return compute(config.maxClients(), fdLimit, reserve(config.maxEventSources(), config.ioThreads()));
    }

    /** @return true when the fd limit lowered the configured cap */
    public boolean clamped() {
        return configured != AUTO && effective < configured;
    }

    /**
     * @return this process's file-descriptor limit ({@code ulimit -n} as the JVM left it: on Linux it raises the
     *         soft limit to the hard one at start), or {@link #UNKNOWN}
     */
    public static long processFdLimit() {
        try {
            final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
                final long limit = unix.getMaxFileDescriptorCount();
                return limit > 0 ? limit : UNKNOWN;
            }
        } catch (LinkageError noJdkManagementModule) {
            // a runtime image without jdk.management: the limit is not known
        }
        return UNKNOWN;
    }
}
