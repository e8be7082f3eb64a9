package io.followermaze.loadgen.stream;

/** ASCII decimal formatting straight into byte arrays: no Strings on the per-event path. */
public final class Decimal {
    private Decimal() {
    }

    /** Digits of a non-negative value. */
    public static int digits(long value) {
        int d = 1;
        while (value >= 10) {
            value /= 10;
            d++;
        }
        return d;
    }

    /** Writes a non-negative value at {@code pos}; returns the position after its last digit. */
    public static int put(byte[] out, int pos, long value) {
        final int end = pos + digits(value);
        int i = end;
        do {
            out[--i] = (byte) ('0' + (int) (value % 10));
            value /= 10;
        } while (value != 0);
        return end;
    }
}
