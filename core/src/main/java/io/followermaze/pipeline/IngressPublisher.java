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
     * Like {@link #tryPublish} but waits while the ring is full; not for event loops.
     *
     * @return false if the pipeline has stopped (nothing was published)
     */
    default <A> boolean publish(EventTranslatorOneArg<IngressEntry, A> translator, A arg) {
        while (true) {
            final Outcome outcome = tryPublish(translator, arg);
            if (outcome != Outcome.RING_FULL) {
                return outcome == Outcome.PUBLISHED;
            }
            LockSupport.parkNanos(10_000);
        }
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
