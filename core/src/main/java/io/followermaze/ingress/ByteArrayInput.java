package io.followermaze.ingress;

/** A {@link ByteInput} over a byte array range; reusable ({@link #wrap}) so that feeding a framer allocates nothing. */
public final class ByteArrayInput implements ByteInput {
    private byte[] bytes = new byte[0];
    private int position;
    private int end;

    /** Reads {@code bytes[offset, offset + length)} from now on. */
    public ByteArrayInput wrap(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + length + " of " + bytes.length);
        }
        this.bytes = bytes;
        this.position = offset;
        this.end = offset + length;
        return this;
    }

    @Override
    public int readable() {
        return end - position;
    }

    @Override
    public int indexOfLineEnd() {
        for (int i = position; i < end; i++) {
            if (bytes[i] == '\n') {
                return i - position;
            }
        }
        return -1;
    }

    @Override
    public int lastIndexOfLineEnd(int span) {
        for (int i = position + span - 1; i >= position; i--) {
            if (bytes[i] == '\n') {
                return i - position;
            }
        }
        return -1;
    }

    @Override
    public void read(byte[] dst, int offset, int length) {
        System.arraycopy(bytes, position, dst, offset, length);
        position += length;
    }

    @Override
    public void skip(int length) {
        position += length;
    }
}
