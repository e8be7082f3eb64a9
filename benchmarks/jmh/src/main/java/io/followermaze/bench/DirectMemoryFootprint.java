package io.followermaze.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.internal.PlatformDependent;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What direct memory the egress reserves, and how to read it: allocates and fills direct buffers exactly the way
 * {@code ChannelSession}/{@code Egress} do ({@code ByteBufAllocator.DEFAULT.directBuffer(sizeHint)}, one
 * {@code writeBytes(line)} + {@code writeShort(CRLF)} per notification, on a Netty {@code DefaultThreadFactory}
 * thread like the pipeline's, the buffer handed off and a new one started every hand-off with
 * {@code sizeHint = min(64 KiB, max(256, bytes handed off))}), for clients that never read: every handed-off buffer
 * stays referenced, as it does in the channel's outbound buffer. Prints the allocator facts, what is reserved per
 * client as backlogs grow, and the cost of each way to read "direct memory in use".
 * <pre>
 *   java -Xmx256m -XX:+UseSerialGC -XX:MaxDirectMemorySize=256m \
 *     -cp benchmarks/jmh/target/benchmarks.jar io.followermaze.bench.DirectMemoryFootprint [clients...]
 * </pre>
 * Chunks the allocator caches after a run stay reserved and are reused by the next run in the same JVM; for figures
 * that do not depend on an earlier run, give one client count per JVM.
 * Run it with the server's flags: the adaptive allocator's chunk sizes depend on the max heap (its "low memory"
 * mode applies when the max heap is 512 MiB or less).
 */
public final class DirectMemoryFootprint {
    private static final short CRLF = ('\r' << 8) | '\n';
    private static final int MAX_SIZE_HINT = 64 * 1024;       // Egress.MAX_SIZE_HINT
    private static final int MIN_BYTES_PER_SESSION = 4096;    // Egress.MIN_BYTES_PER_SESSION
    private static final long HANDOFF_BYTES = 1 << 20;        // --handoff-bytes default
    private static final long MAX_OUTBOUND_BYTES = 8 << 20;   // --max-outbound-bytes default
    private static final BufferPoolMXBean DIRECT = directPool();

    private DirectMemoryFootprint() {
    }

    public static void main(String[] args) throws Exception {
        final int[] clients = args.length == 0 ? new int[] {1, 20, 40} : parse(args);
        // The pipeline thread is a Netty DefaultThreadFactory thread (a FastThreadLocalThread): so is this one.
        final Thread t = new DefaultThreadFactory("followermaze-pipeline", true).newThread(() -> run(clients));
        t.start();
        t.join();
    }

    private static int[] parse(String[] args) {
        final int[] n = new int[args.length];
        for (int i = 0; i < args.length; i++) {
            n[i] = Integer.parseInt(args[i]);
        }
        return n;
    }

