package io.followermaze.loadgen.verify;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Byte-level line helpers for the verifier: newline counting eight bytes at a time, and printable lines. */
public final class Lines {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0A0A_0A0A_0A0A_0A0AL;
    private static final long LOW7 = 0x7F7F_7F7F_7F7F_7F7FL;

    private Lines() {
    }

    /** Number of {@code '\n'} bytes in {@code bytes[from, to)}. */
    public static int countNewlines(byte[] bytes, int from, int to) {
        int count = 0;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            final long x = (long) LONGS.get(bytes, i) ^ NEWLINES; // a zero byte wherever there was a '\n'
            count += Long.bitCount(~(((x & LOW7) + LOW7) | x | LOW7));
        }
        for (; i < to; i++) {
            if (bytes[i] == '\n') {
                count++;
            }
        }
        return count;
    }

    /** Index of the last {@code '\n'} in {@code bytes[from, to)}, or -1. */
    public static int lastNewline(byte[] bytes, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Index of the first {@code '\n'} in {@code bytes[from, to)}, or -1. */
    public static int firstNewline(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Quotes a line for a message, showing line ends and any other control byte as escapes. */
    public static String quote(byte[] bytes, int from, int to) {
        final StringBuilder sb = new StringBuilder(to - from + 8).append('"');
        for (int i = from; i < to; i++) {
            final int b = bytes[i] & 0xFF;
            if (b == '\r') {
                sb.append("\\r");
            } else if (b == '\n') {
                sb.append("\\n");
            } else if (b == '"' || b == '\\') {
                sb.append('\\').append((char) b);
            } else if (b < 0x20 || b >= 0x7F) {
                sb.append(String.format("\\x%02x", b));
            } else {
                sb.append((char) b);
            }
        }
        return sb.append('"').toString();
    }
}
