package io.followermaze.bench;

import io.followermaze.graph.FollowerGraph;
import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventType;
import io.followermaze.router.Router;
import io.followermaze.session.SessionTable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;


/**
 * What: {@link Router#onInOrder} (graph update + fan-out) for {@value #EVENTS} in-order events of the {@code mix}
 * parameter (default: the load generator's reference mix over 1000 users, see {@link ReferenceStream};
 * {@code dense} is the heavier test-kit mix), with 100 connected users, each one
 * {@link CountingSession}. One op = one event; the secondary result {@code notifications} is notifications/s.
 * <p>
 * Inputs are pre-parsed, structure-of-arrays (type/from/to/payload position), and the loop points one flyweight
 * {@link Event} at each (as the parser does in the pipeline), so the loop is the router's work plus a few field
 * stores. The same events are replayed every invocation: after the first pass the graph is in a steady state
 * (every edge's state is decided by its last op in the array; printed at set-up). Baseline: none in code; the
 * budget is the pipeline's 20M events/s.
 * <pre>
 *   SoA events ──► flyweight Event ──► Router ──► FollowerGraph.follow/unfollow (per-user records)
 *                                          └────► CountingSession.deliver (x 100 sessions)
 *                                                 F, P: sessions of `to` (SessionTable); B: all sessions;
 *                                                 S: the connected followers in `from`'s record, each its first session
 * </pre>
 */
public class RouterBenchmark extends MixBenchmark {
    static final int EVENTS = 1 << 20;
    static final int CONNECTED = 100;

    private final Event event = new Event();
    private Router router;
    private FollowerGraph graph;
    private CountingSession[] sessions;
    private byte[] payloads;
    private long[] seq;
    private byte[] type;
    private long[] from;
    private long[] to;
    private int[] payloadOffset;
    private byte[] payloadLength;

    @Setup(Level.Trial)
    public void setUp() {
        final ReferenceStream stream = stream(EVENTS);
        final byte[] scratch = new byte[stream.maxEncodedLength()];
        final int[] starts = new int[EVENTS];
        final int[] ends = new int[EVENTS];
        final int length = stream.encode(0, ReferenceStream.inOrder(EVENTS), scratch, starts, ends);
        payloads = java.util.Arrays.copyOf(scratch, length);
        seq = new long[EVENTS];
        type = stream.type;
        from = stream.from;
        to = stream.to;
        payloadOffset = starts;
        payloadLength = new byte[EVENTS];
        for (int i = 0; i < EVENTS; i++) {
            seq[i] = i + 1;
            payloadLength[i] = (byte) (ends[i] - starts[i]);
        }

        graph = new FollowerGraph();
        final SessionTable table = new SessionTable();
        sessions = CountingSession.connected(CONNECTED);
        router = new Router(graph, table);
        for (CountingSession s : sessions) {
            router.register(s); // as the pipeline does: keeps the graph's connected-follower index exact
        }

        // Two unmeasured passes: reach the steady-state graph, then describe one pass from it.
        routeAll();
        final long notificationsBefore = router.notificationsDelivered().get();
        routeAll();
        long statusUpdates = 0;
        for (byte t : type) {
            statusUpdates += t == EventType.STATUS_UPDATE ? 1 : 0;
        }
        System.out.printf("%n[router] steady state: %d edges (%.1f followers per user), %.2f notifications per event,"
                + " %d status updates per pass%n", graph.edgeCount(), graph.edgeCount() / (double) ReferenceStream.USERS,
            (router.notificationsDelivered().get() - notificationsBefore) / (double) EVENTS, statusUpdates);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long route(Notifications n) {
        final long before = router.notificationsDelivered().get();
        routeAll();
        final long delivered = router.notificationsDelivered().get() - before;
        n.notifications += delivered;
        return delivered;
    }

    private void routeAll() {
        final Router r = router;
        final Event e = event;
        final byte[] p = payloads;
        for (int i = 0; i < EVENTS; i++) {
            e.set(seq[i], type[i], from[i], to[i], p, payloadOffset[i], payloadLength[i]);
            r.onInOrder(e);
        }
    }

    @TearDown(Level.Trial)
    public void check() {
        if (CountingSession.totalNotifications(sessions) != router.notificationsDelivered().get()) {
            throw new IllegalStateException("sessions counted " + CountingSession.totalNotifications(sessions)
                + " notifications, router " + router.notificationsDelivered().get());
        }
    }
}
