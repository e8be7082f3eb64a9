package io.followermaze.pipeline;

import com.lmax.disruptor.EventTranslatorOneArg;
import io.followermaze.session.ClientSession;

import java.util.concurrent.locks.LockSupport;

/**
 * The one way into the ingress ring. A producer hands a translator that fills the claimed entry; the claim and the
 * publish (in a {@code finally}, so that a failing translator can never leave a hole that stalls the ring) are
 * done here, never by callers. Translators are long-lived objects (a framer, a constant), so publishing allocates
 * nothing.
 * <p>
 * Event loops call only the {@code try…} methods and stop reading while the ring is full: a loop must never wait
 * for the pipeline, because the pipeline may be waiting for that loop to drain a congested client. The waiting
 * variants are for other threads (tests, tools, the ticker).
 */
public interface IngressPublisher {

    /** What became of one {@code tryPublish}. */
    enum Outcome {
        PUBLISHED,
        /** Nothing was claimed: try again later. */
        RING_FULL,
        /** The pipeline has stopped; nothing will consume the ring any more, so the input may be dropped. */
        STOPPED
    }

    /** The configuration of the ring behind this publisher (entry size, line limit). */
    PipelineConfig config();

    /** Claims the next entry without waiting and, if there is one, fills it with {@code translator} and publishes it. */
    <A> Outcome tryPublish(EventTranslatorOneArg<IngressEntry, A> translator, A arg);

    /**
     * Entries a producer could claim now without waiting; {@link Long#MAX_VALUE} when not known, and once the
     * pipeline has stopped (nothing to wait for: the next {@link #tryPublish} answers {@code STOPPED}). A producer
     * that waits for room uses it to wait for several entries at once instead of one wake-up per entry.
     */
    default long remainingCapacity() {
        return Long.MAX_VALUE;
    }

    /**
     * Like {@link #tryPublish} but waits while the ring is full; not for event loops. See {@link #publishWaiting}.
     *
     * @return false if the pipeline has stopped (nothing was published)
     */
    default <A> boolean publish(EventTranslatorOneArg<IngressEntry, A> translator, A arg) {
        return publishWaiting(this, translator, arg, config().ringSize());
    }

    /** First and longest pause of a producer waiting at a full ring ({@link #publishWaiting}). */
    long MIN_FULL_PARK_NANOS = 10_000;
    long MAX_FULL_PARK_NANOS = 1_000_000;

    /**
     * Publishes into {@code ring} of {@code ringSize} entries, waiting while it is full. The wait is for a quarter of
     * the ring at once ({@link #remainingCapacity}), parked with a growing pause (10 µs doubling to 1 ms), not for
     * one entry polled every 10 µs: a producer that outruns the pipeline (the fan-out node's log consumer in a
     * blast, each 16 KiB record ~1,000 events and about a millisecond of pipeline work) otherwise woke 100 times a
     * millisecond and became the node's second busiest thread (~75,000-95,000 futex calls and ~1.8 CPU s per 3M
     * fan-out-mix events). Three quarters of the ring stay queued, so the pipeline never starves; a ring with room
     * takes the entry at once.
     *
     * @return false if the pipeline has stopped (nothing was published)
     */
    static <A> boolean publishWaiting(IngressPublisher ring, EventTranslatorOneArg<IngressEntry, A> translator, A arg,
                                      int ringSize) {
        Outcome outcome = ring.tryPublish(translator, arg);
        final long resumeAt = Math.max(1, ringSize / 4);
        long park = MIN_FULL_PARK_NANOS;
        while (outcome == Outcome.RING_FULL) {
            LockSupport.parkNanos(park);
            park = Math.min(park * 2, MAX_FULL_PARK_NANOS);
            if (ring.remainingCapacity() >= resumeAt) { // MAX_VALUE once stopped: tryPublish then says so
                outcome = ring.tryPublish(translator, arg);
            }
        }
        return outcome == Outcome.PUBLISHED;
    }

    /**
     * Publishes a registration; it takes effect after every entry published before it.
     *
     * @return false if the ring is full (try again later); true when published or when the pipeline has stopped
     */
    default boolean tryRegister(ClientSession session) {
        return tryPublish(Registration.REGISTER, session) != Outcome.RING_FULL;
    }

    /** @return false if the ring is full (try again later); true when published or when the pipeline has stopped */
    default boolean tryUnregister(ClientSession session) {
        return tryPublish(Registration.UNREGISTER, session) != Outcome.RING_FULL;
    }

    /** Waits while the ring is full; not for event loops. */
    default void register(ClientSession session) {
        publish(Registration.REGISTER, session);
    }

    /** Waits while the ring is full; not for event loops. */
    default void unregister(ClientSession session) {
        publish(Registration.UNREGISTER, session);
    }

    /** The stateless translators for registration changes. */
    enum Registration implements EventTranslatorOneArg<IngressEntry, ClientSession> {
        REGISTER(IngressEntry.Kind.REGISTER),
        UNREGISTER(IngressEntry.Kind.UNREGISTER);

        private final IngressEntry.Kind kind;

        Registration(IngressEntry.Kind kind) {
            this.kind = kind;
        }

        @Override
        public void translateTo(IngressEntry entry, long sequence, ClientSession session) {
            entry.registration(kind, session);
        }
    }
}
