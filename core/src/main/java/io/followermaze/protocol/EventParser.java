package io.followermaze.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Parses one event line ({@code seq|type[|from[|to]]}) straight out of a byte array, allocating nothing.
 * <p>
 * Validation is strict: every numeric field is 1 to 19 ASCII digits with a value from 1 to
 * {@link Long#MAX_VALUE}; the type is one byte from {@link EventType}; the field count matches the type.
 * A trailing {@code '\r'} is part of the line end, not of the payload. Because every field is bounded,
 * an accepted payload is at most {@link #MAX_PAYLOAD_LENGTH} bytes, which lets the resequencer store
 * payloads in fixed-size slots.
 */
public final class EventParser {
    /** 19 digits seq + '|' + type + '|' + 19 digits + '|' + 19 digits. */
    public static final int MAX_PAYLOAD_LENGTH = 19 + 1 + 1 + 1 + 19 + 1 + 19;

    private static final int MAX_DIGITS = 19;
    private static final long INVALID = -1;

    /** Eight bytes as one long, first byte lowest: the one-pass path reads digits a word at a time (SWAR). */
    private static final VarHandle WORD = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ASCII_ZEROS = 0x3030_3030_3030_3030L;
    private static final long LOW_7_BITS = 0x7F7F_7F7F_7F7F_7F7FL;
    /** Added to a byte's low 7 bits, sets its top bit exactly when they are >= 10. */
    private static final long PLUS_118 = 0x7676_7676_7676_7676L;
    private static final long TOP_BITS = 0x8080_8080_8080_8080L;
    /** The word path takes at most 15 digits (a full word and part of another): no overflow is possible. */
    private static final int FAST_MAX_DIGITS = 15;
    private static final long[] POWERS_OF_TEN =
        {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

    private final int maxLineLength;

    /** Index just past the last number parsed; avoids returning two values from {@link #parseNumber}. */
    private int cursor;
    /** Where the line taken by the last {@link #parseNextLine} ends: its '\n', or the limit. */
    private int lineEnd;

    /** @param maxLineLength longest line (without its line end) that is parsed at all; longer is rejected */
    public EventParser(int maxLineLength) {
        if (maxLineLength < 1) {
            throw new IllegalArgumentException("maxLineLength must be positive: " + maxLineLength);
        }
        this.maxLineLength = maxLineLength;
    }

    /**
     * Parses {@code bytes[start, end)}, a line without its {@code '\n'} (a trailing {@code '\r'} is dropped).
     *
     * @param into receives the fields when the line is accepted; its payload points into {@code bytes}
     * @return {@link ParseOutcome#ACCEPTED} or the reason for rejection; never throws on bad input
     */
    public ParseOutcome parse(byte[] bytes, int start, int end, Event into) {
        if (end > start && bytes[end - 1] == '\r') {
            end--;
        }
        final int length = end - start;
        if (length == 0) {
            return ParseOutcome.EMPTY_LINE;
        }
        if (length > maxLineLength) {
            return ParseOutcome.LINE_TOO_LONG;
        }

        final long seq = parseNumber(bytes, start, end);
        if (seq == INVALID) {
            return ParseOutcome.BAD_SEQUENCE;
        }
        if (cursor == end) {
            return ParseOutcome.WRONG_FIELD_COUNT;
        }
        final int typeIndex = cursor + 1;
        if (typeIndex == end) {
            return ParseOutcome.UNKNOWN_TYPE;
        }
        final byte type = bytes[typeIndex];
        final int fields = EventType.fieldCount(type);
        if (fields < 0 || (typeIndex + 1 < end && bytes[typeIndex + 1] != '|')) {
            return ParseOutcome.UNKNOWN_TYPE;
        }

        long from = Event.NO_USER;
        long to = Event.NO_USER;
        int index = typeIndex + 1;
        if (fields >= 3) {
            if (index == end) {
                return ParseOutcome.WRONG_FIELD_COUNT;
            }
            from = parseNumber(bytes, index + 1, end);
            if (from == INVALID) {
                return ParseOutcome.BAD_USER_ID;
            }
            index = cursor;
        }
        if (fields == 4) {
            if (index == end) {
                return ParseOutcome.WRONG_FIELD_COUNT;
            }
            if (bytes[index] != '|') {
                return ParseOutcome.BAD_USER_ID;
            }
            to = parseNumber(bytes, index + 1, end);
            if (to == INVALID) {
                return ParseOutcome.BAD_USER_ID;
            }
            index = cursor;
        }
        if (index != end) {
            // Something follows the last field: either more fields or junk after a number.
            return bytes[index] == '|' ? ParseOutcome.WRONG_FIELD_COUNT
                : fields >= 3 ? ParseOutcome.BAD_USER_ID : ParseOutcome.UNKNOWN_TYPE;
        }
        into.set(seq, type, from, to, bytes, start, length);
        return ParseOutcome.ACCEPTED;
    }

    /**
     * Parses the line that starts at {@code start} and ends at the next {@code '\n'} (or at {@code limit}), in one
     * pass over its bytes when it is well formed; {@link #lineEnd()} then tells where it ended. Any line the fast
     * path does not recognise is handed to {@link #parse}, so outcomes are exactly those of {@link #parse}.
     */
    public ParseOutcome parseNextLine(byte[] bytes, int start, int limit, Event into) {
        fast:
        {
            final long seq = fastNumber(bytes, start, limit);
            int i = cursor;
            if (seq <= 0 || i + 1 >= limit || bytes[i] != '|') {
                break fast;
            }
            final byte type = bytes[i + 1];
            final int fields = EventType.fieldCount(type);
            if (fields < 0) {
                break fast;
            }
            i += 2;
            long from = Event.NO_USER;
            long to = Event.NO_USER;
            if (fields >= 3) {
                if (i >= limit || bytes[i] != '|') {
                    break fast;
                }
                from = fastNumber(bytes, i + 1, limit);
                i = cursor;
                if (from <= 0) {
                    break fast;
                }
                if (fields == 4) {
                    if (i >= limit || bytes[i] != '|') {
                        break fast;
                    }
                    to = fastNumber(bytes, i + 1, limit);
                    i = cursor;
                    if (to <= 0) {
                        break fast;
                    }
                }
            }
            final int payloadEnd = i;
            if (i < limit && bytes[i] == '\r') {
                i++;
            }
            if ((i < limit && bytes[i] != '\n') || payloadEnd - start > maxLineLength) {
                break fast;
            }
            lineEnd = i;
            into.set(seq, type, from, to, bytes, start, payloadEnd - start);
            return ParseOutcome.ACCEPTED;
        }
        int end = start;
        while (end < limit && bytes[end] != '\n') {
            end++;
        }
        lineEnd = end;
        return parse(bytes, start, end, into);
    }

    /** End of the line taken by the last {@link #parseNextLine}: the index of its '\n', or the limit. */
    public int lineEnd() {
        return lineEnd;
    }

    /**
     * The one-pass path's number: reads the digits at {@code i} (before {@code limit}) eight bytes at a time and sets
     * {@link #cursor} past them. Returns 0 or {@link #INVALID} when there are no digits, more than
     * {@value #FAST_MAX_DIGITS}, or the word would pass the array's end: the careful path then decides.
     */
    private long fastNumber(byte[] bytes, int i, int limit) {
        final int start = i;
        long value = 0;
        while (i <= bytes.length - Long.BYTES) {
            final long digits = (long) WORD.get(bytes, i) ^ ASCII_ZEROS; // a digit byte becomes 0..9
            long nonDigits = (((digits & LOW_7_BITS) + PLUS_118) | digits) & TOP_BITS;
            final int room = limit - i;
            if (room < Long.BYTES) {
                nonDigits |= 0x80L << (room << 3); // bytes from the limit on are not ours
            }
            final int n = Long.numberOfTrailingZeros(nonDigits) >>> 3; // leading digit bytes, 0..8
            if (n == 0) {
                cursor = i;
                return i == start ? INVALID : value; // the digits ended exactly at a word boundary
            }
            // Shift the n digits to the top (leading zeros below them), then combine them pairwise.
            value = value * POWERS_OF_TEN[n] + eightDigits(digits << ((Long.BYTES - n) << 3));
            i += n;
            if (n < Long.BYTES) {
                cursor = i;
                return value;
            }
            if (i - start == 2 * Long.BYTES) {
                return INVALID; // 16 digits or more: the careful path checks for overflow
            }
        }
        cursor = i;
        return INVALID; // too near the array's end to read a word
    }

    /** Eight digit values 0..9, first in the lowest byte, to their decimal value (SWAR, three multiplies). */
    private static long eightDigits(long v) {
        v = (v * 2561) >>> 8;                                         // pairs: 10 * a + b
        v = ((v & 0x00FF_00FF_00FF_00FFL) * 6553601) >>> 16;           // quads: 100 * ab + cd
        return ((v & 0x0000_FFFF_0000_FFFFL) * 42949672960001L) >>> 32; // 10^4 * abcd + efgh
    }

    /**
     * Reads 1..19 digits from {@code start} up to the next '|' or {@code end}; sets {@link #cursor} to the index
     * after the digits. Returns {@link #INVALID} when there are no digits, a non-digit before the separator,
     * too many digits, overflow, or zero.
     */
    private long parseNumber(byte[] bytes, int start, int end) {
        long value = 0;
        int i = start;
        while (i < end) {
            final int b = bytes[i];
            if (b == '|') {
                break;
            }
            final int digit = b - '0';
            if (digit < 0 || digit > 9 || i - start == MAX_DIGITS) {
                return INVALID;
            }
            value = value * 10 + digit;
            if (value < 0) {
                return INVALID; // overflowed past Long.MAX_VALUE (only possible at the 19th digit)
            }
            i++;
        }
        cursor = i;
        return (i == start || value == 0) ? INVALID : value;
    }
}
