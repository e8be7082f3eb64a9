package io.followermaze.server.ingress;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Fair turns at a full ingress ring for the event sources of one server.
 * <p>
 * When the ring is full every source pauses and retries. Without turns, whichever source's retry fires first takes
 * the room that frees up, turns its reading back on and fills the ring again, while another source that holds the
 * seq the stream waits for gets no turn: the resequencer then holds everything else until {@code --max-pending} and
 * skips the gap (a probe lost up to 95,000 events with 16 sources). With turns, sources that wait for room queue up
 * in arrival order; only the head publishes, at most {@link #CHUNKS_PER_TURN} ring entries while others wait, then
 * goes to the back; and a source that has caught up queues behind the others as soon as it reads again. What the
 * stream waits for is therefore at most one round of turns away.
 * <p>
 * Costs nothing while the ring has room: one {@link #othersWaiting} check per socket read.
 */
public final class RingTurns {
    /** Ring entries a source may publish per turn while other sources wait. */
    static final int CHUNKS_PER_TURN = 4;

    private final ConcurrentLinkedQueue<EventSourceHandler> waiting = new ConcurrentLinkedQueue<>();

    /** True when some other source is waiting for room: a source that is not waiting must queue behind it. */
    boolean othersWaiting(EventSourceHandler source) {
        final EventSourceHandler head = waiting.peek();
        return head != null && head != source;
    }

    /** Queues {@code source} (once) behind the sources already waiting. On the source's event loop. */
    void join(EventSourceHandler source) {
        if (!source.queuedForTurn) {
            source.queuedForTurn = true;
            waiting.offer(source);
        }
    }

    boolean isTurnOf(EventSourceHandler source) {
        return waiting.peek() == source;
    }

    /** True when {@code source}, at the head, is the only source waiting. */
    boolean aloneAtHead(EventSourceHandler source) {
        final java.util.Iterator<EventSourceHandler> it = waiting.iterator();
        return it.hasNext() && it.next() == source && !it.hasNext();
    }

    /** The head has had its turn and still waits: to the back of the queue. */
    void rotate(EventSourceHandler source) {
        if (waiting.peek() == source && waiting.remove(source)) {
            waiting.offer(source);
        }
    }

    /** The source has nothing more waiting for room. On the source's event loop. */
    void leave(EventSourceHandler source) {
        if (source.queuedForTurn) {
            source.queuedForTurn = false;
            waiting.remove(source);
        }
    }
}
