package io.followermaze.bench;

import io.followermaze.graph.FollowerGraph;
import io.followermaze.pipeline.PipelineConfig;
import io.followermaze.protocol.Event;
import io.followermaze.resequencer.Resequencer;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Measures the retained heap of the pipeline's data structures, built with the real classes: the follow graph
 * ({@link FollowerGraph}) and the resequencer ({@link Resequencer}: window and spill). Not a JMH benchmark; a plain
 * main, so that every figure in the README's memory model can be reproduced:
 * <pre>
 *   java -Xmx4g -XX:+UseSerialGC -cp benchmarks/jmh/target/benchmarks.jar io.followermaze.bench.MemoryFootprint
 *   java -Xmx256m -XX:+UseSerialGC -cp ... io.followermaze.bench.MemoryFootprint oom-fresh [firstId]
 *   java -Xmx256m -XX:+UseSerialGC -cp ... io.followermaze.bench.MemoryFootprint oom-dense rows|lockstep [connected]
 *   java -Xmx256m -XX:+UseSerialGC -cp ... io.followermaze.bench.MemoryFootprint spill-fill K [maxPending]
 * </pre>
 * {@code -Dfootprint.ballastMb=N} holds N MiB for the whole run (e.g. an idle server's live heap, to see where the
 * thresholds fall inside a server).
 * <p>
 * Method: "retained" is the heap in use after full collections (MemoryMXBean heap used, the least over a round of
 * System.gc() calls, repeated until stable: see {@link #settledHeapUsed()}) with the structure strongly reachable,
 * minus the same figure before it was built. Use the serial collector (the launcher's): a full compaction leaves
 * its used-bytes figure exact, where G1 rounds humongous arrays up to whole regions.
 * <p>
 * Modes:
 * <ul>
 *   <li>{@code all} (default): the retained-heap tables of the follow graph (fresh-id follows, users by role,
 *       edges among 3,000 users with and without connected followers) and of the resequencer (window, spill,
 *       spill growth); {@code graph} or {@code resequencer} for one half. Needs a large heap (-Xmx4g).</li>
 *   <li>{@code oom-fresh [firstId]}: follows between fresh ids ({@code firstId+2i -> firstId+2i+1}) until
 *       OutOfMemoryError; prints how many fitted. Run with the launcher's heap flags.</li>
 *   <li>{@code oom-dense rows|lockstep [connected]}: edges among 3,000 users until OutOfMemoryError (or all
 *       3000 x 2999 fit). {@code rows}: each user follows everyone before the next user starts; {@code lockstep}:
 *       edge k goes to follower k mod 3000, so all followee maps grow together. {@code connected}: every user is
 *       connected first, so the connected-follower index is built too.</li>
 *   <li>{@code spill-fill K [maxPending]}: holds K events in a default-sized resequencer's spill; prints whether it
 *       fitted. With a small -Xmx this shows the peak during the spill's doubling.</li>
 * </ul>
 */
public final class MemoryFootprint {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private static final int DENSE_USERS = 3000;
    /** Ids at or above 2^16 are kept in the graph's hash map; below, in its array. */
    private static final long LARGE_ID_BASE = 1_000_000_000L;
    private static final int WINDOW = PipelineConfig.DEFAULT_WINDOW_SIZE;
    private static final long MAX_PENDING = PipelineConfig.DEFAULT_MAX_PENDING;
    /** EventSlots.COMPACT_STRIDE (package-private there): 26-byte header + 61-byte longest payload, rounded to 8. */
    private static final int SPILL_STRIDE = 88;

    /** -Dfootprint.ballastMb=N: heap held for the whole run, as the rest of the server would hold it. */
    private static byte[] ballast;

    /** What is being measured: strongly reachable while the heap is read. */
    private static volatile Object keep;

    private MemoryFootprint() {
    }

    public static void main(String[] args) {
        final String mode = args.length > 0 ? args[0] : "all";
        header();
        final int ballastMb = Integer.getInteger("footprint.ballastMb", 0);
        if (ballastMb > 0) {
            // stands in for the rest of a running server's heap (the idle server's live heap, measured separately)
            ballast = new byte[ballastMb << 20];
            System.out.printf(Locale.ROOT, "# ballast: %,d bytes held for the whole run%n", ballast.length);
        }
        switch (mode) {
            case "all" -> {
                warmUp();
                graphFresh();
                graphShapes();
                graphDense();
                resequencer();
            }
            case "graph" -> {
                warmUp();
                graphFresh();
                graphShapes();
                graphDense();
            }
            case "resequencer" -> {
                warmUp();
                resequencer();
            }
            case "oom-fresh" -> oomFresh(args.length > 1 ? Long.parseLong(args[1]) : 1);
            case "oom-dense" -> oomDense(args.length > 1 ? args[1] : "rows", args.length > 2 && "connected".equals(args[2]));
            case "spill-fill" -> spillFill(Integer.parseInt(args[1]), args.length > 2 ? Long.parseLong(args[2]) : MAX_PENDING);
            default -> {
                System.err.println("unknown mode " + mode + " (all, graph, resequencer, oom-fresh, oom-dense, spill-fill)");
                System.exit(2);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // measurement

    private static void header() {
        final StringBuilder gcs = new StringBuilder();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcs.append(gcs.length() == 0 ? "" : ", ").append(gc.getName());
        }
        System.out.printf(Locale.ROOT, "# java %s, max heap %,d bytes, collectors: %s, compressed oops: %s%n",
            System.getProperty("java.version"), Runtime.getRuntime().maxMemory(), gcs, compressedOops());
        if (!gcs.toString().contains("Copy") && !gcs.toString().contains("MarkSweepCompact")) {
            System.out.println("# warning: not the serial collector; run with -XX:+UseSerialGC for exact figures");
        }
    }

    private static String compressedOops() {
        try {
            final var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return bean.getVMOption("UseCompressedOops").getValue();
        } catch (RuntimeException e) {
            return "?";
        }
    }

    /**
     * Heap in use after full collections: the least of a round of them, repeated until two rounds agree. The serial
     * collector leaves up to MarkSweepDeadRatio (5%) of the old generation as uncompacted dead objects on most full
     * collections and compacts completely only every MarkSweepAlwaysCompactCount-th (4th) one, so one System.gc()
     * can report garbage as used; the least of that many in a row is the live heap.
     */
    static long settledHeapUsed() {
        final int round = Math.max(1, alwaysCompactCount());
        long last = Long.MAX_VALUE;
        for (int r = 0; r < 10; r++) {
            long least = Long.MAX_VALUE;
            for (int i = 0; i < round; i++) {
                System.gc();
                least = Math.min(least, MEMORY.getHeapMemoryUsage().getUsed());
            }
            if (least == last) {
                return least;
            }
            last = least;
        }
        return last;
    }

    private static int alwaysCompactCount() {
        try {
            final var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return Integer.parseInt(bean.getVMOption("MarkSweepAlwaysCompactCount").getValue());
        } catch (RuntimeException e) {
            return 4;
        }
    }

    /** Bytes retained by what {@code build} returns (its garbage excluded). */
    static long retained(Supplier<Object> build) {
        keep = null;
        final long before = settledHeapUsed();
        keep = build.get();
        final long after = settledHeapUsed();
        keep = null;
        return after - before;
    }

    private static void row(String shape, long count, String unit, long bytes) {
        System.out.printf(Locale.ROOT, "%-58s %,12d %-14s %,14d B  %8.1f B/%s%n", shape, count, unit, bytes,
            (double) bytes / count, unit);
    }

    /** Loads and compiles the classes once so that class data does not land in the first measurement. */
    private static void warmUp() {
        row("calibration: new long[1_000_000] (expect 8,000,016)", 1, "array", retained(() -> new long[1_000_000]));
        row("calibration: 100,000 x new Object() in an Object[] (expect 16 + 400,000 + 1,600,000)", 1, "array",
            retained(() -> {
                final Object[] a = new Object[100_000];
                for (int i = 0; i < a.length; i++) {
                    a[i] = new Object();
                }
                return a;
            }));
        for (int r = 0; r < 3; r++) {
            keep = freshPairs(LARGE_ID_BASE, 20_000, true);
            keep = dense(100, 5_000, false, true);
            keep = spilled(new Resequencer(1024, 1 << 16, e -> { }, null), 10_000, line(20));
        }
        keep = null;
    }

    // ---------------------------------------------------------------------------------------------------------
    // follow graph

    /** {@code n} follows {@code first+2i -> first+2i+1}: two fresh users per follow. */
    static FollowerGraph freshPairs(long first, int n, boolean followerConnected) {
        final FollowerGraph g = new FollowerGraph();
        for (int i = 0; i < n; i++) {
            final long follower = first + 2L * i;
            if (followerConnected) {
                g.userConnected(follower);
            }
            g.follow(follower, follower + 1);
        }
        return g;
    }

    /**
     * {@code edges} edges among users 1..{@code users}. Rows: user 1 follows every other user, then user 2, ...;
     * lockstep: edge k belongs to follower (k mod users) + 1, so all followee maps grow together.
     */
    static FollowerGraph dense(int users, long edges, boolean connected, boolean rows) {
        final FollowerGraph g = new FollowerGraph();
        if (connected) {
            for (int u = 1; u <= users; u++) {
                g.userConnected(u);
            }
        }
        for (long k = 0; k < edges; k++) {
            addDenseEdge(g, users, k, rows);
        }
        return g;
    }

    static void addDenseEdge(FollowerGraph g, int users, long k, boolean rows) {
        final int row;
        final int offset;
        if (rows) {
            row = (int) (k / (users - 1));
            offset = (int) (k % (users - 1)) + 1;
        } else {
            row = (int) (k % users);
            offset = (int) (k / users) + 1;
        }
        final long follower = row + 1;
        final long followed = (row + offset) % users + 1;
        g.follow(follower, followed);
    }

    private static void graphFresh() {
        System.out.println();
        System.out.println("## follow graph: follows between fresh ids (two new users per follow)");
        final long empty = retained(FollowerGraph::new);
        row("empty FollowerGraph", 1, "graph", empty);
        // small ids: 0..65535 are array-indexed; 32,768 pairs fill them
        for (int n : new int[] {10_000, 32_768}) {
            row("fresh pairs, small ids (< 65536, array)", n, "follow", retained(() -> freshPairs(0, n, false)) - empty);
        }
        for (int n : new int[] {100_000, 200_000, 400_000, 600_000, 680_000, 682_000, 1_000_000}) {
            row("fresh pairs, large ids (hash map)", n, "follow",
                retained(() -> freshPairs(LARGE_ID_BASE, n, false)) - empty);
        }
        for (int n : new int[] {32_768}) {
            row("fresh pairs, small ids, follower connected", n, "follow", retained(() -> freshPairs(0, n, true)) - empty);
        }
        for (int n : new int[] {50_000, 200_000}) {
            row("fresh pairs, large ids, follower connected", n, "follow",
                retained(() -> freshPairs(LARGE_ID_BASE, n, true)) - empty);
        }
    }

    /** Shapes that split a user's cost from an edge's. */
    private static void graphShapes() {
        System.out.println();
        System.out.println("## follow graph: users by role (one hub and N fresh users)");
        final long empty = retained(FollowerGraph::new);
        for (int n : new int[] {60_000, 600_000}) {
            final long first = n < 65_000 ? 1 : LARGE_ID_BASE;
            final String ids = n < 65_000 ? "small ids" : "large ids";
            row("N fresh users each follow one hub (" + ids + ")", n, "user", retained(() -> {
                final FollowerGraph g = new FollowerGraph();
                for (int i = 0; i < n; i++) {
                    g.follow(first + 1 + i, first);
                }
                return g;
            }) - empty);
            row("one hub follows N fresh users (" + ids + ")", n, "user", retained(() -> {
                final FollowerGraph g = new FollowerGraph();
                for (int i = 0; i < n; i++) {
                    g.follow(first, first + 1 + i);
                }
                return g;
            }) - empty);
            row("N fresh users connected, no follows (" + ids + ")", n, "user", retained(() -> {
                final FollowerGraph g = new FollowerGraph();
                for (int i = 0; i < n; i++) {
                    g.userConnected(first + i);
                }
                return g;
            }) - empty);
        }
    }

    private static void graphDense() {
        System.out.println();
        System.out.println("## follow graph: edges among " + DENSE_USERS + " users (ids 1..3000, array-indexed)");
        final long empty = retained(FollowerGraph::new);
        final long users = retained(() -> dense(DENSE_USERS, DENSE_USERS, false, false)) - empty;
        row("3000 users, one edge each (the per-user base)", DENSE_USERS, "user", users);
        for (boolean rows : new boolean[] {false, true}) {
            final String order = rows ? "rows" : "lockstep";
            for (long e : new long[] {1_000_000, 2_000_000, 3_000_000, 4_000_000, 5_000_000, 7_200_000, 8_997_000}) {
                row("E edges, " + order + ", not connected", e, "edge", retained(() -> dense(DENSE_USERS, e, false, rows)) - empty);
            }
            for (long e : new long[] {1_000_000, 3_000_000, 5_000_000}) {
                row("E edges, " + order + ", all 3000 connected first", e, "edge",
                    retained(() -> dense(DENSE_USERS, e, true, rows)) - empty);
            }
        }
        for (long e : new long[] {1_000_000, 5_000_000}) {
            row("E edges, lockstep, all 3000 connected after the follows", e, "edge", retained(() -> {
                final FollowerGraph g = dense(DENSE_USERS, e, false, false);
                for (int u = 1; u <= DENSE_USERS; u++) {
                    g.userConnected(u);
                }
                return g;
            }) - empty);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // resequencer

    /** An event line of exactly {@code length} bytes, shaped like a follow. */
    static byte[] line(int length) {
        final StringBuilder b = new StringBuilder("1|F|");
        while (b.length() < length) {
            b.append('7');
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Holds {@code k} events beyond the window (seq 1 never arrives), so all of them go to the spill. */
    static Resequencer spilled(Resequencer r, int k, byte[] payload) {
        final Event e = new Event();
        final long first = 1L << 30; // beyond any window
        for (int i = 0; i < k; i++) {
            e.set(first + i, (byte) 'F', 1, 2, payload, 0, payload.length);
            r.offer(e);
        }
        return r;
    }

    /** Holds {@code k} events in the window: seqs 2..k+1 while seq 1 is missing. */
    static Resequencer windowed(Resequencer r, int k, byte[] payload) {
        final Event e = new Event();
        for (int i = 0; i < k; i++) {
            e.set(2 + i, (byte) 'F', 1, 2, payload, 0, payload.length);
            r.offer(e);
        }
        return r;
    }

    private static Resequencer defaultResequencer() {
        return new Resequencer(WINDOW, MAX_PENDING, e -> { }, null);
    }

    private static void resequencer() {
        System.out.println();
        System.out.printf(Locale.ROOT, "## resequencer, default window %,d slots, max pending %,d%n", WINDOW, MAX_PENDING);
        final long base = retained(MemoryFootprint::defaultResequencer);
        row("empty Resequencer (window + initial spill)", 1, "instance", base);
        final byte[] shortLine = line(20);
        final byte[] longLine = line(50); // > 38 bytes: not inline in a window slot
        for (int k : new int[] {1_000, 131_071}) {
            row("window holds K (20-byte lines), above empty", k, "event",
                retained(() -> windowed(defaultResequencer(), k, shortLine)) - base);
        }
        row("window holds K (50-byte lines), above empty", 131_071, "event",
            retained(() -> windowed(defaultResequencer(), 131_071, longLine)) - base);
        for (int k : new int[] {100_000, 131_072, 262_144, 262_145, 524_288, 524_289, 600_000, 786_432, 1_000_000, 1_048_575}) {
            row("spill holds K (20-byte lines), above empty", k, "event",
                retained(() -> spilled(defaultResequencer(), k, shortLine)) - base);
        }
        row("spill holds K (50-byte lines), above empty", 1_000_000, "event",
            retained(() -> spilled(defaultResequencer(), 1_000_000, longLine)) - base);
        spillGrowth(shortLine);
    }

    /**
     * At each doubling of the spill: the spill's retained heap just before (above an empty resequencer), the bytes
     * the one offer that grows it allocates (thread allocation counter: the four new arrays), and the retained heap
     * after. The slot array is copied first, while the old one is still referenced, so the live peak is
     * (retained before) + (new slot array: 2 x capacity x {@value #SPILL_STRIDE} bytes + 16).
     */
    private static void spillGrowth(byte[] payload) {
        System.out.println();
        System.out.println("## spill growth: the offer that doubles the spill (default resequencer; bytes above an empty one)");
        System.out.printf(Locale.ROOT, "%12s %16s %18s %16s %16s %12s%n", "held before", "retained before",
            "allocated by offer", "retained after", "live peak", "peak B/held");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final long tid = Thread.currentThread().getId();
        final Resequencer r = defaultResequencer();
        keep = r;
        final long empty = settledHeapUsed();
        final Event e = new Event();
        final long first = 1L << 30;
        int held = 0;
        for (int capacity = 1024; capacity < MAX_PENDING; capacity *= 2) {
            while (held < capacity) {
                e.set(first + held, (byte) 'F', 1, 2, payload, 0, payload.length);
                r.offer(e);
                held++;
            }
            if (capacity < 65_536) {
                continue;
            }
            final long before = settledHeapUsed() - empty;
            e.set(first + held, (byte) 'F', 1, 2, payload, 0, payload.length);
            final long a0 = threads.getThreadAllocatedBytes(tid);
            r.offer(e);
            final long allocated = threads.getThreadAllocatedBytes(tid) - a0;
            held++;
            final long after = settledHeapUsed() - empty;
            final long peak = before + 2L * capacity * SPILL_STRIDE + 16;
            System.out.printf(Locale.ROOT, "%,12d %,16d %,18d %,16d %,16d %12.1f%n", capacity, before, allocated, after,
                peak, (double) peak / capacity);
        }
        keep = null;
    }

    // ---------------------------------------------------------------------------------------------------------
    // out-of-memory thresholds

    private static void oomFresh(long first) {
        System.out.printf(Locale.ROOT, "oom-fresh: follows %d+2i -> %d+2i+1 until OutOfMemoryError%n", first, first);
        FollowerGraph g = new FollowerGraph();
        long i = 0;
        final long start = System.nanoTime();
        try {
            for (; i < Integer.MAX_VALUE; i++) {
                final long follower = first + 2 * i;
                g.follow(follower, follower + 1);
            }
        } catch (OutOfMemoryError oom) {
            g = null;
            System.out.printf(Locale.ROOT, "OutOfMemoryError after %,d follows (%,d users) in %.1f s: %s%n", i, 2 * i,
                (System.nanoTime() - start) / 1e9, oom.getMessage());
            return;
        }
        System.out.println("no OutOfMemoryError");
        keep = g;
    }

    private static void oomDense(String order, boolean connected) {
        final boolean rows = !"lockstep".equals(order);
        final long all = (long) DENSE_USERS * (DENSE_USERS - 1);
        System.out.printf(Locale.ROOT, "oom-dense: edges among %d users, %s order, %s, until OutOfMemoryError or all %,d%n",
            DENSE_USERS, rows ? "rows" : "lockstep", connected ? "all connected first" : "none connected", all);
        FollowerGraph g = new FollowerGraph();
        long k = 0;
        final long start = System.nanoTime();
        try {
            if (connected) {
                for (int u = 1; u <= DENSE_USERS; u++) {
                    g.userConnected(u);
                }
            }
            for (; k < all; k++) {
                addDenseEdge(g, DENSE_USERS, k, rows);
            }
        } catch (OutOfMemoryError oom) {
            g = null;
            System.out.printf(Locale.ROOT, "OutOfMemoryError after %,d edges in %.1f s: %s%n", k,
                (System.nanoTime() - start) / 1e9, oom.getMessage());
            return;
        }
        keep = g;
        System.out.printf(Locale.ROOT, "all %,d edges fit; retained %,d bytes%n", k, settledHeapUsed());
    }

    private static void spillFill(int k, long maxPending) {
        Resequencer r = new Resequencer(WINDOW, maxPending, e -> { }, null);
        final byte[] payload = line(20);
        final Event e = new Event();
        int i = 0;
        try {
            for (; i < k; i++) {
                e.set((1L << 30) + i, (byte) 'F', 1, 2, payload, 0, payload.length);
                r.offer(e);
            }
        } catch (OutOfMemoryError oom) {
            r = null;
            System.out.printf(Locale.ROOT, "spill-fill %,d: OutOfMemoryError with %,d held: %s%n", k, i, oom.getMessage());
            System.exit(1);
        }
        keep = r;
        System.out.printf(Locale.ROOT, "spill-fill %,d: fits, %,d pending, heap used after GC %,d bytes%n", k, r.pending(),
            settledHeapUsed());
    }
}
