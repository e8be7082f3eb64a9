package io.followermaze.server.egress;

import io.followermaze.session.SessionTable;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The hand-off on embedded channels (the test thread plays the pipeline and, when it runs the channel's pending
 * tasks, the event loop): bytes reach the right connection in order, as a message the loop takes (nothing is
 * written by the pipeline thread), with one flush per connection per hand-off; a large batch is handed off early.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang (a lost wake-up, a wait that never ends) fails
class EgressHandoffTest {
    private final SessionTable table = new SessionTable();

    private ChannelSession session(Egress egress, HeldChannel channel, long user) {
        final ChannelSession s = channel.attach(egress, user);
        table.register(s);
        return s;
    }

    private static void deliver(ChannelSession s, String line) {
        final byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
        s.deliver(bytes, 0, bytes.length);
    }

    @Test
    void bytesReachTheRightConnectionInOrderWithOneFlushPerHandOff() {
        final Egress egress = new Egress(1 << 20, 64 << 20, 64 << 10, 2_000, 1_000, UnpooledByteBufAllocator.DEFAULT);
        final HeldChannel a = new HeldChannel();
        final HeldChannel b = new HeldChannel();
        final ChannelSession sa = session(egress, a, 1);
        final ChannelSession sb = session(egress, b, 2);

        deliver(sa, "1|F|3|1");
        deliver(sa, "2|B");
        deliver(sb, "2|B");
        deliver(sa, "3|P|2|1");
        egress.onBatchEnd();
        assertEquals("", a.received(), "the pipeline thread only stages; the loop writes");
        assertEquals(0, a.flushes);

        a.runPendingTasks(); // the loop's drain task
        b.runPendingTasks();
        assertEquals("1|F|3|1\r\n2|B\r\n3|P|2|1\r\n", a.received());
        assertEquals("2|B\r\n", b.received());
        assertEquals(1, a.flushes, "one flush per connection per hand-off, not one per notification");
        assertEquals(1, b.flushes);

        deliver(sa, "4|B");
        egress.onBatchEnd();
        egress.onBatchEnd(); // nothing new: no hand-off
        a.runPendingTasks();
        assertEquals("1|F|3|1\r\n2|B\r\n3|P|2|1\r\n4|B\r\n", a.received());
        assertEquals(2, a.flushes);
        assertEquals(0, egress.outboundBytes(), "everything handed off has been written");
        a.finishAndReleaseAll();
        b.finishAndReleaseAll();
    }

    @Test
    void aLargeBatchIsHandedOffBeforeItEnds() {
        final int handoffBytes = Egress.MIN_BYTES_PER_SESSION;
        final Egress egress = new Egress(1 << 20, 64 << 20, handoffBytes, 2_000, 1_000, UnpooledByteBufAllocator.DEFAULT);
        final HeldChannel a = new HeldChannel();
        final ChannelSession sa = session(egress, a, 1);
        final String line = "x".repeat(998); // 1,000 bytes with CRLF
        for (int i = 0; i < 4; i++) {
            deliver(sa, line);
            egress.onEventRouted();
        }
        a.runPendingTasks();
        assertEquals("", a.received(), "4,000 bytes: below the early hand-off threshold");

        deliver(sa, line);
        egress.onEventRouted(); // 5,000 bytes: handed off mid-batch
        a.runPendingTasks();
        assertEquals(5 * 1000, a.received().length());

        deliver(sa, "tail");
        egress.onBatchEnd();
        a.runPendingTasks();
        assertEquals((line + "\r\n").repeat(5) + "tail\r\n", a.received());
        a.finishAndReleaseAll();
    }
}
