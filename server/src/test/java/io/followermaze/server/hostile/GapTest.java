package io.followermaze.server.hostile;

import io.followermaze.pipeline.PipelineConfig;
import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.PipelineThread;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.EventSource;
import io.followermaze.server.testing.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A seq that never comes: skipped after the gap timeout, or once max-pending events are held. */
class GapTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    private static String broadcasts(int from, int to, int missing) {
        final StringBuilder sb = new StringBuilder();
        for (int seq = to; seq >= from; seq--) { // reversed: everything waits for `from`
            if (seq != missing) {
                sb.append(seq).append("|B\n");
            }
        }
        return sb.toString();
    }

    private static String expected(int from, int to, int missing) {
        final StringBuilder sb = new StringBuilder();
        for (int seq = from; seq <= to; seq++) {
            if (seq != missing) {
                sb.append(seq).append("|B\r\n");
            }
        }
        return sb.toString();
    }

    /** On the event loop too: the ticker's entry must wake the loop's consumer, not a pipeline thread. */
    @ParameterizedTest
    @EnumSource(PipelineThread.class)
    void gapTimeoutSkipsAMissingSeqEvenWhenNoMoreInputArrives(PipelineThread thread) throws Exception {
        final ServerConfig config = ServerConfig.ephemeral().toBuilder()
            .pipeline(PipelineConfig.DEFAULT.withGapTimeoutMillis(200)).pipelineThread(thread).build();
        try (FollowerMazeServer server = new FollowerMazeServer(config).start();
             TestClient client = new TestClient(server.clientPort(), 1, "\n")) {
            Conditions.await("registration", LIMIT, () -> server.pipeline().stats().registrations() == 1, () -> "");
            EventSource.send(server.eventPort(), broadcasts(1, 100, 40).getBytes(StandardCharsets.US_ASCII));
            Conditions.await("the gap to be skipped", LIMIT, () -> server.pipeline().stats().lastReleasedSeq() == 100,
                () -> "released=" + server.pipeline().stats().lastReleasedSeq());
            assertEquals(1, server.pipeline().stats().gapsSkipped());
            assertEquals(1, server.pipeline().stats().seqsSkipped());
            EventSource.send(server.eventPort(), "40|B\n".getBytes(StandardCharsets.US_ASCII)); // too late now
            Conditions.await("the late seq to be dropped", LIMIT, () -> server.pipeline().stats().duplicatesDropped() == 1, () -> "");
            server.close();
            client.awaitClosed(LIMIT);
            assertEquals(expected(1, 100, 40), client.received());
        }
    }

    @Test
    void withoutAGapTimeoutTheStreamWaitsForTheMissingSeq() throws Exception {
        try (FollowerMazeServer server = new FollowerMazeServer(ServerConfig.ephemeral()).start();
             TestClient client = new TestClient(server.clientPort(), 1, "\n")) {
            Conditions.await("registration", LIMIT, () -> server.pipeline().stats().registrations() == 1, () -> "");
            EventSource.send(server.eventPort(), broadcasts(2, 50, 0).getBytes(StandardCharsets.US_ASCII));
            Conditions.await("events held", LIMIT, () -> server.pipeline().stats().pending() == 49, () -> "");
            assertEquals(0, server.pipeline().stats().lastReleasedSeq());
            EventSource.send(server.eventPort(), "1|B\n".getBytes(StandardCharsets.US_ASCII));
            Conditions.await("release", LIMIT, () -> server.pipeline().stats().lastReleasedSeq() == 50, () -> "");
            assertEquals(0, server.pipeline().stats().gapsSkipped());
            server.close();
            client.awaitClosed(LIMIT);
            assertEquals(expected(1, 50, 0), client.received());
        }
    }

    @Test
    void maxPendingBoundsWhatIsHeldBackAndSkipsTheGap() throws Exception {
        final ServerConfig config = ServerConfig.ephemeral().toBuilder()
            .pipeline(PipelineConfig.DEFAULT.withWindowSize(64).withMaxPending(256)).build();
        try (FollowerMazeServer server = new FollowerMazeServer(config).start();
             TestClient client = new TestClient(server.clientPort(), 1, "\n")) {
            Conditions.await("registration", LIMIT, () -> server.pipeline().stats().registrations() == 1, () -> "");
            final StringBuilder wire = new StringBuilder();
            for (int seq = 2; seq <= 1000; seq++) { // seq 1 never comes
                wire.append(seq).append("|B\n");
            }
            EventSource.send(server.eventPort(), wire.toString().getBytes(StandardCharsets.US_ASCII));
            Conditions.await("release past the gap", LIMIT, () -> server.pipeline().stats().lastReleasedSeq() == 1000,
                () -> "released=" + server.pipeline().stats().lastReleasedSeq() + " pending=" + server.pipeline().stats().pending());
            assertEquals(1, server.pipeline().stats().gapsSkipped());
            assertEquals(1, server.pipeline().stats().seqsSkipped());
            server.close();
            client.awaitClosed(LIMIT);
            assertEquals(expected(2, 1000, 0), client.received());
        }
    }
}
