package io.followermaze.server.hostile;

import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.EventSource;
import io.followermaze.server.testing.RawClient;
import io.followermaze.server.testing.TestClient;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Bad ids, over-long ids, silence and chatter on the client port: each is handled and nobody else notices. */
class ClientPortAbuseTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final int CLOSE_WAIT_MS = 30_000;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void badIdsAreClosedAndDoNotDisturbAWellBehavedClient() throws Exception {
        final ServerConfig config = ServerConfig.ephemeral().toBuilder()
            .maxClientIdLength(32).clientIdTimeoutMillis(300).build();
        try (FollowerMazeServer server = new FollowerMazeServer(config).start();
             TestClient good = new TestClient(server.clientPort(), 7, "\r\n")) {
            for (String bad : new String[] {"abc\n", "12x\n", "0\n", "-3\n", "99999999999999999999\n", "\n", " 7\n"}) {
                try (RawClient c = new RawClient(server.clientPort())) {
                    c.send(ascii(bad)).awaitClosedByServer(CLOSE_WAIT_MS);
                }
            }
            try (RawClient overlong = new RawClient(server.clientPort())) {
                final byte[] digits = new byte[100];
                Arrays.fill(digits, (byte) '1');
                overlong.send(digits).awaitClosedByServer(CLOSE_WAIT_MS); // no line end needed to be refused
            }
            try (RawClient silent = new RawClient(server.clientPort())) {
                silent.awaitClosedByServer(CLOSE_WAIT_MS); // id timeout
            }
            Conditions.await("only the good client registered", LIMIT,
                () -> server.pipeline().stats().registrations() == 1, () -> "registrations=" + server.pipeline().stats().registrations());
            EventSource.send(server.eventPort(), ascii("2|P|1|7\n1|B\n3|F|9|7\n"));
            Conditions.await("release", LIMIT, () -> server.pipeline().stats().lastReleasedSeq() == 3, () -> "");
            server.close();
            good.awaitClosed(LIMIT);
            assertEquals("1|B\r\n2|P|1|7\r\n3|F|9|7\r\n", good.received());
        }
    }

    @Test
    void bytesAfterTheIdAreDiscardedWithoutBuffering() throws Exception {
        try (FollowerMazeServer server = new FollowerMazeServer(ServerConfig.ephemeral()).start()) {
            final TestClient chatty = new TestClient(server.clientPort(), 5, "\n");
            final TestClient quiet = new TestClient(server.clientPort(), 6, "\n");
            Conditions.await("registrations", LIMIT, () -> server.pipeline().stats().registrations() == 2, () -> "");
            // A second connection of user 5 sends 8 MiB of junk after its id (line ends, digits that look like
            // ids): read and dropped.
            final byte[] junk = new byte[8 * 1024 * 1024];
            Arrays.fill(junk, (byte) '9');
            for (int i = 0; i < junk.length; i += 1000) {
                junk[i] = '\n';
            }
            final RawClient chatter = new RawClient(server.clientPort());
            chatter.send(ascii("5\n")).send(junk);
            Conditions.await("the chatter registered once", LIMIT, () -> server.pipeline().stats().registrations() == 3,
                () -> "registrations=" + server.pipeline().stats().registrations());
            EventSource.send(server.eventPort(), ascii("1|B\n2|P|6|5\n"));
            Conditions.await("release", LIMIT, () -> server.pipeline().stats().lastReleasedSeq() == 2, () -> "");
            server.close();
            chatty.awaitClosed(LIMIT);
            quiet.awaitClosed(LIMIT);
            assertEquals("1|B\r\n2|P|6|5\r\n", chatty.received());
            assertEquals("1|B\r\n", quiet.received());
            assertEquals(3, server.pipeline().stats().registrations(), "junk lines were never taken for ids");
            chatter.close();
            chatty.close();
            quiet.close();
        }
    }

    @Test
    void connectionsBeyondMaxClientsAreRefused() throws Exception {
        final ServerConfig config = ServerConfig.ephemeral().toBuilder().maxClients(2).build();
        try (FollowerMazeServer server = new FollowerMazeServer(config).start();
             TestClient a = new TestClient(server.clientPort(), 1, "\n");
             TestClient b = new TestClient(server.clientPort(), 2, "\n")) {
            Conditions.await("registrations", LIMIT, () -> server.pipeline().stats().registrations() == 2, () -> "");
            try (RawClient third = new RawClient(server.clientPort())) {
                third.send(ascii("3\n")).awaitClosedByServer(CLOSE_WAIT_MS);
            }
            assertEquals(1, server.clientsRefused());
            assertEquals(2, server.pipeline().stats().registrations());
        }
    }
}
