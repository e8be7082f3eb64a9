package io.followermaze.testkit;

import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;
import io.followermaze.protocol.ParseOutcome;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The test kit is reused by other modules' tests, so it is checked too. */
class TestkitTest {
    @Test
    void generatorIsDeterministicContiguousAndValid() {
        final List<String> a = new EventStreamGenerator(3, 20).zeroPaddedIds(true).next(5_000);
        final List<String> b = new EventStreamGenerator(3, 20).zeroPaddedIds(true).next(5_000);
        assertEquals(a, b);
        assertNotEquals(a, new EventStreamGenerator(4, 20).zeroPaddedIds(true).next(5_000));
        final EventParser parser = new EventParser(EventParser.MAX_PAYLOAD_LENGTH);
        final Event e = new Event();
        final Set<Character> types = new java.util.HashSet<>();
        for (int i = 0; i < a.size(); i++) {
            final byte[] line = a.get(i).getBytes(StandardCharsets.ISO_8859_1);
            assertEquals(ParseOutcome.ACCEPTED, parser.parse(line, 0, line.length, e), a.get(i));
            assertEquals(i + 1, e.seq);
            assertTrue(e.type == 'B' || (e.from >= 1 && e.from <= 20), a.get(i));
            types.add((char) e.type);
        }
        assertEquals(Set.of('F', 'U', 'B', 'P', 'S'), types);
    }

    @Test
    void typeWeightsLeaveTypesOut() {
        for (String line : new EventStreamGenerator(1, 5).typeWeights(0, 0, 1, 0, 0).next(100)) {
            assertTrue(line.endsWith("|B"), line);
        }
        assertThrows(IllegalArgumentException.class, () -> new EventStreamGenerator(1, 5).typeWeights(0, 0, 0, 0, 0));
    }

    @Test
    void batchesArePermutationsOfConsecutiveRuns() {
        final List<String> inOrder = new EventStreamGenerator(9, 10).next(10_000);
        final List<List<String>> batches = EventStreamGenerator.batches(inOrder, 100, new Random(9));
        int i = 0;
        for (List<String> batch : batches) {
            assertTrue(batch.size() >= 1 && batch.size() <= 100);
            final List<String> sorted = NaiveFollowerModel.sortedBySeq(batch);
            assertEquals(inOrder.subList(i, i + batch.size()), sorted);
            i += batch.size();
        }
        assertEquals(inOrder.size(), i);
        final List<String> arrival = EventStreamGenerator.shuffleInBatches(inOrder, 100, new Random(9));
        assertEquals(inOrder, NaiveFollowerModel.sortedBySeq(arrival));
        assertNotEquals(inOrder, arrival);
    }

    @Test
    void encodingEndsEveryLine() {
        assertEquals("1|B\r\n2|S|3\r\n",
            new String(EventStreamGenerator.encode(List.of("1|B", "2|S|3"), "\r\n"), StandardCharsets.ISO_8859_1));
        final String mixed = new String(EventStreamGenerator.encodeMixedLineEnds(List.of("1|B", "2|B", "3|B"),
            new Random(1)), StandardCharsets.ISO_8859_1);
        assertEquals(List.of("1|B", "2|B", "3|B"), List.of(mixed.replace("\r", "").split("\n")));
    }

    @Test
    void modelFollowsTheProtocolTable() {
        final NaiveFollowerModel m = new NaiveFollowerModel(List.of(50L, 60L, 32L, 56L));
        assertEquals(List.of(50L), m.apply("1|F|60|50"));
        assertEquals(List.of(), m.apply("2|U|12|9"));
        assertEquals(4, m.apply("3|B").size());
        assertEquals(List.of(56L), m.apply("4|P|32|56"));
        assertEquals(List.of(), m.apply("5|S|32"));
        assertEquals(List.of(60L), m.apply("6|S|50\r"));
        assertEquals(List.of(), m.apply("7|U|60|50"));
        assertEquals(List.of(), m.apply("8|S|50"));
        assertEquals(List.of("1|F|60|50", "3|B"), m.expectedFor(50));
        assertEquals(List.of("3|B", "6|S|50"), m.expectedFor(60));
        assertEquals(1 + 4 + 1 + 1, m.notificationCount());
        assertEquals(8, m.eventsApplied());
        assertEquals(0, m.edgeCount());
        assertThrows(IllegalArgumentException.class, () -> m.apply("9|F|1"));
        assertThrows(IllegalArgumentException.class, () -> m.apply("9|X"));
        assertThrows(IllegalArgumentException.class, () -> m.expectedFor(1));
    }

    @Test
    void describeDifference() {
        assertNull(NaiveFollowerModel.describeDifference(List.of("a"), List.of("a")));
        assertTrue(NaiveFollowerModel.describeDifference(List.of("a", "b"), List.of("a", "c")).contains("index 1"));
        assertTrue(NaiveFollowerModel.describeDifference(List.of("a", "b"), List.of("a")).startsWith("missing 1"));
        assertTrue(NaiveFollowerModel.describeDifference(List.of("a"), new ArrayList<>(List.of("a", "b")))
            .startsWith("got 1 extra"));
    }

    @Test
    void seedsFallBackToTheDefault() {
        if (System.getProperty(Seeds.SEED_PROP_NAME) == null) {
            assertEquals(42L, Seeds.seed(42L));
        }
    }
}
