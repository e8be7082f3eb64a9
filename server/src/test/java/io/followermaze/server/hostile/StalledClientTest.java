package io.followermaze.server.hostile;

import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.PipelineThread;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.EventSource;
import io.followermaze.server.testing.TestClient;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8: a client that never reads held the whole stream back for the slow-client grace period (2 s by
 * default; 20 of them stretched a 4M-event stream from 11 to 20 s). Now the pipeline stops waiting for a congested
 * client once it drains nothing for {@code clientStallMillis}; a reader that is only briefly slow is not cut off
 * for that (only past its byte bound).
 */
class StalledClientTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    /** Far longer than the test waits: a server that waits out the grace period fails the test. */
    private static final long GRACE_MILLIS = 600_000;

    private static byte[] broadcasts(int events, StringBuilder expected) {
        final ByteArrayOutputStream wire = new ByteArrayOutputStream(events * 10);
        for (int seq = 1; seq <= events; seq++) {
            final String line = seq + "|B";
            wire.writeBytes((line + "\n").getBytes(StandardCharsets.US_ASCII));
            expected.append(line).append("\r\n");
        }
        return wire.toByteArray();
    }

    @ParameterizedTest
    @EnumSource(PipelineThread.class)
    void aClientThatDoesNotReadCostsTheStallTimeNotTheGracePeriod(PipelineThread thread) throws Exception {
        final StringBuilder expected = new StringBuilder();
        final byte[] wire = broadcasts(1_000_000, expected);
        final ServerConfig config = ServerConfig.ephemeral().toBuilder()
            .clientHighWaterMark(64 * 1024).handoffBytes(64 * 1024).maxOutboundBytes(2 * 1024 * 1024)
            // 1 s, not 100 ms: a reader found stalled here is cut off at 2 MB, and a loaded box can starve one that long
            .slowClientGraceMillis(GRACE_MILLIS).clientStallMillis(1_000).pipelineThread(thread).build();
        final List<TestClient> readers = new ArrayList<>();
        try (FollowerMazeServer server = new FollowerMazeServer(config).start();
             Socket stalled = OutboundBudgetTest.nonReader(server.clientPort(), 42)) {
            for (long user = 1; user <= 3; user++) {
                readers.add(new TestClient(server.clientPort(), user, "\n"));
            }
            Conditions.await("registrations", LIMIT, () -> server.pipeline().stats().registrations() == 4,
                () -> "registrations=" + server.pipeline().stats().registrations());

            EventSource.send(server.eventPort(), wire);

            Conditions.await("every event released without waiting out the grace period", LIMIT,
                () -> server.pipeline().stats().lastReleasedSeq() == 1_000_000,
                () -> "released=" + server.pipeline().stats().lastReleasedSeq() + " stalled=" + server.clientsStalled());
            assertTrue(server.clientsStalled() >= 1, "the non-reader was found stalled");
            assertEquals(1, server.slowConsumersCutOff(), "the non-reader is cut off at its byte bound");
        }
        for (TestClient reader : readers) {
            reader.awaitClosed(LIMIT);
            assertEquals(expected.toString(), reader.received(), "user " + reader.userId());
            reader.close();
        }
    }

    @ParameterizedTest
    @EnumSource(PipelineThread.class)
    void aReaderThatPausesIsNoLongerWaitedForButNotCutOff(PipelineThread thread) throws Exception {
        final StringBuilder expected = new StringBuilder();
        final byte[] wire = broadcasts(1_000_000, expected);
        final ServerConfig config = ServerConfig.ephemeral().toBuilder()
            .clientHighWaterMark(64 * 1024).handoffBytes(64 * 1024).maxOutboundBytes(64L * 1024 * 1024)
            .slowClientGraceMillis(GRACE_MILLIS).clientStallMillis(100).pipelineThread(thread).build();
        final ByteArrayOutputStream pausedReceived = new ByteArrayOutputStream();
        try (FollowerMazeServer server = new FollowerMazeServer(config).start();
             TestClient reader = new TestClient(server.clientPort(), 1, "\n");
             Socket paused = OutboundBudgetTest.nonReader(server.clientPort(), 2)) {
            Conditions.await("registrations", LIMIT, () -> server.pipeline().stats().registrations() == 2,
                () -> "registrations=" + server.pipeline().stats().registrations());
            EventSource.send(server.eventPort(), wire);
            // The paused client reads nothing until the server has given up waiting for it; then it reads all.
            Conditions.await("the paused reader to be found stalled", LIMIT, () -> server.clientsStalled() >= 1,
                () -> "released=" + server.pipeline().stats().lastReleasedSeq());
            final InputStream in = paused.getInputStream();
            final byte[] buf = new byte[64 * 1024];
            while (pausedReceived.size() < expected.length()) {
                final int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                pausedReceived.write(buf, 0, n);
            }
            assertEquals(0, server.slowConsumersCutOff(), "a paused reader under its byte bound is not cut off");
            Conditions.await("the other reader to get everything", LIMIT,
                () -> reader.receivedLength() == expected.length(), () -> "received=" + reader.receivedLength());
            assertEquals(expected.toString(), reader.received());
        }
        assertEquals(expected.toString(), pausedReceived.toString(StandardCharsets.US_ASCII));
    }
}
