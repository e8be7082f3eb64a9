package io.followermaze.protocol;

import io.followermaze.testkit.EventStreamGenerator;
import io.followermaze.testkit.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class EventParserTest {
    private final EventParser parser = new EventParser(1024);

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Parses {@code line} placed mid-array, between junk bytes, as a caller splitting a chunk would. */
    private ParseOutcome parseMidArray(EventParser p, String line, Event into) {
        final byte[] prefix = bytes("77|B\n");
        final byte[] body = bytes(line);
        final byte[] suffix = bytes("\n9|S|1");
        final byte[] all = new byte[prefix.length + body.length + suffix.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(body, 0, all, prefix.length, body.length);
        System.arraycopy(suffix, 0, all, prefix.length + body.length, suffix.length);
        return p.parse(all, prefix.length, prefix.length + body.length, into);
    }

    private ParseOutcome parse(String line) {
        return parseMidArray(parser, line, new Event());
    }

    // ---- accepted ----

    static Stream<Arguments> validLines() {
        return Stream.of(
            Arguments.of("666|F|60|50", 666L, EventType.FOLLOW, 60L, 50L),
            Arguments.of("1|U|12|9", 1L, EventType.UNFOLLOW, 12L, 9L),
            Arguments.of("542532|B", 542532L, EventType.BROADCAST, Event.NO_USER, Event.NO_USER),
            Arguments.of("43|P|32|56", 43L, EventType.PRIVATE_MESSAGE, 32L, 56L),
            Arguments.of("634|S|32", 634L, EventType.STATUS_UPDATE, 32L, Event.NO_USER),
            Arguments.of("9223372036854775807|B", Long.MAX_VALUE, EventType.BROADCAST, Event.NO_USER, Event.NO_USER),
            Arguments.of("9223372036854775807|F|9223372036854775807|9223372036854775807",
                Long.MAX_VALUE, EventType.FOLLOW, Long.MAX_VALUE, Long.MAX_VALUE),
            Arguments.of("0000000000000000007|P|007|0000000000000000001", 7L, EventType.PRIVATE_MESSAGE, 7L, 1L),
            Arguments.of("5|F|3|3", 5L, EventType.FOLLOW, 3L, 3L));
    }

    @ParameterizedTest
    @MethodSource("validLines")
    void acceptsEveryTypeWithLf(String line, long seq, byte type, long from, long to) {
        assertAccepted(line, line, seq, type, from, to);
    }

    @ParameterizedTest
    @MethodSource("validLines")
    void acceptsEveryTypeWithCrlfAndStripsTheCr(String line, long seq, byte type, long from, long to) {
        assertAccepted(line + "\r", line, seq, type, from, to);
    }

    private void assertAccepted(String input, String payload, long seq, byte type, long from, long to) {
        final Event e = new Event();
        final byte[] prefix = bytes("12|P|1|2\n");
        final byte[] body = bytes(input);
        final byte[] all = new byte[prefix.length + body.length + 5];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(body, 0, all, prefix.length, body.length);
        all[prefix.length + body.length] = '\n';
        final int start = prefix.length;
        final int end = prefix.length + body.length;

        assertEquals(ParseOutcome.ACCEPTED, parser.parse(all, start, end, e), input);
        assertEquals(seq, e.seq);
        assertEquals(type, e.type);
        assertEquals(from, e.from);
        assertEquals(to, e.to);
        assertSame(all, e.payload, "payload must point into the input, no copy");
        assertEquals(start, e.payloadOffset);
        assertEquals(payload.length(), e.payloadLength);
        assertEquals(payload, e.payloadAsString());
        assertTrue(e.payloadLength <= EventParser.MAX_PAYLOAD_LENGTH);
    }

    @Test
    void acceptedEventOverwritesEveryFieldOfAReusedEvent() {
        final Event e = new Event();
        assertEquals(ParseOutcome.ACCEPTED, parser.parse(bytes("3|F|4|5"), 0, 7, e));
        assertEquals(ParseOutcome.ACCEPTED, parser.parse(bytes("8|B"), 0, 3, e));
        assertEquals(8, e.seq);
        assertEquals(EventType.BROADCAST, e.type);
        assertEquals(Event.NO_USER, e.from);
        assertEquals(Event.NO_USER, e.to);
        assertEquals("8|B", e.payloadAsString());
    }

    @Test
    void longestPossibleLineIsMaxPayloadLength() {
        final String line = "9223372036854775807|F|9223372036854775807|9223372036854775807";
        assertEquals(EventParser.MAX_PAYLOAD_LENGTH, line.length());
        assertEquals(ParseOutcome.ACCEPTED, parse(line));
    }

    // ---- rejected ----

    @Test
    void rejectsEmptyLines() {
        assertEquals(ParseOutcome.EMPTY_LINE, parse(""));
        assertEquals(ParseOutcome.EMPTY_LINE, parse("\r"));
        assertEquals(ParseOutcome.EMPTY_LINE, parser.parse(new byte[0], 0, 0, new Event()));
    }

    @Test
    void rejectsLinesLongerThanTheLimitBeforeLookingAtThem() {
        final EventParser small = new EventParser(8);
        final Event e = new Event();
        assertEquals(ParseOutcome.ACCEPTED, parseMidArray(small, "1|F|2|34", e));       // exactly 8
        assertEquals(ParseOutcome.ACCEPTED, parseMidArray(small, "1|F|2|34\r", e));     // the CR is not counted
        assertEquals(ParseOutcome.LINE_TOO_LONG, parseMidArray(small, "1|F|2|345", e)); // 9
        assertEquals(ParseOutcome.LINE_TOO_LONG, parseMidArray(small, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", e));
        assertEquals(ParseOutcome.LINE_TOO_LONG, parseMidArray(new EventParser(1), "1|B", e));
    }

    @Test
    void rejectsNonPositiveMaxLineLength() {
        assertThrows(IllegalArgumentException.class, () -> new EventParser(0));
        assertThrows(IllegalArgumentException.class, () -> new EventParser(-1));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a|B", "1a|B", "0|B", "00|B", "-1|B", "+1|B", "|B", "|", " 1|B", "1 |B", "1.0|B",
        "9223372036854775808|B",      // Long.MAX_VALUE + 1
        "9999999999999999999|B",      // 19 digits, overflows
        "18446744073709551617|B",     // wraps to 1 modulo 2^64
        "10000000000000000000|B",     // 20 digits
        "00000000000000000001|B",     // 20 digits, small value
        "x", "\u00e91|B"})
    void rejectsBadSequenceNumbers(String line) {
        assertEquals(ParseOutcome.BAD_SEQUENCE, parse(line), line);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1|X|1|2", "1|f|1|2", "1|FF|1|2", "1|BB", "1||1|2", "1|", "1|B ", "1| B", "1|\u00e9",
        "1|\u00c6|1|2", "1|F1|2"})
    void rejectsUnknownTypes(String line) {
        assertEquals(ParseOutcome.UNKNOWN_TYPE, parse(line), line);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "1",
        "1|B|", "1|B|2", "1|B|2|3",
        "1|S", "1|S|2|", "1|S|2|3", "1|S|2|3|4",
        "1|F", "1|F|2", "1|F|2|3|", "1|F|2|3|4",
        "1|U", "1|U|2", "1|U|2|3|4",
        "1|P", "1|P|2", "1|P|2|3|4", "1|P|2|3||"})
    void rejectsMissingAndExtraFields(String line) {
        assertEquals(ParseOutcome.WRONG_FIELD_COUNT, parse(line), line);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "1|S|", "1|S|0", "1|S|a", "1|S|-2", "1|S|2 ", "1|S| 2", "1|S|9223372036854775808",
        "1|S|12345678901234567890",
        "1|F|0|2", "1|F|2|0", "1|F||2", "1|F|2|", "1|F|x|2", "1|F|2|x", "1|F|2 |3", "1|F|2| 3", "1|F|2|3 ",
        "1|U|00|1", "1|P|9223372036854775808|1", "1|P|1|9223372036854775808", "1|P|1|99999999999999999999",
        "1|P|1|2\r\r", "1|P|\u00e9|2", "1|P|1|\u00ff"})
    void rejectsBadUserIds(String line) {
        assertEquals(ParseOutcome.BAD_USER_ID, parse(line), line);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "1;WRONG_FIELD_COUNT",
        "1|;UNKNOWN_TYPE",
        "1||;UNKNOWN_TYPE",
        "|;BAD_SEQUENCE"})
    void edgeCasesHaveExactOutcomes(String line, ParseOutcome expected) {
        assertEquals(expected, parse(line), line);
    }

    @Test
    void onlyOneTrailingCarriageReturnIsALineEnd() {
        assertEquals(ParseOutcome.ACCEPTED, parse("1|B\r"));
        assertEquals(ParseOutcome.UNKNOWN_TYPE, parse("1|B\r\r"));
        assertEquals(ParseOutcome.UNKNOWN_TYPE, parse("1|B\r|"));
        assertEquals(ParseOutcome.BAD_SEQUENCE, parse("\r1|B"));
        assertEquals(ParseOutcome.WRONG_FIELD_COUNT, parse("1\r"));
        assertEquals(ParseOutcome.UNKNOWN_TYPE, parse("1|\r"));
        assertEquals(ParseOutcome.BAD_USER_ID, parse("1|S|\r\r"));
    }

    @Test
    void rejectedLineLeavesTheEventUntouched() {
        final Event e = new Event();
        assertEquals(ParseOutcome.ACCEPTED, parse("4|P|5|6"));
        parser.parse(bytes("4|P|5|6"), 0, 7, e);
        assertEquals(ParseOutcome.BAD_USER_ID, parser.parse(bytes("9|P|5|x"), 0, 7, e));
        assertEquals(4, e.seq);
        assertEquals("4|P|5|6", e.payloadAsString());
    }

    @Test
    void everyNonAsciiByteIsRejectedWherever() {
        final Event e = new Event();
        final byte[] line = bytes("12|F|34|56");
        for (int pos = 0; pos < line.length; pos++) {
            for (int b = 0x80; b <= 0xff; b++) {
                final byte[] mutated = line.clone();
                mutated[pos] = (byte) b;
                final ParseOutcome outcome = parser.parse(mutated, 0, mutated.length, e);
                assertTrue(outcome != ParseOutcome.ACCEPTED, "byte " + b + " at " + pos);
            }
        }
    }

    // ---- randomized ----

    @Test
    void randomValidLinesRoundTrip() {
        final long seed = Seeds.seed(20240601L);
        final Random random = new Random(seed);
        final EventStreamGenerator gen = new EventStreamGenerator(seed, 1000).zeroPaddedIds(true);
        final List<String> lines = gen.next(20_000);
        final Event e = new Event();
        final byte[] buffer = new byte[256];
        for (String line : lines) {
            final boolean crlf = random.nextBoolean();
            final byte[] b = bytes(crlf ? line + "\r" : line);
            final int offset = random.nextInt(buffer.length - b.length);
            random.nextBytes(buffer);
            System.arraycopy(b, 0, buffer, offset, b.length);
            final ParseOutcome outcome = parser.parse(buffer, offset, offset + b.length, e);
            assertEquals(ParseOutcome.ACCEPTED, outcome, "seed " + seed + " line " + line);
            assertEquals(offset, e.payloadOffset, "seed " + seed + " line " + line);
            assertEquals(line, e.payloadAsString(), "seed " + seed);
            final String[] f = line.split("\\|");
            assertEquals(Long.parseLong(f[0]), e.seq, "seed " + seed + " line " + line);
            assertEquals(f[1].charAt(0), (char) e.type, "seed " + seed + " line " + line);
            assertEquals(f.length > 2 ? Long.parseLong(f[2]) : Event.NO_USER, e.from, "seed " + seed + " line " + line);
            assertEquals(f.length > 3 ? Long.parseLong(f[3]) : Event.NO_USER, e.to, "seed " + seed + " line " + line);
        }
    }

    @Test
    void randomMutationsNeverThrowAndAcceptOnlyValidLines() {
        final long seed = Seeds.seed(77_001L);
        final Random random = new Random(seed);
        final EventStreamGenerator gen = new EventStreamGenerator(seed, 100);
        final byte[] alphabet = bytes("0123456789|FUBPS\r\n -x");
        final EventParser small = new EventParser(24);
        final Event e = new Event();
        for (int i = 0; i < 50_000; i++) {
            final byte[] line = bytes(gen.nextEvent());
            final int mutations = 1 + random.nextInt(3);
            byte[] m = line;
            for (int k = 0; k < mutations; k++) {
                m = mutate(m, random, alphabet);
            }
            final byte[] padded = new byte[m.length + 4];
            System.arraycopy(m, 0, padded, 2, m.length);
            final ParseOutcome outcome;
            try {
                outcome = (i % 2 == 0 ? parser : small).parse(padded, 2, 2 + m.length, e);
            } catch (RuntimeException ex) {
                fail("seed " + seed + ": threw on '" + new String(m, StandardCharsets.ISO_8859_1) + "'", ex);
                return;
            }
            final String text = new String(m, StandardCharsets.ISO_8859_1);
            final String payload = text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            final boolean valid = isValid(payload) && (i % 2 == 0 || payload.length() <= 24);
            assertEquals(valid, outcome == ParseOutcome.ACCEPTED,
                "seed " + seed + ": '" + text.replace("\r", "\\r").replace("\n", "\\n") + "' -> " + outcome);
            if (valid) {
                assertEquals(payload, e.payloadAsString(), "seed " + seed);
            }
        }
    }

    private static byte[] mutate(byte[] line, Random random, byte[] alphabet) {
        final int kind = random.nextInt(4);
        final int pos = line.length == 0 ? 0 : random.nextInt(line.length);
        final byte b = random.nextInt(4) == 0 ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
        switch (kind) {
            case 0: { // replace
                if (line.length == 0) {
                    return new byte[] {b};
                }
                final byte[] m = line.clone();
                m[pos] = b;
                return m;
            }
            case 1: { // insert
                final byte[] m = new byte[line.length + 1];
                System.arraycopy(line, 0, m, 0, pos);
                m[pos] = b;
                System.arraycopy(line, pos, m, pos + 1, line.length - pos);
                return m;
            }
            case 2: { // delete
                if (line.length == 0) {
                    return line;
                }
                final byte[] m = new byte[line.length - 1];
                System.arraycopy(line, 0, m, 0, pos);
                System.arraycopy(line, pos + 1, m, pos, line.length - pos - 1);
                return m;
            }
            default: { // truncate
                final byte[] m = new byte[pos];
                System.arraycopy(line, 0, m, 0, pos);
                return m;
            }
        }
    }

    /** Independent, regex-based statement of the grammar, for the mutation test. */
    private static boolean isValid(String payload) {
        final String num = "([0-9]{1,19})";
        if (!payload.matches(num + "\\|(F|U|P)\\|" + num + "\\|" + num)
            && !payload.matches(num + "\\|S\\|" + num)
            && !payload.matches(num + "\\|B")) {
            return false;
        }
        for (String field : payload.split("\\|")) {
            if (field.length() == 1 && !Character.isDigit(field.charAt(0))) {
                continue; // the type
            }
            final long v;
            try {
                v = Long.parseLong(field);
            } catch (NumberFormatException ex) {
                return false;
            }
            if (v <= 0) {
                return false;
            }
        }
        return true;
    }

    @Test
    void parseOutcomeNamesForMetrics() {
        assertEquals("bad_sequence", ParseOutcome.BAD_SEQUENCE.metricName());
        for (ParseOutcome o : ParseOutcome.values()) {
            assertTrue(!o.description().isEmpty());
        }
        assertArrayEquals(new int[] {4, 4, 2, 4, 3, -1},
            new int[] {EventType.fieldCount(EventType.FOLLOW), EventType.fieldCount(EventType.UNFOLLOW),
                EventType.fieldCount(EventType.BROADCAST), EventType.fieldCount(EventType.PRIVATE_MESSAGE),
                EventType.fieldCount(EventType.STATUS_UPDATE), EventType.fieldCount((byte) 'X')});
    }
}
