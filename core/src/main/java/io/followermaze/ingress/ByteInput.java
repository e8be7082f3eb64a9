package io.followermaze.ingress;

/**
 * The bytes a {@link LineFramer} reads from: a cursor over received input, consumed front to back. The server adapts
 * a Netty buffer to it; tests, tools and benchmarks use {@link ByteArrayInput}. Offsets are relative to the cursor.
 */
public interface ByteInput {

    /** Bytes left to read. */
    int readable();

    /** Offset of the first {@code '\n'} left to read, or -1. */
    int indexOfLineEnd();

    /** Offset of the last {@code '\n'} among the next {@code span} bytes, or -1. */
    int lastIndexOfLineEnd(int span);

    /** Copies the next {@code length} bytes to {@code dst[offset…]} and moves past them. */
    void read(byte[] dst, int offset, int length);

    /** Moves past the next {@code length} bytes. */
    void skip(int length);
}
