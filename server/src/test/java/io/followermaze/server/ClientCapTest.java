package io.followermaze.server;

import ch.qos.logback.classic.Level;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.LogCapture;
import io.followermaze.server.testing.RawClient;
import io.followermaze.server.testing.TestClient;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * "Also" of issue 8: {@code --max-clients} defaults to 50,000, above a hard fd limit of 20,000, so the refusal
 * never fired and accept failed with EMFILE stack traces. The client cap is clamped to what the process's
 * file-descriptor limit leaves after a reserve, the clamp is logged, and a client beyond it is refused.
 */
class ClientCapTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @Test
    void theCapIsTheConfiguredOneWhenTheFdLimitLeavesRoomForIt() {
        final ClientCap cap = ClientCap.compute(50_000, 1_048_576, 200);
        assertEquals(50_000, cap.effective());
        assertFalse(cap.clamped());
    }

    @Test
    void theCapIsClampedToTheFdLimitLessTheReserve() {
        final ClientCap cap = ClientCap.compute(50_000, 20_000, 200);
        assertEquals(19_800, cap.effective());
        assertTrue(cap.clamped());
        assertEquals(50_000, cap.configured());
        assertEquals(20_000, cap.fdLimit());
        assertEquals(200, cap.reserve());
    }

    @Test
    void exactlyAtTheBoundaryIsNotAClamp() {
        assertFalse(ClientCap.compute(19_800, 20_000, 200).clamped());
        assertTrue(ClientCap.compute(19_801, 20_000, 200).clamped());
    }

    @Test
    void aLimitSmallerThanTheReserveStillAllowsOneClient() {
        final ClientCap cap = ClientCap.compute(50_000, 100, 200);
        assertEquals(1, cap.effective());
        assertTrue(cap.clamped());
    }

    @Test
    void anUnknownLimitLeavesTheConfiguredCap() {
        final ClientCap cap = ClientCap.compute(50_000, ClientCap.UNKNOWN, 200);
        assertEquals(50_000, cap.effective());
        assertFalse(cap.clamped());
    }

    @Test
    void aLimitAboveIntRangeDoesNotOverflow() {
        assertEquals(Integer.MAX_VALUE, ClientCap.compute(Integer.MAX_VALUE, Long.MAX_VALUE, 200).effective());
    }

    @Test
    void theReserveCoversEventSourcesEventLoopsAndAFixedPart() {
        assertEquals(16 + 4 * (1 + 1) + ClientCap.FIXED_RESERVE, ClientCap.reserve(16, 1));
        assertEquals(1000 + 4 * (8 + 1) + ClientCap.FIXED_RESERVE, ClientCap.reserve(1000, 8));
    }

    @Test
    void aServerConfiguredAboveTheProcessFdLimitClampsAndSaysSo() throws Exception {
        final long fdLimit = ClientCap.processFdLimit();
        assumeTrue(fdLimit > 0, "no fd limit on this platform");
        final ServerConfig config = ServerConfig.ephemeral().toBuilder().maxClients(Integer.MAX_VALUE).build();
        try (LogCapture log = new LogCapture(FollowerMazeServer.class);
             FollowerMazeServer server = new FollowerMazeServer(config).start()) {
            final long expected = Math.max(1, fdLimit - ClientCap.reserve(config.maxEventSources(), config.ioThreads()));
            assertEquals(expected, server.effectiveMaxClients());
            final List<String> lines = log.messages(Level.WARN, "clamped to " + expected);
            assertEquals(1, lines.size(), "clamp warnings: " + log.events());
        }
    }

    @Test
    void aClientBeyondTheEffectiveCapIsRefusedNotAccepted() throws Exception {
        final ServerConfig config = ServerConfig.ephemeral().toBuilder().maxClients(1_000).build();
        final long fdLimit = ClientCap.reserve(config.maxEventSources(), config.ioThreads()) + 2L;
        try (LogCapture log = new LogCapture(FollowerMazeServer.class);
             FollowerMazeServer server = new FollowerMazeServer(config, error -> { }, fdLimit).start();
             TestClient a = new TestClient(server.clientPort(), 1, "\n");
             TestClient b = new TestClient(server.clientPort(), 2, "\n")) {
            assertEquals(2, server.effectiveMaxClients());
            assertEquals(1, log.messages(Level.WARN, "clamped to 2").size(), "clamp warnings: " + log.events());
            Conditions.await("registrations", LIMIT, () -> server.pipeline().stats().registrations() == 2, () -> "");
            final long started = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                try (RawClient third = new RawClient(server.clientPort())) {
                    third.send("3\n".getBytes(StandardCharsets.US_ASCII)).awaitClosedByServer(30_000);
                }
            }
            assertEquals(20, server.clientsRefused());
            assertEquals(2, server.pipeline().stats().registrations());
            final List<String> refusals = log.messages(Level.WARN, "Refusing client");
            assertTrue(!refusals.isEmpty(), "a refusal is logged");
            LogCapture.assertAtMostOneASecond(refusals, started, "refusal");
        }
    }
}
