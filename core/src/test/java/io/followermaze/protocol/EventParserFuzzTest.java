package io.followermaze.protocol;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Differential fuzzing of the byte parser against an obviously-correct reference written with String.split and
 * BigInteger: random mutations of valid lines and random bytes. Millions of lines per run, seeded, no exception
 * allowed, and accept/reject plus every field must agree.
 */
class EventParserFuzzTest {
    private static final int MAX_LINE = 200;
    private static final long SEED = 0xF0110E12L;
    private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

    /** The reference: null if rejected, else {seq, type, from, to}. */
    static long[] reference(byte[] bytes, int start, int end) {
        if (end > start && bytes[end - 1] == '\r') {
            end--;
        }
        if (end - start == 0 || end - start > MAX_LINE) {
            return null;
        }
        final String line = new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
        final String[] f = line.split("\\|", -1);
        if (f.length < 2 || f[1].length() != 1) {
            return null;
        }
        final int expectedFields = switch (f[1].charAt(0)) {
            case 'F', 'U', 'P' -> 4;
            case 'S' -> 3;
            case 'B' -> 2;
            default -> -1;
        };
        if (expectedFields != f.length) {
            return null;
        }
        final long[] out = {number(f[0]), f[1].charAt(0), f.length > 2 ? number(f[2]) : 0, f.length > 3 ? number(f[3]) : 0};
        for (int i = 0; i < f.length; i++) {
            if (i != 1 && out[i == 0 ? 0 : i] < 0) {
                return null;
            }
        }
        return out;
    }

