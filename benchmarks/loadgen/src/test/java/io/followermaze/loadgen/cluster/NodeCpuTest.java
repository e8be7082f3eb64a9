package io.followermaze.loadgen.cluster;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node table of {@code demo --cluster} and {@code cluster-bench} when a node is gone: found by killing a fan-out
 * node with SIGKILL in the middle of a demo, whose table then showed "-3.51" CPU seconds for it and nothing about
 * its end.
 */
class NodeCpuTest {

    @Test
    void aReadingThatFailedGivesNoFigureRatherThanANegativeOne() {
        assertEquals(2.5, NodeCpu.elapsedSeconds(1_000_000_000L, 3_500_000_000L), 1e-9);
        assertTrue(Double.isNaN(NodeCpu.elapsedSeconds(3_510_000_000L, -1)), "the node died before the second reading");
        assertTrue(Double.isNaN(NodeCpu.elapsedSeconds(-1, 3_510_000_000L)));
    }

    @Test
    void aKilledNodeShowsADashAndHowItEnded() {
        final String row = NodeCpu.row("fanout-1", 24610, 44021, NodeCpu.elapsedSeconds(3_510_000_000L, -1),
            Double.NaN, Double.NaN, NodeProcess.ended(137));
        assertTrue(row.matches("fanout-1 +24610 +44021 +— +— +— +exit 137 \\(signal 9\\)\\n"), row);
    }

    @Test
    void aRunningNodeShowsItsFigures() {
        final String row = NodeCpu.row("fanout-2", 24613, 34991, 2.54, 6_963_249, 511_530, "up");
        assertTrue(row.matches("fanout-2 +24613 +34991 +2\\.54 +6,963,249 +511,530 +up\\n"), row);
        assertEquals("exit 70", NodeProcess.ended(70));
    }
}
