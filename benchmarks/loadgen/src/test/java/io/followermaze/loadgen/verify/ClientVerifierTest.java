package io.followermaze.loadgen.verify;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The verifier against a fake byte stream: every kind of wrong delivery is caught and described. */
class ClientVerifierTest {
    private static final int USER = 42;

    private final Expectation expectation = new Expectation(USER, 64);
    private final ClientVerifier verifier = new ClientVerifier(expectation);

    private void expect(String... lines) {
        for (String line : lines) {
            final byte[] b = (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
            assertTrue(expectation.hasRoom(b.length));
            expectation.append(b, 0, b.length);
        }
        expectation.publish();
    }

    /** Feeds the text in pieces of {@code piece} bytes; returns the first failure or null. */
    private String receive(String text, int piece) {
        final byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < b.length; i += piece) {
            final byte[] chunk = new byte[Math.min(piece, b.length - i) + 3];
            System.arraycopy(b, i, chunk, 3, chunk.length - 3); // at an offset, as a shared buffer would be
            final String failure = verifier.onBytes(chunk, 3, chunk.length - 3, 1, null);
            if (failure != null) {
                return failure;
            }
        }
        return null;
    }

    @Test
    void exactStreamInAnyPiecesPasses() {
        for (int piece = 1; piece <= 20; piece++) {
            final Expectation e = new Expectation(USER, 64);
            final ClientVerifier v = new ClientVerifier(e);
            final byte[] lines = "1|F|3|42\r\n7|P|9|42\r\n12|B\r\n".getBytes(StandardCharsets.US_ASCII);
            e.append(lines, 0, 10);
            e.append(lines, 10, 10);
            e.append(lines, 20, 6);
            e.publish();
            for (int i = 0; i < lines.length; i += piece) {
                assertNull(v.onBytes(lines, i, Math.min(piece, lines.length - i), 1, null));
            }
            assertEquals(3, v.linesVerified());
            assertEquals(0, v.pendingBytes());
        }
    }

    @Test
    void wrapsAroundTheRingForever() {
        for (int i = 1; i <= 1000; i++) {
            expect(i + "|S|7");
            assertNull(receive(i + "|S|7\r\n", 3));
        }
        assertEquals(1000, verifier.linesVerified());
    }

    @Test
    void missingLine() {
        expect("1|F|3|42", "2|P|5|42", "3|B");
        final String failure = receive("1|F|3|42\r\n3|B\r\n", 4);
        assertNotNull(failure);
        assertTrue(failure.startsWith("user 42: notification 2 differs at byte 0"), failure);
        assertTrue(failure.contains("expected \"2|P|5|42\\r\\n\", actual \"3|B\\r\\n\""), failure);
    }

    @Test
    void duplicatedLine() {
        expect("10|P|1|42", "11|B");
        final String failure = receive("10|P|1|42\r\n10|P|1|42\r\n11|B\r\n", 7);
        assertNotNull(failure);
        assertTrue(failure.contains("notification 2 differs at byte 1"), failure);
        assertTrue(failure.contains("expected \"11|B\\r\\n\", actual \"10|P|1|42\\r\\n\""), failure);
    }

    @Test
    void reorderedLines() {
        expect("5|S|9", "6|S|9");
        final String failure = receive("6|S|9\r\n5|S|9\r\n", 100);
        assertNotNull(failure);
        assertTrue(failure.contains("notification 1 differs at byte 0: expected \"5|S|9\\r\\n\", actual \"6|S|9\\r\\n\""),
            failure);
    }

    @Test
    void extraLineAfterTheExpectedOnes() {
        expect("1|B");
        assertNull(receive("1|B\r\n", 5));
        final String failure = receive("2|B\r\n", 5);
        assertNotNull(failure);
        assertTrue(failure.contains("user 42: received more than was sent to it, after 1 correct notification(s)"),
            failure);
        assertTrue(failure.contains("actual \"2|B\\r\\n\""), failure);
    }

    @Test
    void extraLineInTheSameReadAsTheLastExpectedOne() {
        expect("1|B");
        final String failure = receive("1|B\r\n99|P|1|42\r\n", 64);
        assertNotNull(failure);
        assertTrue(failure.contains("actual \"99|P|1|42\\r\\n\""), failure);
    }

    @Test
    void bareLineFeedInsteadOfCrLf() {
        expect("1|F|3|42", "2|B");
        final String failure = receive("1|F|3|42\n2|B\r\n", 3);
        assertNotNull(failure);
        assertTrue(failure.contains("notification 1 differs at byte 8: expected \"1|F|3|42\\r\\n\", actual \"1|F|3|42\\n\""),
            failure);
    }

    @Test
    void alteredPayloadQuotesBothLines() {
        expect("1|F|3|42", "2|P|7|42");
        final String failure = receive("1|F|3|42\r\n2|P|8|42\r\n", 1);
        assertNotNull(failure);
        assertTrue(failure.contains("notification 2 differs at byte 4: expected \"2|P|7|42\\r\\n\", actual \"2|P|8"),
            failure);
    }

    @Test
    void wrongLineSpanningReadsIsQuotedWhole() {
        expect("1|B", "2|S|5");
        assertNull(receive("1|B\r\n3|", 7));
        assertNull(verifier.failureSoFar(3, 5), "too early to give up on the rest of the line");
        assertEquals("user 42: notification 2 differs at byte 0: expected \"2|S|5\\r\\n\", actual \"3|\"...",
            verifier.failureSoFar(10, 0));
        assertEquals("user 42: notification 2 differs at byte 0: expected \"2|S|5\\r\\n\", actual \"3|S|5\\r\\n\"",
            receive("S|5\r\n", 2));
    }

    @Test
    void latencyIsSampledOnlyForWrittenBatchesAndOnlyOnceVerified() {
        final byte[] line = "1|B\r\n".getBytes(StandardCharsets.US_ASCII);
        expectation.append(line, 0, line.length);
        expectation.mark(0);
        expectation.append(line, 0, line.length);
        expectation.mark(1);
        assertTrue(expectation.stampMarks(1, 1_000), "batch 1 is not written yet");
        expectation.publish();
        final LatencyRecorder recorder = new LatencyRecorder();
        final org.HdrHistogram.Histogram h = LatencyRecorder.newHistogram();
        assertNull(verifier.onBytes(line, 0, 4, 5_000, recorder)); // not yet past the end of the marked line
        assertNull(verifier.onBytes(line, 4, 1, 6_000, recorder));
        assertNull(verifier.onBytes(line, 0, 5, 9_000, recorder)); // second line verified, but its mark unstamped
        recorder.addTo(h);
        assertEquals(1, h.getTotalCount());
        assertTrue(h.valuesAreEquivalent(5_000, h.getMaxValue()), "latency of the first line is 6000 - 1000");
    }

    @Test
    void describesWhatAStalledClientWaitsFor() {
        expect("1|B", "2|S|5");
        assertNull(receive("1|B\r\n", 5));
        assertEquals("expected line \"2|S|5\\r\\n\" after 1 correct notification(s)", verifier.awaitedLine());
        assertEquals(7, verifier.pendingBytes());
    }
}
