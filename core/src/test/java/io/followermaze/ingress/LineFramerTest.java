package io.followermaze.ingress;

import io.followermaze.pipeline.PipelineConfig;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LineFramerTest {
    private static final int MAX_LINE = 20;
    private static final PipelineConfig CONFIG = PipelineConfig.DEFAULT.withMaxLineLength(MAX_LINE).withChunkBytes(128);

    private final RecordingRing ring = new RecordingRing(CONFIG);
    private final LineFramer framer = new LineFramer(ring);
    private final ByteArrayInput in = new ByteArrayInput();

    @Test
    void aLineSplitAcrossReadsIsPublishedWhole() {
        assertTrue(framer.frame(input("1|B\n2|P|"), 10));
        assertTrue(framer.frame(input("3|4\n3|"), 10));
        assertTrue(framer.frame(input("B\n"), 10));
        assertEquals(List.of("1|B\n", "2|P|3|4\n", "3|B\n"), entries());
        assertFalse(framer.holdsUnfinishedLine());
    }

    @Test
    void entriesHoldAsManyWholeLinesAsFitAndNoMore() {
        final StringBuilder sb = new StringBuilder();
        for (int seq = 1; seq <= 100; seq++) {
            sb.append(seq).append("|B\n");
        }
        assertTrue(framer.frame(input(sb.toString()), Integer.MAX_VALUE));
        assertEquals(sb.toString(), String.join("", entries()));
        for (String e : entries()) {
            assertTrue(e.length() <= CONFIG.chunkBytes() && e.endsWith("\n"), e);
        }
        assertTrue(entries().size() < 10, "lines share entries: " + entries().size());
    }

    @Test
    void anOverlongLineGoesOnAsItsFirstBytesWithoutLineEndAndTheRestIsDropped() {
        final String longLine = "9".repeat(500); // longer than an entry: the framer can not hold it
        assertTrue(framer.frame(input("1|B\n" + longLine.substring(0, 10)), 10));
        assertTrue(framer.frame(input(longLine.substring(10, 300)), 10));
        assertTrue(framer.frame(input(longLine.substring(300) + "\n2|B\n"), 10));
        assertEquals(List.of("1|B\n", "9".repeat(MAX_LINE + 2), "2|B\n"), entries());
    }

    /** A too-long line that still fits an entry with its line end goes on whole; the parser rejects it (once). */
    @Test
    void aTooLongLineThatFitsAnEntryGoesOnWhole() {
        final String longLine = "9".repeat(50) + "\n";
        assertTrue(framer.frame(input("1|B\n" + longLine), 10));
        assertEquals(List.of("1|B\n" + longLine), entries());
    }

    @Test
    void aFullRingStopsFramingWithoutLosingInputAndTheRestFollowsLater() {
        ring.room = 1;
        final ByteArrayInput pending = input("1|B\n" + "x".repeat(200) + "\n2|B\n");
        assertFalse(framer.frame(pending, 10), "the over-long line's start finds the ring full");
        ring.room = -1;
        assertTrue(framer.frame(pending, 10));
        assertEquals(List.of("1|B\n", "x".repeat(MAX_LINE + 2), "2|B\n"), entries());
    }

    @Test
    void noMoreEntriesThanAllowedPerCall() {
        final ByteArrayInput pending = input("1|B\n".repeat(100));
        assertFalse(framer.frame(pending, 1));
        assertEquals(1, ring.entries.size());
        assertTrue(framer.frame(pending, Integer.MAX_VALUE));
        assertEquals("1|B\n".repeat(100), String.join("", entries()));
    }

    @Test
    void finishPublishesTheUnfinishedLineWithoutLineEndOnceEvenWhenTheRingWasFull() {
        assertTrue(framer.frame(input("1|B\n2|P|9|2"), 10));
        ring.room = 0;
        assertFalse(framer.finish());
        ring.room = -1;
        assertTrue(framer.finish());
        assertTrue(framer.finish());
        assertEquals(List.of("1|B\n", "2|P|9|2"), entries());
    }

    @Test
    void aStoppedRingTakesTheInputAndDropsIt() {
        ring.stopped = true;
        final ByteArrayInput pending = input("1|B\n2|B");
        assertTrue(framer.frame(pending, 10));
        assertEquals(0, pending.readable());
        assertTrue(framer.finish());
        assertEquals(List.of(), entries());
    }

    /**
     * Any stream cut into reads at random points, with the ring full at random moments and random per-call entry
     * allowances, yields what a line-by-line model says the pipeline must see: every line of at most
     * {@code MAX_LINE + 1} bytes whole, every longer line as one too-long line (whole, or its first {@code MAX_LINE + 2}
     * bytes without a line end: either way rejected once as too long), the unfinished tail without a line end.
     */
    @Test
    void randomStreamsReadsAndFullRingsMatchTheLineModel() {
        final Random random = new Random(42);
        for (int round = 0; round < 2_000; round++) {
            final byte[] stream = randomStream(random);
            final RecordingRing r = new RecordingRing(CONFIG);
            final LineFramer f = new LineFramer(r);
            final ByteArrayInput reads = new ByteArrayInput();
            int at = 0;
            while (at < stream.length) {
                final int n = Math.min(stream.length - at, 1 + random.nextInt(random.nextBoolean() ? 8 : 300));
                reads.wrap(stream, at, n);
                at += n;
                while (true) {
                    r.room = random.nextInt(4) == 0 ? random.nextInt(3) : -1;
                    if (f.frame(reads, 1 + random.nextInt(5))) {
                        break;
                    }
                }
            }
            r.room = -1;
            assertTrue(f.finish());
            assertEquals(model(stream), decode(r.entries), "round " + round);
            for (byte[] e : r.entries) {
                assertTrue(e.length <= CONFIG.chunkBytes());
            }
        }
    }

    private static byte[] randomStream(Random random) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int lines = random.nextInt(40);
        for (int i = 0; i < lines; i++) {
            final int length = random.nextInt(10) == 0 ? random.nextInt(400) : random.nextInt(MAX_LINE + 3);
            for (int j = 0; j < length; j++) {
                out.write('a' + random.nextInt(26));
            }
            if (i < lines - 1 || random.nextBoolean()) {
                out.write('\n');
            }
        }
        return out.toByteArray();
    }

    /** Lines (with their '\n') and unterminated fragments (marked), in order. */
    private static List<String> model(byte[] stream) {
        final List<String> out = new ArrayList<>();
        int start = 0;
        while (start < stream.length) {
            int end = start;
            while (end < stream.length && stream[end] != '\n') {
                end++;
            }
            final int length = end - start;
            if (length > MAX_LINE + 1) {
                out.add("TOO LONG " + new String(stream, start, MAX_LINE + 2, StandardCharsets.ISO_8859_1));
            } else if (end == stream.length) {
                out.add("FRAGMENT " + new String(stream, start, length, StandardCharsets.ISO_8859_1));
            } else {
                out.add(new String(stream, start, length + 1, StandardCharsets.ISO_8859_1));
            }
            start = end + 1;
        }
        return out;
    }

    private static List<String> decode(List<byte[]> entries) {
        final List<String> out = new ArrayList<>();
        for (byte[] e : entries) {
            int start = 0;
            for (int i = 0; i < e.length; i++) {
                if (e[i] == '\n') {
                    out.add(i - start > MAX_LINE + 1
                        ? "TOO LONG " + new String(e, start, MAX_LINE + 2, StandardCharsets.ISO_8859_1)
                        : new String(e, start, i + 1 - start, StandardCharsets.ISO_8859_1));
                    start = i + 1;
                }
            }
            if (e.length - start > MAX_LINE + 1) {
                assertEquals(MAX_LINE + 2, e.length - start, "a too-long line's start is cut to the proof");
                out.add("TOO LONG " + new String(e, start, MAX_LINE + 2, StandardCharsets.ISO_8859_1));
            } else if (start < e.length) {
                out.add("FRAGMENT " + new String(Arrays.copyOfRange(e, start, e.length), StandardCharsets.ISO_8859_1));
            }
        }
        return out;
    }

    private ByteArrayInput input(String text) {
        final byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        return in.wrap(b, 0, b.length);
    }

    private List<String> entries() {
        final List<String> out = new ArrayList<>();
        for (byte[] e : ring.entries) {
            out.add(new String(e, StandardCharsets.ISO_8859_1));
        }
        return out;
    }
}
