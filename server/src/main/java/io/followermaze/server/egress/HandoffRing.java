package io.followermaze.server.egress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The hand-off from the pipeline thread (the one producer) to one event loop (the one consumer): a bounded ring of
 * preallocated slots, each a pair
 * (in the egress: a {@link Connection} and the {@link io.netty.buffer.ByteBuf} of bytes for it).
 * <p>
 * The producer {@link #offer}s records (invisible to the consumer) and {@link #publish}es them all at once with one
 * store of {@code published}; the consumer {@link #drain}s everything published and gives the slots back with one
 * store of {@code consumed}. Each index has one writer and is read by the other side with acquire semantics, so a
 * slot is written before it is published and read before it is given back.
 * <p>
 * Wake-ups need no flag that both sides write either: the producer counts the drains it has asked for
 * ({@code wakeupsAsked}, its own), the consumer the drains it has begun ({@code drainsBegun}, its own). A drain
 * announces itself and then reads {@code published}; the producer publishes and then reads {@code drainsBegun}.
 * Both pairs are volatile (sequentially consistent), so either the producer sees that every drain it asked for has
 * begun, and asks for another, or the drain it is waiting for sees the new records (Dekker's argument).
 */
final class HandoffRing<A, B> {
    private static final VarHandle PUBLISHED;
    private static final VarHandle CONSUMED;
    private static final VarHandle DRAINS_BEGUN;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            PUBLISHED = lookup.findVarHandle(ProducerSide.class, "published", long.class);
            CONSUMED = lookup.findVarHandle(ConsumerSide.class, "consumed", long.class);
            DRAINS_BEGUN = lookup.findVarHandle(ConsumerSide.class, "drainsBegun", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What the consumer does with each record, in order. */
    interface Sink<A, B> {
        void take(A first, B second);
    }

    /** Written by the producer only. Padded so that the consumer's fields are not on the same cache line. */
    @SuppressWarnings("unused")
    private static final class ProducerSide {
        long p01, p02, p03, p04, p05, p06, p07;
        /** Next slot to fill. */
        long tail;
        /** Records the consumer may read (VarHandle: released; volatile where a wake-up decision depends on it). */
        long published;
        /** The last {@code consumed} seen: re-read only when the ring looks full. */
        long consumedSeen;
        /** Drains this side asked the event loop to run. */
        long wakeupsAsked;
        long p11, p12, p13, p14, p15, p16, p17;
    }

    /** Written by the consumer only. */
    @SuppressWarnings("unused")
    private static final class ConsumerSide {
        long p01, p02, p03, p04, p05, p06, p07;
        /** Slots given back (VarHandle: released). */
        long consumed;
        /** Drains begun (VarHandle: volatile, see the class comment). */
        long drainsBegun;
        long p11, p12, p13, p14, p15, p16, p17;
    }

    private final Object[] firsts;
    private final Object[] seconds;
    private final int mask;
    private final ProducerSide producer = new ProducerSide();
    private final ConsumerSide consumer = new ConsumerSide();

    /** @param capacity a power of two */
    HandoffRing(int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        firsts = new Object[capacity];
        seconds = new Object[capacity];
        mask = capacity - 1;
    }

    int capacity() {
        return mask + 1;
    }

    // ---- producer (pipeline thread) ----

    /** Stages one record; the consumer sees it after {@link #publish()}. @return false if the ring is full */
    boolean offer(A first, B second) {
        final ProducerSide p = producer;
        final long tail = p.tail;
        if (tail - p.consumedSeen > mask) {
            p.consumedSeen = (long) CONSUMED.getAcquire(consumer);
            if (tail - p.consumedSeen > mask) {
                return false;
            }
        }
        final int i = (int) tail & mask;
        firsts[i] = first;
        seconds[i] = second;
        p.tail = tail + 1;
        return true;
    }

    /**
     * Makes every offered record visible to the consumer.
     *
     * @return true if the caller must schedule a drain: none that is asked for and not yet begun would see them
     */
    boolean publish() {
        final ProducerSide p = producer;
        if (p.tail == p.published) {
            return false;
        }
        PUBLISHED.setVolatile(p, p.tail);
        if ((long) DRAINS_BEGUN.getVolatile(consumer) == p.wakeupsAsked) {
            p.wakeupsAsked++;
            return true;
        }
        return false;
    }

    /** Producer: records offered and not yet taken by the consumer. */
    long unconsumed() {
        return producer.tail - (long) CONSUMED.getAcquire(consumer);
    }

    // ---- consumer (event loop) ----

    /** Hands every published record to {@code sink} in order, then gives the slots back. @return records taken */
    @SuppressWarnings("unchecked")
    int drain(Sink<? super A, ? super B> sink) {
        final ConsumerSide c = consumer;
        DRAINS_BEGUN.setVolatile(c, c.drainsBegun + 1); // announce, then look (see the class comment)
        final long head = c.consumed;
        final long end = (long) PUBLISHED.getVolatile(producer);
        for (long n = head; n < end; n++) {
            final int i = (int) n & mask;
            final A first = (A) firsts[i];
            final B second = (B) seconds[i];
            firsts[i] = null;
            seconds[i] = null;
            sink.take(first, second);
        }
        CONSUMED.setRelease(c, end); // after the slots are read and cleared: the producer may now reuse them
        return (int) (end - head);
    }
}
