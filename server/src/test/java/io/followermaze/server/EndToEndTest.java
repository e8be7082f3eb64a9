package io.followermaze.server;

import io.followermaze.pipeline.PipelineConfig;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.EventSource;
import io.followermaze.server.testing.Expectations;
import io.followermaze.server.testing.TestClient;
import io.followermaze.testkit.EventStreamGenerator;
import io.followermaze.testkit.NaiveFollowerModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole server over loopback sockets: clients identify first, an event source streams shuffled batches,
 * and every client's bytes must equal what the naive model expects, exactly (order, completeness, CRLF,
 * nothing extra). "Nothing extra" is checked by closing the server gracefully and reading each client to EOF.
 */
class EndToEndTest {
    private static final Duration LIMIT = Duration.ofSeconds(120);

    /** One end-to-end scenario. */
    record Scenario(long seed, int events, int users, int connectedUsers, int maxBatch, String eventLineEnd,
                    String idLineEnd, int connectionsPerUser, int sourceConnections, PipelineConfig pipeline) {
        static Scenario standard(long seed) {
            return new Scenario(seed, 200_000, 100, 50, 5_000, "\n", "\r\n", 1, 1,
                PipelineConfig.DEFAULT.withWindowSize(1024).withMaxPending(1 << 20));
        }
    }

    @ParameterizedTest
    @EnumSource(PipelineThread.class)
    void twoHundredThousandEventsInShuffledBatchesReachFiftyClientsExactly(PipelineThread thread) throws Exception {
        run(Scenario.standard(20261130L), b -> b.pipelineThread(thread));
    }

    /** The pipeline on the first of two event loops: clients and the source may be on the other. */
    @Test
    void pipelineOnOneOfTwoEventLoops() throws Exception {
        run(Scenario.standard(12L), b -> b.pipelineThread(PipelineThread.EVENT_LOOP).ioThreads(2));
    }

    @Test
    void crlfEventLines() throws Exception {
        final Scenario s = Scenario.standard(7L);
        run(new Scenario(s.seed(), 100_000, s.users(), s.connectedUsers(), s.maxBatch(), "\r\n", s.idLineEnd(),
            1, 1, s.pipeline()));
    }

    @Test
    void lfClientIds() throws Exception {
        final Scenario s = Scenario.standard(8L);
        run(new Scenario(s.seed(), 100_000, s.users(), s.connectedUsers(), s.maxBatch(), "\n", "\n", 1, 1,
            s.pipeline()));
    }

    @Test
    void twoConnectionsForOneUserEachReceiveEverything() throws Exception {
        final Scenario s = Scenario.standard(9L);
        run(new Scenario(s.seed(), 100_000, s.users(), s.connectedUsers(), s.maxBatch(), "\n", "\r\n", 2, 1,
            s.pipeline()));
    }

    @ParameterizedTest
    @EnumSource(PipelineThread.class)
    void twoEventSourceConnectionsInARowFeedOneSequence(PipelineThread thread) throws Exception {
        final Scenario s = Scenario.standard(10L);
        run(new Scenario(s.seed(), 100_000, s.users(), s.connectedUsers(), s.maxBatch(), "\n", "\r\n", 1, 2,
            s.pipeline()), b -> b.pipelineThread(thread));
    }

    @Test
    void defaultWindowWithBatchesLargerThanTheWindowSpills() throws Exception {
        final Scenario s = Scenario.standard(11L);
        run(new Scenario(s.seed(), 100_000, s.users(), s.connectedUsers(), 50_000, "\n", "\r\n", 1, 1,
            PipelineConfig.DEFAULT.withWindowSize(256).withMaxPending(1 << 20)));
    }

    static void run(Scenario sc) throws Exception {
        run(sc, b -> { });
    }

    static void run(Scenario sc, java.util.function.Consumer<ServerConfig.Builder> edit) throws Exception {
        final EventStreamGenerator generator = new EventStreamGenerator(sc.seed(), sc.users());
        final List<String> inOrder = generator.next(sc.events());
        final List<String> arrival = EventStreamGenerator.shuffleInBatches(inOrder, sc.maxBatch(), new Random(sc.seed()));
        final byte[] wire = EventStreamGenerator.encode(arrival, sc.eventLineEnd());

        final List<Long> connected = new ArrayList<>();
        LongStream.rangeClosed(1, sc.connectedUsers()).forEach(u -> connected.add(u * 2 - (u % 2))); // a spread of ids
        final NaiveFollowerModel model = new NaiveFollowerModel(connected);
        model.applyAll(inOrder);

        final ServerConfig.Builder builder = ServerConfig.ephemeral().toBuilder().pipeline(sc.pipeline());
        edit.accept(builder);
        final ServerConfig config = builder.build();
        final List<TestClient> clients = new ArrayList<>();
        try (FollowerMazeServer server = new FollowerMazeServer(config).start()) {
            for (long user : connected) {
                for (int c = 0; c < sc.connectionsPerUser(); c++) {
                    clients.add(new TestClient(server.clientPort(), user, sc.idLineEnd()));
                }
            }
            // Registration travels through the pipeline; the events must come after it, as with the reference program.
            Conditions.await("client registrations", LIMIT, () -> server.pipeline().stats().registrations() == clients.size(),
                () -> "registrations=" + server.pipeline().stats().registrations());

            sendInConnections(server.eventPort(), wire, sc.sourceConnections());
            Conditions.await("all events released", LIMIT, () -> server.pipeline().stats().lastReleasedSeq() == sc.events(),
                () -> "released=" + server.pipeline().stats().lastReleasedSeq() + " pending=" + server.pipeline().stats().pending());

            assertEquals(0, server.pipeline().stats().rejectedTotal(), "no valid line may be rejected");
            assertEquals(0, server.pipeline().stats().duplicatesDropped());
            assertEquals(0, server.pipeline().stats().gapsSkipped());
            assertEquals(sc.sourceConnections(), server.eventSourceConnections());
        } // graceful close: everything released is flushed, then clients see EOF

        Expectations.assertAllReceivedExactly(model, clients, LIMIT);
        assertTrue(model.notificationCount() > sc.events() / 4, "the stream must exercise fan-out");
    }

    private static void sendInConnections(int port, byte[] wire, int connections) throws Exception {
        int start = 0;
        for (int i = 1; i <= connections; i++) {
            int end = i == connections ? wire.length : (int) ((long) wire.length * i / connections);
            while (end < wire.length && wire[end - 1] != '\n') {
                end++; // split only at line boundaries: each connection carries whole lines
            }
            EventSource.send(port, wire, start, end - start);
            start = end;
        }
    }
}
