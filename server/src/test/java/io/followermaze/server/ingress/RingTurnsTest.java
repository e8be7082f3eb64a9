package io.followermaze.server.ingress;

import io.followermaze.pipeline.EgressListener;
import io.followermaze.pipeline.Pipeline;
import io.followermaze.pipeline.PipelineConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fair turns at a full ring: first come, first served; a source that had its turn goes to the back. */
class RingTurnsTest {
    private final Pipeline pipeline = new Pipeline(PipelineConfig.DEFAULT, EgressListener.NONE);
    private final RingTurns turns = new RingTurns();

    @AfterEach
    void close() {
        pipeline.close();
    }

    private EventSourceHandler source() {
        return new EventSourceHandler(pipeline, turns);
    }

    @Test
    void sourcesTakeTurnsInArrivalOrderAndGoToTheBackAfterTheirTurn() {
        final EventSourceHandler a = source();
        final EventSourceHandler b = source();
        final EventSourceHandler c = source();
        assertFalse(turns.othersWaiting(c), "nobody waits: read and publish at once");

        turns.join(a);
        turns.join(b);
        turns.join(a); // once only
        assertTrue(turns.isTurnOf(a));
        assertFalse(turns.isTurnOf(b));
        assertFalse(turns.aloneAtHead(a), "b waits too: a's turn is limited");
        assertTrue(turns.othersWaiting(c), "a source that is not waiting queues behind the others");
        assertFalse(turns.othersWaiting(a), "the head publishes");

        turns.rotate(a); // a had its turn and still has a backlog
        assertTrue(turns.isTurnOf(b));
        turns.rotate(a); // not a's turn: nothing moves
        assertTrue(turns.isTurnOf(b));

        turns.leave(b); // b's backlog is in the ring
        assertTrue(turns.isTurnOf(a));
        assertTrue(turns.aloneAtHead(a), "alone: no limit on its turn");
        turns.leave(a);
        assertFalse(turns.othersWaiting(c));
        assertFalse(turns.isTurnOf(a));
    }
}
