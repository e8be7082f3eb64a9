package io.followermaze.server.hostile;

import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.Expectations;
import io.followermaze.server.testing.TestClient;
import io.followermaze.testkit.EventStreamGenerator;
import io.followermaze.testkit.NaiveFollowerModel;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Sources that come and go, run side by side, and repeat themselves. */
class EventSourceFaultsTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final List<Long> USERS = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);

    private static Socket connect(int port) throws Exception {
        final Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        return s;
    }

    private static byte[] lines(List<String> payloads) {
        return EventStreamGenerator.encode(payloads, "\n");
    }

    @Test
    void concurrentSourcesWithInterleavedPartsOfOneStreamAndDuplicates() throws Exception {
        final long seed = 99;
        final int events = 50_000;
        final List<String> inOrder = new EventStreamGenerator(seed, 20).next(events);
        final List<String> arrival = EventStreamGenerator.shuffleInBatches(inOrder, 500, new Random(seed));
        final NaiveFollowerModel model = new NaiveFollowerModel(USERS);
        model.applyAll(inOrder);

        final List<TestClient> clients = new ArrayList<>();
        try (FollowerMazeServer server = new FollowerMazeServer(ServerConfig.ephemeral()).start()) {
            for (long u : USERS) {
                clients.add(new TestClient(server.clientPort(), u, "\n"));
            }
            Conditions.await("registrations", LIMIT, () -> server.pipeline().stats().registrations() == USERS.size(), () -> "");
            // Three sources open at once; lines are dealt round-robin in small runs and written alternately.
            try (Socket a = connect(server.eventPort()); Socket b = connect(server.eventPort());
                 Socket c = connect(server.eventPort())) {
                final OutputStream[] outs = {a.getOutputStream(), b.getOutputStream(), c.getOutputStream()};
                final int run = 37;
                for (int i = 0, k = 0; i < arrival.size(); i += run, k++) {
                    outs[k % 3].write(lines(arrival.subList(i, Math.min(arrival.size(), i + run))));
                }
                Conditions.await("all released", LIMIT, () -> server.pipeline().stats().lastReleasedSeq() == events,
                    () -> "released=" + server.pipeline().stats().lastReleasedSeq());
                // A replay of 1,000 released seqs on one source, and duplicates within the held-back window.
                outs[1].write(lines(inOrder.subList(0, 1000)));
                outs[2].write(("" + (events + 2) + "|B\n" + (events + 2) + "|B\n" + (events + 1) + "|B\n")
                    .getBytes(StandardCharsets.US_ASCII));
                for (OutputStream out : outs) {
                    out.flush();
                }
                Conditions.await("duplicates counted", LIMIT, () -> server.pipeline().stats().duplicatesDropped() == 1001
                        && server.pipeline().stats().lastReleasedSeq() == events + 2,
                    () -> "duplicates=" + server.pipeline().stats().duplicatesDropped());
            }
            model.apply((events + 1) + "|B");
            model.apply((events + 2) + "|B");
            assertEquals(3, server.eventSourceConnections());
        }
        Expectations.assertAllReceivedExactly(model, clients, LIMIT);
    }

    @Test
    void aSourceThatDisconnectsMidLineAndReconnectsContinuesTheSequence() throws Exception {
        final long seed = 5;
        final int events = 20_000;
        final List<String> inOrder = new EventStreamGenerator(seed, 20).next(events);
        final byte[] wire = lines(EventStreamGenerator.shuffleInBatches(inOrder, 100, new Random(seed)));
        final NaiveFollowerModel model = new NaiveFollowerModel(USERS);
        model.applyAll(inOrder);

        final List<TestClient> clients = new ArrayList<>();
        try (FollowerMazeServer server = new FollowerMazeServer(ServerConfig.ephemeral()).start()) {
            for (long u : USERS) {
                clients.add(new TestClient(server.clientPort(), u, "\n"));
            }
            Conditions.await("registrations", LIMIT, () -> server.pipeline().stats().registrations() == USERS.size(), () -> "");
            int start = 0;
            for (int part = 1; part <= 4; part++) {
                int end = part == 4 ? wire.length : wire.length * part / 4;
                while (end < wire.length && wire[end - 1] != '\n') {
                    end++;
                }
                try (Socket s = connect(server.eventPort())) {
                    s.getOutputStream().write(wire, start, end - start);
                }
                start = end;
            }
            Conditions.await("all released", LIMIT, () -> server.pipeline().stats().lastReleasedSeq() == events,
                () -> "released=" + server.pipeline().stats().lastReleasedSeq());
            assertEquals(0, server.pipeline().stats().rejectedTotal());
        }
        Expectations.assertAllReceivedExactly(model, clients, LIMIT);
    }
}
