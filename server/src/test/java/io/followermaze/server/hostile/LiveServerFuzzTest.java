package io.followermaze.server.hostile;

import io.followermaze.pipeline.PipelineConfig;
import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;
import io.followermaze.protocol.ParseOutcome;
import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.EventSource;
import io.followermaze.server.testing.Expectations;
import io.followermaze.server.testing.RawClient;
import io.followermaze.server.testing.TestClient;
import io.followermaze.testkit.EventStreamGenerator;
import io.followermaze.testkit.NaiveFollowerModel;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A live server takes random bytes and mutated lines on both ports while a valid source and valid clients work:
 * the server stays up and the valid clients' streams still verify byte for byte.
 * <p>
 * Mutants are made from lines with seqs far beyond the valid stream; any mutant the parser would accept with a
 * seq inside the valid range is left out, since it would be a legitimate (if unwelcome) event, not garbage.
 */
class LiveServerFuzzTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final long SEED = 0xBADF00DL;

    static byte[] fuzzEventBytes(Random random, int lines, long validSeqLimit) {
        final EventParser parser = new EventParser(1024);
        final Event probe = new Event();
        final String[] templates = {"|B", "|F|3|4", "|U|3|4", "|P|5|6", "|S|7"};
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int n = 0; n < lines; n++) {
            if (n % 10 == 0) { // raw random bytes, line ends included
                final byte[] junk = new byte[random.nextInt(200)];
                random.nextBytes(junk);
                for (int i = 0; i < junk.length; i++) {
                    if (junk[i] == '\n' || (junk[i] >= '0' && junk[i] <= '9')) {
                        junk[i] = 'x'; // no line end, no digits: can not form a valid low seq
                    }
                }
                out.writeBytes(junk);
                out.write('\n');
                continue;
            }
            final long seq = 1_000_000_000_000_000L + random.nextInt(1_000_000);
            final byte[] line = (seq + templates[random.nextInt(templates.length)]).getBytes(StandardCharsets.US_ASCII);
            final ByteArrayOutputStream mutant = new ByteArrayOutputStream();
            mutant.writeBytes(line);
            byte[] m = mutant.toByteArray();
            for (int e = 1 + random.nextInt(3); e > 0 && m.length > 0; e--) {
                byte b = (byte) random.nextInt(256);
                if (b == '\n') {
                    b = '|';
                }
                final int at = random.nextInt(m.length);
                switch (random.nextInt(3)) {
                    case 0 -> m[at] = b;
                    case 1 -> {
                        final byte[] longer = new byte[m.length + 1];
                        System.arraycopy(m, 0, longer, 0, at);
                        longer[at] = b;
                        System.arraycopy(m, at, longer, at + 1, m.length - at);
                        m = longer;
                    }
                    default -> {
                        final byte[] shorter = new byte[m.length - 1];
                        System.arraycopy(m, 0, shorter, 0, at);
                        System.arraycopy(m, at + 1, shorter, at, m.length - at - 1);
                        m = shorter;
                    }
                }
            }
            if (parser.parse(m, 0, m.length, probe) == ParseOutcome.ACCEPTED && probe.seq <= validSeqLimit) {
                continue;
            }
            out.writeBytes(m);
            out.write('\n');
        }
        return out.toByteArray();
    }

    /**
     * @param farAheadFrom a seq at or above this is further ahead than the bound allows, wherever the cursor is
     * @return {lines, lines the parser rejects, lines it accepts whose seq is too far ahead, the other lines it accepts
     *         (their seqs are beyond the valid stream but within reach: held back for ever)}
     */
    private static long[] countLines(byte[] bytes, long farAheadFrom) {
        final EventParser parser = new EventParser(1024);
        final Event probe = new Event();
        long lines = 0;
        long rejected = 0;
        long farAhead = 0;
        long held = 0;
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                lines++;
                if (parser.parse(bytes, start, i, probe) != ParseOutcome.ACCEPTED) {
                    rejected++;
                } else if (probe.seq >= farAheadFrom) {
                    farAhead++;
                } else {
                    held++;
                }
                start = i + 1;
            }
        }
        return new long[] {lines, rejected, farAhead, held};
    }

    @Test
    void garbageOnBothPortsLeavesValidStreamsIntact() throws Exception {
        final Random random = new Random(SEED);
        final int events = 100_000;
        final List<String> inOrder = new EventStreamGenerator(SEED, 40).next(events);
        final byte[] valid = EventStreamGenerator.encode(
            EventStreamGenerator.shuffleInBatches(inOrder, 200, new Random(SEED)), "\n");
        final byte[] fuzz = fuzzEventBytes(random, 300_000, events + 1_000_000L);

        final List<Long> users = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        final NaiveFollowerModel model = new NaiveFollowerModel(users);
        model.applyAll(inOrder);
        final List<TestClient> clients = new ArrayList<>();
        try (FollowerMazeServer server = new FollowerMazeServer(ServerConfig.ephemeral()).start()) {
            for (long u : users) {
                clients.add(new TestClient(server.clientPort(), u, "\n"));
            }
            Conditions.await("registrations", LIMIT, () -> server.pipeline().stats().registrations() == users.size(), () -> "");

            final Thread garbageSource = new Thread(() -> {
                try {
                    EventSource.send(server.eventPort(), fuzz);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            garbageSource.start();
            // Garbage on the client port: random ids, random bytes, half-written lines; each connection closes.
            for (int i = 0; i < 200; i++) {
                final byte[] junk = new byte[1 + random.nextInt(100)];
                random.nextBytes(junk);
                try (RawClient c = new RawClient(server.clientPort())) {
                    c.send(junk);
                } catch (java.io.IOException closedOnUs) {
                    // the server may close first: fine
                }
            }
            EventSource.send(server.eventPort(), valid);
            garbageSource.join();

            // Mutants the parser accepts have seqs near 10^15 (further ahead of any cursor than max-seq-ahead allows),
            // or, with leading digits turned to zeros, beyond the valid stream but within reach.
            final long[] fuzzCounts = countLines(fuzz, events + 2 + PipelineConfig.DEFAULT.maxSeqAhead());
            Conditions.await("every line read and every valid event released", LIMIT,
                () -> server.pipeline().stats().lastReleasedSeq() == events
                    && server.pipeline().stats().linesReceived() == events + fuzzCounts[0]
                    // a line is counted received before it is rejected: wait for the rejections too
                    && server.pipeline().stats().rejectedTotal() >= fuzzCounts[1] + fuzzCounts[2],
                () -> "released=" + server.pipeline().stats().lastReleasedSeq() + " lines=" + server.pipeline().stats().linesReceived()
                    + " of " + (events + fuzzCounts[0]) + ", rejected=" + server.pipeline().stats().rejectedTotal() + " of "
                    + fuzzCounts[1]);
            assertEquals(fuzzCounts[1] + fuzzCounts[2], server.pipeline().stats().rejectedTotal(),
                "every malformed fuzz line was rejected");
            assertEquals(fuzzCounts[2], server.pipeline().stats().rejected(ParseOutcome.SEQ_TOO_FAR_AHEAD),
                "every well-formed fuzz line is too far ahead");
            assertEquals(fuzzCounts[3], server.pipeline().stats().pending(), "well-formed fuzz lines within reach are held");
            assertTrue(fuzzCounts[1] > 50_000, "the fuzz is mostly garbage: " + fuzzCounts[1]);
            assertEquals(0, server.pipeline().stats().processorExceptions());
        }
        Expectations.assertAllReceivedExactly(model, clients, LIMIT);
    }
}
