package io.followermaze.loadgen.stream;

import io.followermaze.loadgen.RunControl;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What goes on the wire: every seq once, LF line ends, disorder only within batches, same seed same bytes. */
class SourceStreamTest {

    private static byte[] wire(long seed, int events, int maxBatch, int sendBuffer) throws IOException {
        final int[] connected = EventGenerator.chooseConnectedUsers(1000, 100, seed);
        final SourceStream stream = new SourceStream(new EventGenerator(Mix.REFERENCE, 1000, connected, seed), events,
            maxBatch, seed, 1000, null, 16, sendBuffer, new RunControl(1));
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        stream.run(Channels.newChannel(out));
        assertEquals(out.size(), stream.bytesWritten());
        return out.toByteArray();
    }

    private static List<String> lines(byte[] wire) {
        final String text = new String(wire, StandardCharsets.US_ASCII);
        assertTrue(text.endsWith("\n"));
        assertFalse(text.contains("\r"));
        return Arrays.asList(text.substring(0, text.length() - 1).split("\n", -1));
    }

    @Test
    void sameSeedSameStreamOtherSeedOtherStream() throws IOException {
        assertArrayEquals(wire(666, 50_000, 100, 65536), wire(666, 50_000, 100, 65536));
        assertFalse(Arrays.equals(wire(666, 50_000, 100, 65536), wire(1, 50_000, 100, 65536)));
        assertArrayEquals(wire(666, 50_000, 100, 0), wire(666, 50_000, 100, 65536),
            "write buffering must not change the bytes");
    }

    @Test
    void everySeqOnceAndDisorderOnlyWithinBatches() throws IOException {
        final int events = 30_000;
        final int maxBatch = 100;
        final List<String> lines = lines(wire(42, events, maxBatch, 4096));
        assertEquals(events, lines.size());
        final BitSet seen = new BitSet();
        int contiguous = 0;
        int lastBoundary = 0;
        int longestStretch = 0;
        boolean shuffled = false;
        long previous = 0;
        for (int i = 0; i < lines.size(); i++) {
            final long seq = Long.parseLong(lines.get(i).substring(0, lines.get(i).indexOf('|')));
            assertFalse(seen.get((int) seq), "seq twice: " + seq);
            seen.set((int) seq);
            shuffled |= seq < previous;
            previous = seq;
            while (seen.get(contiguous + 1)) {
                contiguous++;
            }
            if (contiguous == i + 1) { // everything up to here is 1..i+1: a possible batch boundary
                longestStretch = Math.max(longestStretch, i + 1 - lastBoundary);
                lastBoundary = i + 1;
            }
        }
        assertEquals(events, contiguous);
        assertTrue(longestStretch <= maxBatch, "disorder spans " + longestStretch + " lines");
        assertTrue(shuffled, "batches should be shuffled");
    }

    @Test
    void batchingChangesTheOrderNotTheEvents() throws IOException {
        final List<String> one = new ArrayList<>(lines(wire(9, 20_000, 1, 65536)));
        final List<String> big = new ArrayList<>(lines(wire(9, 20_000, 1000, 65536)));
        assertFalse(one.equals(big));
        big.sort((a, b) -> Long.compare(Long.parseLong(a.split("\\|")[0]), Long.parseLong(b.split("\\|")[0])));
        assertEquals(one, big);
    }
}
