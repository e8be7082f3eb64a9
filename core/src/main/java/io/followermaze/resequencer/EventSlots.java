package io.followermaze.resequencer;

import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;

/**
 * Fixed-size storage for held-back events, structure-of-arrays: no object per event, payloads packed
 * into one byte array at {@link #STRIDE} bytes per slot (every accepted payload fits, see
 * {@link EventParser#MAX_PAYLOAD_LENGTH}).
 */
final class EventSlots {
    static final int STRIDE = 64;

    static {
        if (EventParser.MAX_PAYLOAD_LENGTH > STRIDE) {
            throw new ExceptionInInitializerError("payload stride too small");
        }
    }

    long[] seq;
    private byte[] type;
    private long[] from;
    private long[] to;
    private byte[] payload;
    private byte[] length;

    EventSlots(int capacity) {
        allocate(capacity);
    }

    int capacity() {
        return seq.length;
    }

    void store(int slot, Event e) {
        seq[slot] = e.seq;
        type[slot] = e.type;
        from[slot] = e.from;
        to[slot] = e.to;
        length[slot] = (byte) e.payloadLength;
        System.arraycopy(e.payload, e.payloadOffset, payload, slot * STRIDE, e.payloadLength);
    }

    /** Points {@code into} at the slot's data; valid until the slot is overwritten. */
    void load(int slot, Event into) {
        into.set(seq[slot], type[slot], from[slot], to[slot], payload, slot * STRIDE, length[slot]);
    }

    /** Grows to {@code newCapacity}, keeping slots 0..capacity-1. Allocation happens here only. */
    void growTo(int newCapacity) {
        final int old = seq.length;
        final long[] oldSeq = seq;
        final byte[] oldType = type;
        final long[] oldFrom = from;
        final long[] oldTo = to;
        final byte[] oldPayload = payload;
        final byte[] oldLength = length;
        allocate(newCapacity);
        System.arraycopy(oldSeq, 0, seq, 0, old);
        System.arraycopy(oldType, 0, type, 0, old);
        System.arraycopy(oldFrom, 0, from, 0, old);
        System.arraycopy(oldTo, 0, to, 0, old);
        System.arraycopy(oldPayload, 0, payload, 0, old * STRIDE);
        System.arraycopy(oldLength, 0, length, 0, old);
    }

    private void allocate(int capacity) {
        seq = new long[capacity];
        type = new byte[capacity];
        from = new long[capacity];
        to = new long[capacity];
        payload = new byte[Math.multiplyExact(capacity, STRIDE)];
        length = new byte[capacity];
    }
}
