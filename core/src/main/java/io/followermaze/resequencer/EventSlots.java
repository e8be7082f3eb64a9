package io.followermaze.resequencer;

import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Fixed-size storage for held-back events: no object per event. Each slot is one contiguous record in a single
 * byte array, so storing or releasing an event touches one cache line (two adjacent ones when the array is not
 * line-aligned, shared with the neighbouring slots) instead of one line in each of six parallel arrays:
 * <pre>
 *   0 seq (8) | 8 from (8) | 16 to (8) | 24 type (1) | 25 length (1) | 26 payload (up to stride - 26) | ...
 * </pre>
 * A payload longer than the slot's room (38 bytes at the 64-byte stride: longer than any payload with seqs and
 * user ids under ten digits) goes to a second array at the same index, allocated on first use. Every accepted
 * payload fits there (see {@link EventParser#MAX_PAYLOAD_LENGTH}). A free slot has seq 0.
 */
final class EventSlots {
    private static final int SEQ = 0;
    private static final int FROM = 8;
    private static final int TO = 16;
    private static final int TYPE = 24;
    private static final int LENGTH = 25;
    private static final int PAYLOAD = 26;
    /** The smallest stride that holds every record whole, rounded up to keep the longs 8-byte aligned. */
    static final int COMPACT_STRIDE = (PAYLOAD + EventParser.MAX_PAYLOAD_LENGTH + 7) & ~7;
    /** One cache line per slot: the window sweeps through memory one line per held event. */
    static final int CACHE_LINE_STRIDE = 64;
    private static final int LONG_PAYLOAD_STRIDE = 64;

    static {
        if (EventParser.MAX_PAYLOAD_LENGTH > LONG_PAYLOAD_STRIDE) {
            throw new ExceptionInInitializerError("long payload stride too small");
        }
    }

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private final int stride;
    /** Longest payload kept in the slot itself. */
    private final int inlinePayload;
    private byte[] slots;
    /** Payloads longer than {@link #inlinePayload}, at {@code slot * LONG_PAYLOAD_STRIDE}; null until needed. */
    private byte[] longPayloads;

    EventSlots(int capacity, int stride) {
        if (stride < PAYLOAD + 1 || stride % 8 != 0) {
            throw new IllegalArgumentException("bad stride " + stride);
        }
        this.stride = stride;
        this.inlinePayload = stride - PAYLOAD;
        this.slots = new byte[Math.multiplyExact(capacity, stride)];
    }

    int capacity() {
        return slots.length / stride;
    }

    /** @return the seq held in the slot, or 0 when it is free */
    long seq(int slot) {
        return (long) LONG.get(slots, slot * stride + SEQ);
    }

    void free(int slot) {
        LONG.set(slots, slot * stride + SEQ, 0L);
    }

    void store(int slot, Event e) {
        final byte[] b = slots;
        final int at = slot * stride;
        LONG.set(b, at + SEQ, e.seq);
        LONG.set(b, at + FROM, e.from);
        LONG.set(b, at + TO, e.to);
        b[at + TYPE] = e.type;
        b[at + LENGTH] = (byte) e.payloadLength;
        if (e.payloadLength <= inlinePayload) {
            System.arraycopy(e.payload, e.payloadOffset, b, at + PAYLOAD, e.payloadLength);
        } else {
            System.arraycopy(e.payload, e.payloadOffset, longPayloads(), slot * LONG_PAYLOAD_STRIDE, e.payloadLength);
        }
    }

    /** Points {@code into} at the slot's data; valid until the slot is overwritten. */
    void load(int slot, Event into) {
        final byte[] b = slots;
        final int at = slot * stride;
        final int length = b[at + LENGTH];
        final boolean inline = length <= inlinePayload;
        into.set((long) LONG.get(b, at + SEQ), b[at + TYPE], (long) LONG.get(b, at + FROM), (long) LONG.get(b, at + TO),
            inline ? b : longPayloads, inline ? at + PAYLOAD : slot * LONG_PAYLOAD_STRIDE, length);
    }

    private byte[] longPayloads() {
        if (longPayloads == null) {
            longPayloads = new byte[Math.multiplyExact(capacity(), LONG_PAYLOAD_STRIDE)];
        }
        return longPayloads;
    }

    /** Grows to {@code newCapacity}, keeping slots 0..capacity-1. Allocation happens here only. */
    void growTo(int newCapacity) {
        slots = java.util.Arrays.copyOf(slots, Math.multiplyExact(newCapacity, stride));
        if (longPayloads != null) {
            longPayloads = java.util.Arrays.copyOf(longPayloads, Math.multiplyExact(newCapacity, LONG_PAYLOAD_STRIDE));
        }
    }
}
