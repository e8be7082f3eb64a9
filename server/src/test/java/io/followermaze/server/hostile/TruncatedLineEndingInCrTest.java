package io.followermaze.server.hostile;

import io.followermaze.protocol.ParseOutcome;
import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.EventSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Probe finding: a source sends a line of exactly --max-line-length bytes and its '\r', then closes before the '\n'.
 * The line is of an allowed length, cut short: it must count as {@code truncated}. It was counted as
 * {@code line_too_long}, because the pipeline compared the fragment's length including the '\r' (which the parser
 * never counts) with the limit.
 */
class TruncatedLineEndingInCrTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final int MAX = 16;

    private static void sendAndClose(FollowerMazeServer server, String wire, long linesBefore) throws Exception {
        EventSource.send(server.eventPort(), wire.getBytes(StandardCharsets.US_ASCII));
        Conditions.await("the fragment to reach the pipeline", LIMIT,
            // a line is counted received before it is rejected: wait for both, every fragment here is rejected
            () -> server.pipeline().stats().linesReceived() == linesBefore + 1
                && server.pipeline().stats().rejectedTotal() == linesBefore + 1,
            () -> "lines=" + server.pipeline().stats().linesReceived());
    }

    @Test
    void aLineOfTheLimitCutBeforeItsLfIsTruncatedNotTooLong() throws Exception {
        final ServerConfig config = ServerConfig.ephemeral().toBuilder().pipeline(p -> p.maxLineLength(MAX)).build();
        try (FollowerMazeServer server = new FollowerMazeServer(config).start()) {
            final String atLimit = "1|P|1|1222222222"; // 16 bytes: accepted with its line end
            assertEquals(MAX, atLimit.length());

            sendAndClose(server, atLimit + "\r", 0);
            assertEquals(1, server.pipeline().stats().rejected(ParseOutcome.TRUNCATED), "16 bytes + CR, then close");
            assertEquals(0, server.pipeline().stats().rejected(ParseOutcome.LINE_TOO_LONG));

            sendAndClose(server, atLimit + "3\r", 1); // 17 bytes: too long whether or not its end came
            assertEquals(1, server.pipeline().stats().rejected(ParseOutcome.LINE_TOO_LONG), "17 bytes + CR, then close");

            sendAndClose(server, atLimit + "3", 2);
            assertEquals(2, server.pipeline().stats().rejected(ParseOutcome.LINE_TOO_LONG), "17 bytes, then close");
            assertEquals(1, server.pipeline().stats().rejected(ParseOutcome.TRUNCATED));
        }
    }
}
