package io.followermaze.server;

import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.EventSource;
import io.followermaze.server.testing.TestClient;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A client that never reads is cut off once its outbound backlog passes the bound, and the clients that do read
 * still receive every notification.
 */
class SlowConsumerTest {
    private static final Duration LIMIT = Duration.ofSeconds(120);

    /** On the event loop the pipeline must not wait for the client (it shares the thread that would drain it). */
    @ParameterizedTest
    @EnumSource(PipelineThread.class)
    void clientThatStopsReadingIsCutOffAndOthersReceiveEverything(PipelineThread thread) throws Exception {
        final int events = 1_000_000; // ~13 MB of broadcasts per client: far more than socket buffers hold
        final ByteArrayOutputStream wire = new ByteArrayOutputStream(events * 12);
        final StringBuilder expected = new StringBuilder(events * 13);
        for (int seq = 1; seq <= events; seq++) {
            final String line = seq + "|B";
            wire.writeBytes((line + "\n").getBytes(StandardCharsets.US_ASCII));
            expected.append(line).append("\r\n");
        }

        final ServerConfig config = ServerConfig.ephemeral().toBuilder()
            .clientHighWaterMark(64 * 1024).handoffBytes(64 * 1024).maxOutboundBytes(1024 * 1024)
            // generous stall and grace: a reader the box starves for a moment is not mistaken for the stalled one
            .slowClientGraceMillis(5_000).clientStallMillis(1_000).pipelineThread(thread).build();
        final List<TestClient> readers = new ArrayList<>();
        try (FollowerMazeServer server = new FollowerMazeServer(config).start();
             Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress("127.0.0.1", server.clientPort()));
            stalled.getOutputStream().write("42\n".getBytes(StandardCharsets.US_ASCII));
            for (long user = 1; user <= 3; user++) {
                readers.add(new TestClient(server.clientPort(), user, "\n"));
            }
            Conditions.await("registrations", LIMIT, () -> server.pipeline().stats().registrations() == 4,
                () -> "registrations=" + server.pipeline().stats().registrations());

            EventSource.send(server.eventPort(), wire.toByteArray());

            Conditions.await("the stalled client to be cut off", LIMIT, () -> server.slowConsumersCutOff() == 1,
                () -> "cutOff=" + server.slowConsumersCutOff() + " released=" + server.pipeline().stats().lastReleasedSeq());
            Conditions.await("the stalled client to leave the session table", LIMIT,
                () -> server.openClientConnections() == 3, () -> "open=" + server.openClientConnections());
            Conditions.await("all events released", LIMIT, () -> server.pipeline().stats().lastReleasedSeq() == events,
                () -> "released=" + server.pipeline().stats().lastReleasedSeq());
        }
        for (TestClient reader : readers) {
            reader.awaitClosed(LIMIT);
            assertEquals(expected.length(), reader.receivedLength(), "user " + reader.userId() + " byte count");
            assertEquals(expected.toString(), reader.received(), "user " + reader.userId());
            reader.close();
        }
    }
}
