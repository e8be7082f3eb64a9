package io.followermaze.protocol;

/**
 * A mutable, reusable view of one event: the parsed fields and where its payload bytes are.
 * <p>
 * The payload is the line exactly as the source sent it, without its line end; it is what clients receive.
 * Instances are flyweights owned by one thread: whoever hands one out may overwrite it after the call returns.
 */
public final class Event {
    /** Value of {@link #from}/{@link #to} when the type has no such field. */
    public static final long NO_USER = 0;

    public long seq;
    public byte type;
    public long from = NO_USER;
    public long to = NO_USER;
    public byte[] payload;
    public int payloadOffset;
    public int payloadLength;

    public void set(long seq, byte type, long from, long to, byte[] payload, int offset, int length) {
        this.seq = seq;
        this.type = type;
        this.from = from;
        this.to = to;
        this.payload = payload;
        this.payloadOffset = offset;
        this.payloadLength = length;
    }

    /** Allocates; for tests and diagnostics only. */
    public String payloadAsString() {
        return new String(payload, payloadOffset, payloadLength, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString() {
        return "Event{" + payloadAsString() + '}';
    }
}
