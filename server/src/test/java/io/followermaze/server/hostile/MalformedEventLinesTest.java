package io.followermaze.server.hostile;

import io.followermaze.protocol.ParseOutcome;
import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.EventSource;
import io.followermaze.server.testing.Expectations;
import io.followermaze.server.testing.TestClient;
import io.followermaze.testkit.EventStreamGenerator;
import io.followermaze.testkit.NaiveFollowerModel;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Malformed lines of every kind, mixed into a valid shuffled stream: each is dropped and counted by reason, and
 * every valid event is still delivered in order; a malformed last line does not hold back what came before.
 */
class MalformedEventLinesTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final int MAX_LINE = 1024;

    /** One malformed line and the reason it must be rejected with. */
    record Bad(byte[] line, ParseOutcome reason) {
        static Bad of(String line, ParseOutcome reason) {
            return new Bad(line.getBytes(StandardCharsets.ISO_8859_1), reason);
        }
    }

    static List<Bad> malformed() {
        final byte[] nonUtf8 = {'7', '|', 'P', '|', (byte) 0xC3, (byte) 0x28, '|', '5'};
        return List.of(
            Bad.of("abc|B", ParseOutcome.BAD_SEQUENCE),
            Bad.of("0|B", ParseOutcome.BAD_SEQUENCE),
            Bad.of("-5|B", ParseOutcome.BAD_SEQUENCE),
            Bad.of("9223372036854775808|B", ParseOutcome.BAD_SEQUENCE),
            Bad.of("99999999999999999999|B", ParseOutcome.BAD_SEQUENCE),
            Bad.of(" 12|B", ParseOutcome.BAD_SEQUENCE),
            Bad.of("12|Q", ParseOutcome.UNKNOWN_TYPE),
            Bad.of("12|b", ParseOutcome.UNKNOWN_TYPE),
            Bad.of("12|F|1", ParseOutcome.WRONG_FIELD_COUNT),
            Bad.of("12|B|1", ParseOutcome.WRONG_FIELD_COUNT),
            Bad.of("12|S|1|2", ParseOutcome.WRONG_FIELD_COUNT),
            Bad.of("12|P|1|2|3", ParseOutcome.WRONG_FIELD_COUNT),
            Bad.of("12", ParseOutcome.WRONG_FIELD_COUNT),
            Bad.of("12|F|0|3", ParseOutcome.BAD_USER_ID),
            Bad.of("12|F|-1|3", ParseOutcome.BAD_USER_ID),
            Bad.of("12|S|9223372036854775808", ParseOutcome.BAD_USER_ID),
            Bad.of("12|P|1| 2", ParseOutcome.BAD_USER_ID),
            Bad.of("12|P|x|2", ParseOutcome.BAD_USER_ID),
            new Bad(nonUtf8, ParseOutcome.BAD_USER_ID),
            Bad.of("", ParseOutcome.EMPTY_LINE),
            Bad.of("\r", ParseOutcome.EMPTY_LINE),
            Bad.of("x".repeat(MAX_LINE + 1), ParseOutcome.LINE_TOO_LONG));
    }

    @Test
    void malformedLinesAreCountedByReasonAndValidEventsStillArriveInOrder() throws Exception {
        final long seed = 424242;
        final int events = 20_000;
        final List<String> inOrder = new EventStreamGenerator(seed, 30).next(events);
        final List<String> arrival = EventStreamGenerator.shuffleInBatches(inOrder, 100, new Random(seed));

        final List<Bad> bad = malformed();
        final long[] expectedRejects = new long[ParseOutcome.values().length];
        final ByteArrayOutputStream wire = new ByteArrayOutputStream();
        final Random random = new Random(seed);
        int badIndex = 0;
        for (String line : arrival) {
            wire.writeBytes((line + "\n").getBytes(StandardCharsets.US_ASCII));
            if (random.nextInt(50) == 0) {
                final Bad b = bad.get(badIndex++ % bad.size());
                wire.writeBytes(b.line());
                wire.write('\n');
                expectedRejects[b.reason().ordinal()]++;
            }
        }
        // A 1 MiB line with no line end for a long while, then one: the connection's framer keeps only its start,
        // which the pipeline counts as too long, like every other too-long line.
        final byte[] huge = new byte[1024 * 1024];
        Arrays.fill(huge, (byte) '7');
        wire.writeBytes(huge);
        wire.write('\n');
        expectedRejects[ParseOutcome.LINE_TOO_LONG.ordinal()]++;
        // The very last input has no line end: dropped as truncated, never parsed (malformed or not), and it must not
        // hold back anything before it.
        wire.writeBytes("999|Z".getBytes(StandardCharsets.US_ASCII));
        expectedRejects[ParseOutcome.TRUNCATED.ordinal()]++;

        final List<Long> users = List.of(1L, 2L, 3L, 5L, 8L, 13L, 21L);
        final NaiveFollowerModel model = new NaiveFollowerModel(users);
        model.applyAll(inOrder);

        final ServerConfig config = ServerConfig.ephemeral().toBuilder()
            .pipeline(ServerConfig.DEFAULT.pipeline().withMaxLineLength(MAX_LINE)).build();
        final List<TestClient> clients = new ArrayList<>();
        try (FollowerMazeServer server = new FollowerMazeServer(config).start()) {
            for (long u : users) {
                clients.add(new TestClient(server.clientPort(), u, "\r\n"));
            }
            Conditions.await("registrations", LIMIT, () -> server.pipeline().stats().registrations() == users.size(), () -> "");
            EventSource.send(server.eventPort(), wire.toByteArray());
            final long totalRejects = Arrays.stream(expectedRejects).sum();
            Conditions.await("all valid events released and the last line rejected", LIMIT,
                () -> server.pipeline().stats().lastReleasedSeq() == events
                    && server.pipeline().stats().rejectedTotal() == totalRejects,
                () -> "released=" + server.pipeline().stats().lastReleasedSeq() + " rejected=" + server.pipeline().stats().rejectedTotal());

            for (ParseOutcome reason : ParseOutcome.values()) {
                if (reason != ParseOutcome.ACCEPTED) {
                    assertEquals(expectedRejects[reason.ordinal()], server.pipeline().stats().rejected(reason), reason.name());
                }
            }
        }
        Expectations.assertAllReceivedExactly(model, clients, LIMIT);
    }
}
