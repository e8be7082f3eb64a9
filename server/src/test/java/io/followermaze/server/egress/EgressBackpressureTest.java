package io.followermaze.server.egress;

import io.followermaze.session.SessionTable;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Backpressure, grace period and cut-off on channels whose client reads only when the test says so (the test thread
 * plays the pipeline and the loop). Outcomes do not depend on machine speed: waits are on conditions, and the one
 * timing claim (not slow before the grace period) is checked against the clock the rule itself uses.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang (a lost wake-up, a wait that never ends) fails
class EgressBackpressureTest {
    private static final byte[] LINE = ("y".repeat(98)).getBytes(StandardCharsets.US_ASCII); // 100 bytes with CRLF
    /** What Netty's outbound buffer counts per queued message on top of its bytes. */
    private static final int ENTRY_OVERHEAD = 96;
    private final SessionTable table = new SessionTable();

    private ChannelSession session(Egress egress, HeldChannel channel, long user) {
        final ChannelSession s = channel.attach(egress, user);
        table.register(s);
        return s;
    }

    /** {@code batches} hand-offs of one line each, written by the loop in one drain. */
    private static void handOffLines(Egress egress, ChannelSession s, HeldChannel channel, int batches) {
        for (int i = 0; i < batches; i++) {
            s.deliver(LINE, 0, LINE.length);
            egress.onBatchEnd();
        }
        channel.runPendingTasks();
    }

    private static void await(HeldChannel[] loops, BooleanSupplier condition, String what) {
        final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            for (HeldChannel loop : loops) {
                loop.runPendingTasks();
                loop.runScheduledPendingTasks();
            }
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting until " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    @Test
    void aCongestedClientThatKeepsDrainingIsWaitedForUntilTheGracePeriodAndNoLonger() {
        final long graceMillis = 300;
        final Egress egress = new Egress(1 << 20, 64 << 20, 1 << 20, graceMillis, 2_000, UnpooledByteBufAllocator.DEFAULT);
        final HeldChannel ch = new HeldChannel(1024, 2048);
        final ChannelSession s = session(egress, ch, 1);
        ch.hold();
        final long start = System.nanoTime();
        handOffLines(egress, s, ch, 2_000); // 200 kB queued in Netty, far above the high-water mark
        assertFalse(ch.isWritable());
        assertEquals(1, egress.congestedClients(), "the pipeline waits for it");

        // The client takes one buffer at least every 5 ms: it is draining, so the stall rule never applies, and it
        // can not get under its low-water mark in anything like the grace period.
        long lastTake = System.nanoTime();
        while (!s.connection().slow()) {
            ch.runScheduledPendingTasks(); // the loop's periodic drain check
            final long now = System.nanoTime();
            if (now - lastTake >= TimeUnit.MILLISECONDS.toNanos(5)) {
                assertTrue(ch.takeOne(), "drained below the low-water mark before the grace period ended");
                lastTake = now;
            }
            if (now - start > Duration.ofSeconds(20).toNanos()) {
                fail("never stopped waiting for it");
            }
            LockSupport.parkNanos(1_000_000);
        }
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(graceMillis), "slow before the grace period");
        assertEquals(0, egress.congestedClients(), "no longer waited for");
        assertEquals(1, egress.clientsStalled());
        assertFalse(s.isCutOff(), "past the grace period is not a reason to cut it off");
        assertTrue(ch.isOpen());
        ch.finishAndReleaseAll();
    }

    @Test
    void aCongestedClientThatDrainsIsAnOrdinaryClientAgainAndIsNotCutOff() {
        final Egress egress = new Egress(1 << 20, 64 << 20, 1 << 20, 600_000, 600_000, UnpooledByteBufAllocator.DEFAULT);
        final HeldChannel ch = new HeldChannel(1024, 2048);
        final ChannelSession s = session(egress, ch, 1);
        ch.hold();
        handOffLines(egress, s, ch, 50);
        assertEquals(1, egress.congestedClients());

        while (ch.takeOne()) {
            ch.runPendingTasks();
        }
        assertTrue(ch.isWritable());
        assertEquals(0, egress.congestedClients(), "below the low-water mark: nobody waits");
        assertFalse(s.connection().slow());
        assertFalse(s.isCutOff());
        assertEquals(new String(LINE, StandardCharsets.US_ASCII).concat("\r\n").repeat(50), ch.received());
        await(new HeldChannel[] {ch}, () -> egress.outboundBytes() == 0, "the loop's sweep sees it all gone");
        ch.finishAndReleaseAll();
    }

