package io.followermaze.server.hostile;

import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.PipelineThread;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.EventSource;
import io.followermaze.server.testing.TestClient;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stop while a client that reads nothing holds the pipeline back, within a grace period longer than the stop's
 * drain time (probe, session 6): the drain used to time out and halt the pipeline, and the client that reads lost
 * the notifications of events already counted as released. Now, once the drain has waited its time, congested
 * clients are no longer waited for: the rest of the ring is routed (the non-reader's share up to its bound), and the
 * reader gets every event released, in order, before its connection closes.
 */
class StopWithACongestedClientTest {
    private static final Duration LIMIT = Duration.ofSeconds(120);

    @ParameterizedTest
    @EnumSource(PipelineThread.class)
    void theReaderGetsEveryReleasedEventWhenTheStopStopsWaitingForTheNonReader(PipelineThread thread)
        throws Exception {
        final int events = 1_000_000;
        final StringBuilder wire = new StringBuilder(events * 10);
        for (int seq = 1; seq <= events; seq++) {
            wire.append(seq).append("|B\n");
        }
        final ServerConfig config = ServerConfig.ephemeral().toBuilder()
            .clientHighWaterMark(64 * 1024).handoffBytes(64 * 1024).maxOutboundBytes(2 * 1024 * 1024)
            .slowClientGraceMillis(600_000).clientStallMillis(600_000).pipelineThread(thread).build();
        final FollowerMazeServer server = new FollowerMazeServer(config).start();
        try (Socket nonReader = OutboundBudgetTest.nonReader(server.clientPort(), 42);
             TestClient reader = new TestClient(server.clientPort(), 1, "\n")) {
            Conditions.await("registrations", LIMIT, () -> server.pipeline().stats().registrations() == 2,
                () -> "registrations=" + server.pipeline().stats().registrations());
            final Thread source = new Thread(() -> {
                try {
                    EventSource.send(server.eventPort(), wire.toString().getBytes(StandardCharsets.US_ASCII));
                } catch (Exception closedByTheStop) {
                    // the stop closes the source while it is held back
                }
            }, "source");
            source.setDaemon(true);
            source.start();
            Conditions.await("the non-reader to hold the pipeline back", LIMIT, () -> server.congestionWaits() >= 1,
                () -> "released=" + server.pipeline().stats().lastReleasedSeq());

            server.close(); // waits its drain time, then stops waiting for the non-reader

            final long released = server.pipeline().stats().released();
            assertTrue(released > 0 && released < events, "the stop came mid-stream: released " + released);
            reader.awaitClosed(LIMIT);
            final StringBuilder expected = new StringBuilder();
            for (long seq = 1; seq <= released; seq++) {
                expected.append(seq).append("|B\r\n");
            }
            assertEquals(expected.length(), reader.receivedLength(), "bytes the reader got, of " + released + " events");
            assertEquals(expected.toString(), reader.received());
        } finally {
            server.close();
        }
    }
}