    private static BufferPoolMXBean directPool() {
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if ("direct".equals(b.getName())) {
                return b;
            }
        }
        throw new IllegalStateException("no direct buffer pool bean");
    }

    private static void run(int[] clients) {
        facts();
        firstBuffer();
        for (int c : clients) {
            nonReadingClients(c);
        }
        readCost();
    }

    private static String vmOption(String name) {
        try {
            return ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class).getVMOption(name).getValue();
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private static void facts() {
        final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
        System.out.printf(Locale.ROOT, "# java %s; netty-buffer %s%n", System.getProperty("java.version"), nettyBufferVersion());
        System.out.printf(Locale.ROOT, "io.netty.allocator.type property: %s; ByteBufAllocator.DEFAULT: %s%n",
            System.getProperty("io.netty.allocator.type", "(unset)"), alloc.getClass().getName());
        System.out.printf(Locale.ROOT, "max heap %,d (adaptive allocator low-memory mode when <= 536,870,912: %s); "
                + "-XX:MaxDirectMemorySize=%s; PlatformDependent.maxDirectMemory() %,d%n",
            Runtime.getRuntime().maxMemory(), Runtime.getRuntime().maxMemory() <= 536_870_912L,
            vmOption("MaxDirectMemorySize"), PlatformDependent.maxDirectMemory());
        System.out.printf(Locale.ROOT, "PlatformDependent.hasUnsafe() %s; useDirectBufferNoCleaner() %s "
                + "(false: chunks are ByteBuffer.allocateDirect, reserved through java.nio.Bits against "
                + "MaxDirectMemorySize and seen by BufferPoolMXBean \"direct\"); "
                + "PlatformDependent.usedDirectMemory() %,d (Netty's own counter of what it allocated; -1 if disabled)%n",
            PlatformDependent.hasUnsafe(), PlatformDependent.useDirectBufferNoCleaner(), PlatformDependent.usedDirectMemory());
        System.out.printf(Locale.ROOT, "at start: %s%n", snapshot());
    }

    /** From the jar's Maven metadata (the shaded jar keeps only one of Netty's version files). */
    private static String nettyBufferVersion() {
        try (var in = ByteBuf.class.getResourceAsStream("/META-INF/maven/io.netty/netty-buffer/pom.properties")) {
            if (in == null) {
                return "?";
            }
            final java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version", "?");
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private static String snapshot() {
        final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
        final long metric = alloc instanceof ByteBufAllocatorMetricProvider p ? p.metric().usedDirectMemory() : -1;
        return String.format(Locale.ROOT, "JDK direct pool: %,d buffers, capacity %,d, used %,d; Netty counter %,d; "
            + "allocator metric usedDirectMemory %,d", DIRECT.getCount(), DIRECT.getTotalCapacity(), DIRECT.getMemoryUsed(),
            PlatformDependent.usedDirectMemory(), metric);
    }

    private static byte[] line() {
        return "1234567|B".getBytes(StandardCharsets.US_ASCII); // a broadcast line: 9 bytes + CRLF
    }

    private static void firstBuffer() {
        final long before = DIRECT.getMemoryUsed();
        final long countBefore = DIRECT.getCount();
        final ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(256);
        final byte[] l = line();
        b.writeBytes(l).writeShort(CRLF);
        System.out.printf(Locale.ROOT, "%nfirst directBuffer(256) on the pipeline-like thread: %s, capacity %,d; "
                + "reserved %,d bytes in %,d JDK buffer(s)%n  %s%n", b.getClass().getSimpleName(), b.capacity(),
            DIRECT.getMemoryUsed() - before, DIRECT.getCount() - countBefore, snapshot());
        b.release();
        System.out.printf(Locale.ROOT, "released: %s%n", snapshot());
    }

    /** One client's egress state: the buffer being filled and the handed-off buffers its socket never takes. */
    private static final class Client {
        ByteBuf filling;
        int sizeHint = 256;
        long queued;
        final List<ByteBuf> handedOff = new ArrayList<>();
    }

    /**
     * Broadcasts to {@code n} clients that never read, handing off as Egress does (every {@value #HANDOFF_BYTES}
     * bytes of output, and at least {@value #MIN_BYTES_PER_SESSION} per client), until each has
     * {@value #MAX_OUTBOUND_BYTES} queued (the default cut-off bound).
     */
    private static void nonReadingClients(int n) {
        System.out.printf(Locale.ROOT, "%n%d client(s) that never read; broadcasts of 11-byte notifications%n", n);
        System.out.printf(Locale.ROOT, "%14s %16s %16s %16s %10s %10s %12s %14s %14s%n", "queued/client", "queued total",
            "JDK direct used", "Netty counter", "ByteBufs", "JDK bufs", "used/queued", "used/client", "peak so far");
        final long nettyBase = PlatformDependent.usedDirectMemory();
        final long base = DIRECT.getMemoryUsed();
        final long baseCount = DIRECT.getCount();
        System.out.printf(Locale.ROOT, "(figures above the %,d bytes in %,d JDK buffers reserved before this run; "
            + "run one client count per JVM for figures independent of earlier runs)%n", base, baseCount);
        final Client[] cs = new Client[n];
        for (int i = 0; i < n; i++) {
            cs[i] = new Client();
        }
        final byte[] l = line();
        final int notification = l.length + 2;
        final long perHandoff = Math.max(HANDOFF_BYTES, (long) n * MIN_BYTES_PER_SESSION);
        long sinceHandoff = 0;
        long peak = 0;
        long nextReport = 256 * 1024;
        while (cs[0].queued < MAX_OUTBOUND_BYTES) {
            try {
                for (Client c : cs) {
                    if (c.filling == null) {
                        c.filling = ByteBufAllocator.DEFAULT.directBuffer(c.sizeHint);
                    }
                    c.filling.writeBytes(l).writeShort(CRLF);
                    c.queued += notification;
                }
            } catch (OutOfMemoryError oom) {
                System.out.printf(Locale.ROOT, "OutOfMemoryError with %,d queued for the first client, %,d reserved: %s%n",
                    cs[0].queued, DIRECT.getMemoryUsed() - base, oom.getMessage());
                break;
            }
            sinceHandoff += (long) n * notification;
            if (sinceHandoff >= perHandoff) {
                sinceHandoff = 0;
                for (Client c : cs) {
                    final int bytes = c.filling.readableBytes();
                    c.handedOff.add(c.filling);
                    c.filling = null;
                    c.sizeHint = Math.min(MAX_SIZE_HINT, Math.max(256, bytes));
                }
                peak = Math.max(peak, DIRECT.getMemoryUsed() - base);
            }
            if (cs[0].queued >= nextReport || cs[0].queued >= MAX_OUTBOUND_BYTES) {
                final long used = DIRECT.getMemoryUsed() - base;
                peak = Math.max(peak, used);
                long buffers = 0;
                for (Client c : cs) {
                    buffers += c.handedOff.size() + (c.filling == null ? 0 : 1);
                }
                final long total = cs[0].queued * n;
                System.out.printf(Locale.ROOT, "%,14d %,16d %,16d %,16d %,10d %,10d %12.3f %,14d %,14d%n", cs[0].queued,
                    total, used, PlatformDependent.usedDirectMemory() - nettyBase, buffers, DIRECT.getCount() - baseCount,
                    (double) used / total, used / n, peak);
                nextReport *= 2;
            }
        }
        for (Client c : cs) {
            if (c.filling != null) {
                c.filling.release();
            }
            for (ByteBuf b : c.handedOff) {
                b.release();
            }
        }
        System.out.printf(Locale.ROOT, "all released: JDK direct used %,d above the start of this run (%s)%n",
            DIRECT.getMemoryUsed() - base, snapshot());
    }

    /** ns per call of each way to read "direct memory in use", on this thread. */
    private static void readCost() {
        System.out.println();
        System.out.println("cost of reading direct memory in use (ns/call, 10M calls after 10M warm-up; rough: "
            + "DirectMemoryReadBenchmark measures it with JMH):");
        final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
        final ByteBufAllocatorMetricProvider metric = alloc instanceof ByteBufAllocatorMetricProvider p ? p : null;
        final int n = 10_000_000;
        for (int round = 0; round < 2; round++) {
            long sink = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += DIRECT.getMemoryUsed();
            }
            final double pool = (System.nanoTime() - t0) / (double) n;
            t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += PlatformDependent.usedDirectMemory();
            }
            final double netty = (System.nanoTime() - t0) / (double) n;
            double allocatorMetric = Double.NaN;
            if (metric != null) {
                t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    sink += metric.metric().usedDirectMemory();
                }
                allocatorMetric = (System.nanoTime() - t0) / (double) n;
            }
            if (round == 1) {
                System.out.printf(Locale.ROOT, "  BufferPoolMXBean(\"direct\").getMemoryUsed()          %8.1f%n", pool);
                System.out.printf(Locale.ROOT, "  PlatformDependent.usedDirectMemory()                 %8.1f (returns %d)%n",
                    netty, PlatformDependent.usedDirectMemory());
                System.out.printf(Locale.ROOT, "  ByteBufAllocator.DEFAULT metric().usedDirectMemory() %8.1f%n", allocatorMetric);
                System.out.println("  (sink " + (sink & 1) + ")");
            }
        }
    }
}