    private static long number(String s) {
        if (s.isEmpty() || s.length() > 19 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        final BigInteger v = new BigInteger(s);
        return v.signum() == 0 || v.compareTo(MAX) > 0 ? -1 : v.longValue();
    }

    private static final String[] VALID = {
        "1|B", "42|F|7|9", "43|U|7|9", "44|P|123|456", "45|S|32", "9223372036854775807|S|9223372036854775807",
        "0001|B", "100|P|1|1", "7|F|0012|0340",
        // digit runs around the one-pass parser's word size (8) and limit (15)
        "12345678|P|87654321|1", "123456789|F|12345678901|7", "123456789012345|S|1234567890123456", "00000000|B",
    };

    private static void check(EventParser parser, Event event, byte[] buf, int start, int end) {
        final ParseOutcome outcome;
        try {
            outcome = parser.parse(buf, start, end, event);
        } catch (RuntimeException e) {
            throw new AssertionError("parser threw on '" + new String(buf, start, end - start, StandardCharsets.ISO_8859_1)
                + "'", e);
        }
        final long[] ref = reference(buf, start, end);
        final String line = new String(buf, start, end - start, StandardCharsets.ISO_8859_1);
        if (ref == null) {
            if (outcome == ParseOutcome.ACCEPTED) {
                fail("accepted what the reference rejects: '" + line + "'");
            }
            return;
        }
        assertEquals(ParseOutcome.ACCEPTED, outcome, () -> "rejected what the reference accepts: '" + line + "'");
        assertEquals(ref[0], event.seq, line);
        assertEquals(ref[1], event.type, line);
        assertEquals(ref[2], event.from, line);
        assertEquals(ref[3], event.to, line);
        assertEquals(start, event.payloadOffset, line);
        final int payloadEnd = end > start && buf[end - 1] == '\r' ? end - 1 : end;
        assertEquals(payloadEnd - start, event.payloadLength, line);
        assertTrue(event.payloadLength <= EventParser.MAX_PAYLOAD_LENGTH, line);
    }

    @Test
    void mutatedValidLinesAgreeWithTheReference() {
        final Random random = new Random(SEED);
        final EventParser parser = new EventParser(MAX_LINE);
        final Event event = new Event();
        final byte[] alphabet = "0123456789|FUBPSX\r -+".getBytes(StandardCharsets.ISO_8859_1);
        final byte[] buf = new byte[256];
        final int lines = 2_000_000;
        for (int n = 0; n < lines; n++) {
            final byte[] base = VALID[random.nextInt(VALID.length)].getBytes(StandardCharsets.ISO_8859_1);
            final int offset = random.nextInt(8); // the line sits anywhere in the buffer
            int len = base.length;
            System.arraycopy(base, 0, buf, offset, len);
            final int edits = 1 + random.nextInt(3);
            for (int e = 0; e < edits; e++) {
                final byte b = random.nextInt(8) == 0 ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
                switch (random.nextInt(3)) {
                    case 0 -> { // replace
                        if (len > 0) {
                            buf[offset + random.nextInt(len)] = b;
                        }
                    }
                    case 1 -> { // insert
                        final int at = random.nextInt(len + 1);
                        System.arraycopy(buf, offset + at, buf, offset + at + 1, len - at);
                        buf[offset + at] = b;
                        len++;
                    }
                    default -> { // delete
                        if (len > 0) {
                            final int at = random.nextInt(len);
                            System.arraycopy(buf, offset + at + 1, buf, offset + at, len - at - 1);
                            len--;
                        }
                    }
                }
            }
            check(parser, event, buf, offset, offset + len);
        }
    }

    @Test
    void randomBytesNeverThrowAndAgreeWithTheReference() {
        final Random random = new Random(SEED + 1);
        final EventParser parser = new EventParser(MAX_LINE);
        final Event event = new Event();
        final byte[] buf = new byte[1 << 20];
        random.nextBytes(buf);
        final int lines = 10_000_000;
        for (int n = 0; n < lines; n++) {
            final int start = random.nextInt(buf.length - 300);
            final int len = random.nextInt(random.nextBoolean() ? 8 : 300);
            if (n % 4 == 0) { // bias towards the structure of a line so deeper paths are reached too
                buf[start] = (byte) ('1' + random.nextInt(9));
                if (len > 2) {
                    buf[start + 1] = '|';
                    buf[start + 2] = (byte) "FUBPS".charAt(random.nextInt(5));
                }
            }
            check(parser, event, buf, start, start + len);
        }
    }

    /** The one-pass line parser must agree with "find the line end, then parse" on every line of every buffer. */
    @Test
    void oneParseNextLinePassAgreesWithSplitThenParse() {
        final Random random = new Random(SEED + 2);
        final EventParser fast = new EventParser(MAX_LINE);
        final EventParser slow = new EventParser(MAX_LINE);
        final Event a = new Event();
        final Event b = new Event();
        final Event c = new Event();
        final String[] pieces = {"1|B", "42|F|7|9", "43|U|7|9", "44|P|123|456", "45|S|32", "\r", "\n", "|", "0", "9",
            "999999999999999999", "9999999999999999999", "9223372036854775807", "9223372036854775808", "x", " ", "B",
            "S", "P|", "|F|", "\r\n",
            "1234567", "12345678", "123456789", "00000000", "000000001", "123456789012345", "1234567890123456",
            "12345678901234567", "99999999|S|99999999", "100000000|P|12345678|1"};
        final StringBuilder sb = new StringBuilder();
        for (int round = 0; round < 200_000; round++) {
            sb.setLength(0);
            for (int k = random.nextInt(12); k >= 0; k--) {
                sb.append(random.nextInt(3) == 0 ? pieces[random.nextInt(pieces.length)]
                    : VALID[random.nextInt(VALID.length)] + (random.nextBoolean() ? "\n" : "\r\n"));
            }
            final byte[] buf = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
            // The same bytes again with junk after the limit (mostly digits, which would lengthen a number): the
            // parser reads words that cross the limit and must ignore what lies beyond it.
            final byte[] padded = java.util.Arrays.copyOf(buf, buf.length + 8 + random.nextInt(16));
            for (int j = buf.length; j < padded.length; j++) {
                padded[j] = random.nextInt(4) == 0 ? (byte) random.nextInt(256) : (byte) ('0' + random.nextInt(10));
            }
            int start = 0;
            while (start < buf.length) {
                final ParseOutcome got = fast.parseNextLine(buf, start, buf.length, a);
                final ParseOutcome gotPadded = fast.parseNextLine(padded, start, buf.length, c);
                final int paddedLineEnd = fast.lineEnd();
                int end = start;
                while (end < buf.length && buf[end] != '\n') {
                    end++;
                }
                final ParseOutcome want = slow.parse(buf, start, end, b);
                final String line = new String(buf, start, end - start, StandardCharsets.ISO_8859_1);
                assertEquals(want, got, line);
                assertEquals(want, gotPadded, line);
                assertEquals(end, paddedLineEnd, line);
                fast.parseNextLine(buf, start, buf.length, a);
                assertEquals(end, fast.lineEnd(), line);
                if (want == ParseOutcome.ACCEPTED) {
                    for (Event e : new Event[] {a, c}) {
                        assertEquals(b.seq, e.seq, line);
                        assertEquals(b.type, e.type, line);
                        assertEquals(b.from, e.from, line);
                        assertEquals(b.to, e.to, line);
                        assertEquals(b.payloadOffset, e.payloadOffset, line);
                        assertEquals(b.payloadLength, e.payloadLength, line);
                    }
                }
                start = end + 1;
            }
        }
    }
}
