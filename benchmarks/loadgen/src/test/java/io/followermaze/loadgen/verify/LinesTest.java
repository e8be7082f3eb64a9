package io.followermaze.loadgen.verify;

import io.followermaze.loadgen.stream.SplitMix64;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LinesTest {

    @Test
    void wordAtATimeNewlineCountMatchesANaiveCount() {
        final SplitMix64 rng = new SplitMix64(1);
        final byte[] bytes = new byte[4096];
        for (int round = 0; round < 200; round++) {
            for (int i = 0; i < bytes.length; i++) {
                final int r = rng.nextInt(6);
                bytes[i] = (byte) (r == 0 ? '\n' : r == 1 ? '\r' : r == 2 ? 0x8A : r == 3 ? 0x0B : r == 4 ? 0 : '7');
            }
            final int from = rng.nextInt(64);
            final int to = from + rng.nextInt(bytes.length - from);
            int naive = 0;
            for (int i = from; i < to; i++) {
                naive += bytes[i] == '\n' ? 1 : 0;
            }
            assertEquals(naive, Lines.countNewlines(bytes, from, to));
        }
    }

    @Test
    void quoteShowsLineEndsAndControlBytes() {
        assertEquals("\"1|B\\r\\n\\x00\"", Lines.quote(new byte[] {'1', '|', 'B', '\r', '\n', 0}, 0, 6));
    }
}
