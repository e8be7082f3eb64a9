package io.followermaze.server.egress;

import io.followermaze.session.SessionTable;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Broadcasts are held once per hand-off for every client that gets them, not copied per client: the direct memory
 * of a broadcast batch does not grow with the number of clients, each client still receives exactly its stream in
 * order (private notifications in between, a client that joins mid-batch, a broadcast too long to share), and the
 * shared buffer is released once every client has been written to or has gone.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EgressSharedBroadcastTest {
    /** Counts its direct memory, so the test sees what the egress holds. */
    private final UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(true);
    private final SessionTable table = new SessionTable();

    private ChannelSession session(Egress egress, HeldChannel channel, long user) {
        final ChannelSession s = channel.attach(egress, user);
        table.register(s);
        return s;
    }

    private static byte[] ascii(String line) {
        return line.getBytes(StandardCharsets.US_ASCII);
    }

    /** What the router does for a broadcast: the same bytes to every session, then the end of the event. */
    private static void broadcast(Egress egress, List<ChannelSession> to, String line) {
        final byte[] bytes = ascii(line);
        for (ChannelSession s : to) {
            s.deliverBroadcast(bytes, 0, bytes.length);
        }
        egress.onEventRouted();
    }

    private static void privately(Egress egress, ChannelSession to, String line) {
        final byte[] bytes = ascii(line);
        to.deliver(bytes, 0, bytes.length);
        egress.onEventRouted();
    }

    private long direct() {
        return allocator.metric().usedDirectMemory();
    }

    @Test
    void aBroadcastBatchHoldsItsBytesOnceWhateverTheNumberOfClients() {
        final Egress egress = new Egress(1 << 20, 64 << 20, 1 << 20, 2_000, 1_000, allocator);
        final int clients = 200;
        final List<HeldChannel> channels = new ArrayList<>();
        final List<ChannelSession> sessions = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            final HeldChannel c = new HeldChannel();
            c.hold(); // nothing leaves Netty: what the hand-off made stays queued and counted
            channels.add(c);
            sessions.add(session(egress, c, i + 1));
        }
        final StringBuilder expected = new StringBuilder();
        for (int seq = 1; seq <= 40; seq++) {
            final String line = seq + "|B|" + "x".repeat(20);
            broadcast(egress, sessions, line);
            expected.append(line).append("\r\n");
        }
        egress.onBatchEnd();
        channels.forEach(HeldChannel::runPendingTasks);

        final long perClient = expected.length();
        assertTrue(egress.outboundBytes() >= clients * perClient, "every client holds its whole stream (Netty adds"
            + " its overhead per queued buffer): " + egress.outboundBytes());
        assertTrue(direct() < 4 * perClient,
            "the bytes are held once, not per client: " + direct() + " bytes of direct memory for " + clients
                + " clients of " + perClient + " bytes each");

        for (HeldChannel c : channels) {
            while (c.takeOne()) {
                // the client reads everything
            }
            assertEquals(expected.toString(), c.received());
        }
        channels.forEach(HeldChannel::finishAndReleaseAll);
        assertEquals(0, direct(), "the shared buffer is released once every client has been written to");
    }

    @Test
    void eachClientGetsItsOwnStreamInOrder() {
        final Egress egress = new Egress(1 << 20, 64 << 20, 1 << 20, 2_000, 1_000, allocator);
        final HeldChannel a = new HeldChannel();
        final HeldChannel b = new HeldChannel();
        final HeldChannel late = new HeldChannel();
        final ChannelSession sa = session(egress, a, 1);
        final ChannelSession sb = session(egress, b, 2);

        broadcast(egress, List.of(sa, sb), "1|B");
        privately(egress, sa, "2|P|2|1");       // a's run moves to its own buffer
        broadcast(egress, List.of(sa, sb), "3|B");
        final ChannelSession sl = session(egress, late, 3); // joins mid-batch: its run starts here
        broadcast(egress, List.of(sa, sb, sl), "4|B");
        privately(egress, sb, "5|P|1|2");
        broadcast(egress, List.of(sa, sb, sl), "6|B");
        egress.onBatchEnd();
        for (HeldChannel c : List.of(a, b, late)) {
            c.runPendingTasks();
        }
        assertEquals("1|B\r\n2|P|2|1\r\n3|B\r\n4|B\r\n6|B\r\n", a.received());
        assertEquals("1|B\r\n3|B\r\n4|B\r\n5|P|1|2\r\n6|B\r\n", b.received());
        assertEquals("4|B\r\n6|B\r\n", late.received());

        broadcast(egress, List.of(sa, sb, sl), "7|B"); // the next batch shares a new buffer
        egress.onBatchEnd();
        for (HeldChannel c : List.of(a, b, late)) {
            c.runPendingTasks();
            assertTrue(c.received().endsWith("6|B\r\n7|B\r\n"), c.received());
            c.finishAndReleaseAll();
        }
        assertEquals(0, direct());
    }

    @Test
    void aBroadcastTooLongToShareIsCopiedAndTheOrderHolds() {
        // the shared buffer holds at most handoffBytes (1 MiB)
        final Egress egress = new Egress(8 << 20, 64 << 20, 1 << 20, 2_000, 1_000, allocator);
        final HeldChannel a = new HeldChannel();
        final HeldChannel b = new HeldChannel();
        final List<ChannelSession> both = List.of(session(egress, a, 1), session(egress, b, 2));
        final String big = "2|B|" + "y".repeat(1 << 20);
        broadcast(egress, both, "1|B");
        broadcast(egress, both, big); // over handoffBytes: handed off early, and the loops must write it
        a.runPendingTasks();
        b.runPendingTasks();
        broadcast(egress, both, "3|B");
        egress.onBatchEnd();
        for (HeldChannel c : List.of(a, b)) {
            c.runPendingTasks();
            assertEquals("1|B\r\n" + big + "\r\n3|B\r\n", c.received());
            c.finishAndReleaseAll();
        }
        assertEquals(0, direct());
    }

    @Test
    void clientsThatLeaveOrAreCutOffMidBatchReleaseTheirShare() {
        final Egress egress = new Egress(1 << 20, 64 << 20, 1 << 20, 2_000, 1_000, allocator);
        final HeldChannel stays = new HeldChannel();
        final HeldChannel leaves = new HeldChannel();
        final HeldChannel closed = new HeldChannel();
        final ChannelSession ss = session(egress, stays, 1);
        final ChannelSession sl = session(egress, leaves, 2);
        final ChannelSession sc = session(egress, closed, 3);

        broadcast(egress, List.of(ss, sl, sc), "1|B");
        table.unregister(sl);                     // left the table mid-batch
        closed.close();                           // its loop closes it
        closed.runPendingTasks();
        broadcast(egress, List.of(ss, sc), "2|B"); // the router still holds sc until it is unregistered
        egress.onBatchEnd();
        stays.runPendingTasks();
        leaves.runPendingTasks();
        assertEquals("1|B\r\n2|B\r\n", stays.received());
        assertEquals("", leaves.received());
        assertEquals("", closed.received());
        for (HeldChannel c : List.of(stays, leaves, closed)) {
            c.finishAndReleaseAll();
        }
        assertEquals(0, direct(), "nothing held for the clients that went");
    }
}
