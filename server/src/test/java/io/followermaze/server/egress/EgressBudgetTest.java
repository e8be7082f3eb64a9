package io.followermaze.server.egress;

import io.followermaze.session.SessionTable;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The egress's budgets and stall detection on embedded channels (no sockets): which client the total budget cuts
 * off, and when a congested client stops being waited for. The test thread plays both the pipeline and the (embedded)
 * event loop.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang (a lost wake-up, a wait that never ends) fails
class EgressBudgetTest {
    private static final byte[] PAYLOAD = "1|B".getBytes(StandardCharsets.US_ASCII);
    private final SessionTable table = new SessionTable();

    private ChannelSession session(Egress egress, long user) {
        final ChannelSession s = egress.newSession(user, new EmbeddedChannel());
        table.register(s);
        return s;
    }

    /** Pretends Netty holds {@code bytes} for the client, as its loop would have read them after a flush. */
    private static void queued(ChannelSession s, long bytes) {
        s.connection().loop.recordQueued(s.connection(), bytes);
    }

    @Test
    void overTheTotalBudgetTheLargestBacklogOfAClientThatDrainsNothingIsCutAndNoReaderIs() {
        final Egress egress = new Egress(1 << 20, 1 << 20, 64 << 10, 2_000, 100, UnpooledByteBufAllocator.DEFAULT);
        final ChannelSession smallStalled = session(egress, 1);
        final ChannelSession largeStalled = session(egress, 2);
        final ChannelSession largeReader = session(egress, 3);
        for (ChannelSession s : new ChannelSession[] {smallStalled, largeStalled, largeReader}) {
            s.deliver(PAYLOAD, 0, PAYLOAD.length); // each has had output: the budget knows it
        }
        smallStalled.connection().setSlow(true);
        largeStalled.connection().setSlow(true);
        queued(smallStalled, 200 << 10);
        queued(largeStalled, 600 << 10);
        queued(largeReader, 650 << 10); // the largest, but it drains: never a victim

        egress.onBatchEnd(); // 1.45 MiB held, budget 1 MiB: cut until the rest fit in 7/8 of it

        assertTrue(largeStalled.isCutOff(), "the largest backlog among clients that drain nothing");
        assertFalse(largeStalled.channel().isOpen());
        assertFalse(smallStalled.isCutOff(), "one victim was enough to fall under 7/8 of the budget");
        assertFalse(largeReader.isCutOff(), "a client that drains is waited for, not cut off");
        assertEquals(1, egress.budgetCutOffs());
        assertEquals(1, egress.slowConsumersCutOff());
    }

    @Test
    void aCongestedClientThatDrainsNothingIsNoLongerWaitedForAfterTheStallTime() {
        final Egress egress = new Egress(8 << 20, 64 << 20, 64 << 10, 600_000, 50, UnpooledByteBufAllocator.DEFAULT);
        final EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1024, 2048));
        final ChannelSession s = egress.newSession(7, channel);
        table.register(s);
        channel.write(channel.alloc().buffer().writeZero(4096)); // queued, never flushed: the client takes nothing
        assertFalse(channel.isWritable());

        egress.onWritabilityChanged(s, false);
        assertEquals(1, egress.congestedClients(), "the pipeline waits for it");

        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (egress.clientsStalled() == 0) {
            channel.runScheduledPendingTasks(); // the loop's periodic drain check
            if (System.nanoTime() - deadline > 0) {
                fail("not found stalled; congested=" + egress.congestedClients());
            }
            LockSupport.parkNanos(1_000_000);
        }
        assertEquals(0, egress.congestedClients(), "nobody waits for it any more");
        assertTrue(s.connection().slow());
        assertFalse(s.isCutOff(), "stalled is not cut off: only past its byte bound or under the total budget");

        egress.onWritabilityChanged(s, true); // it drained below the low-water mark
        assertFalse(s.connection().slow(), "an ordinary client again");
        channel.finishAndReleaseAll();
    }
}