    @Test
    void overTheTotalBudgetTheStalledClientIsCutAndItsBytesStopCounting() {
        // Per client at most 12 kB, all clients 16 kB; a client that drains nothing for 100 ms is stalled.
        final Egress egress = new Egress(12 << 10, 16 << 10, 1 << 20, 600_000, 100, UnpooledByteBufAllocator.DEFAULT);
        final HeldChannel stalled = new HeldChannel();
        final HeldChannel reader = new HeldChannel();
        final ChannelSession victim = session(egress, stalled, 1);
        final ChannelSession healthy = session(egress, reader, 2);
        stalled.hold();
        for (int i = 0; i < 100; i++) { // 10 kB held in one buffer, below its high-water mark
            victim.deliver(LINE, 0, LINE.length);
        }
        egress.onBatchEnd();
        stalled.runPendingTasks();
        assertEquals(10_000, stalled.queued() - ENTRY_OVERHEAD);
        assertEquals(stalled.queued(), egress.outboundBytes());
        await(new HeldChannel[] {stalled}, () -> victim.connection().slow(), "the stalled client is found slow");
        assertFalse(victim.isCutOff(), "within every budget: stalled is not cut off for that alone");

        for (int i = 0; i < 80; i++) { // 8 kB for the reader in one batch: 18 kB held in all
            healthy.deliver(LINE, 0, LINE.length);
        }
        egress.onBatchEnd();

        assertTrue(victim.isCutOff(), "the client that drains nothing holds the largest backlog");
        assertFalse(stalled.isOpen());
        assertFalse(healthy.isCutOff());
        assertEquals(1, egress.budgetCutOffs());
        assertEquals(1, egress.slowConsumersCutOff());
        stalled.runPendingTasks(); // its loop sees the close and lets go of what it held
        assertEquals(8_000, egress.outboundBytes(), "the victim's bytes no longer count against the budget");

        reader.runPendingTasks();
        for (int i = 0; i < 3; i++) { // 24 kB more for the reader, which drains: nobody else is cut
            for (int j = 0; j < 80; j++) {
                healthy.deliver(LINE, 0, LINE.length);
            }
            egress.onBatchEnd();
            reader.runPendingTasks();
        }
        assertEquals(1, egress.budgetCutOffs());
        assertEquals(32_000, reader.received().length());
        assertEquals(0, egress.outboundBytes());
        reader.finishAndReleaseAll();
        stalled.finishAndReleaseAll();
    }

    @Test
    void aClientWhoseLoopHoldsMoreThanThePerClientBoundIsCutOffAndNoLongerFilled() {
        final Egress egress = new Egress(4 << 10, 64 << 20, 1 << 20, 600_000, 600_000, UnpooledByteBufAllocator.DEFAULT);
        final HeldChannel ch = new HeldChannel();
        final ChannelSession s = session(egress, ch, 1);
        ch.hold();
        // 4,000 bytes handed off (under the bound the pipeline checks), queued in 40 buffers: with Netty's
        // per-entry overhead the loop sees past 4 kB held after its flush
        handOffLines(egress, s, ch, 40);
        assertTrue(s.connection().cutOffByLoop(), "the loop cut it off");
        assertFalse(ch.isOpen());
        assertEquals(1, egress.slowConsumersCutOff());

        s.deliver(LINE, 0, LINE.length); // the pipeline learns it from the loop's published fact
        assertTrue(s.isCutOff());
        egress.onBatchEnd();
        assertEquals(0, egress.outboundBytes());
        ch.finishAndReleaseAll();
    }
}
