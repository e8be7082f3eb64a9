package io.followermaze.loadgen.kafka;

import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.Role;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.Expectations;
import io.followermaze.server.testing.TestClient;
import io.followermaze.testkit.EventStreamGenerator;
import io.followermaze.testkit.NaiveFollowerModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker stopped and started again while the source keeps sending (records in the producer, unacknowledged, at the
 * stop; more sent while it is down): ingest retries, the fan-out node resumes; nothing lost or doubled.
 */
class KafkaBrokerRestartTest {
    private static final int EVENTS = 200_000;
    private static final int PIECES = 40;
    private static final int USERS = 100;
    private static final Duration LIMIT = Duration.ofSeconds(90);

    @Test
    void aBrokerRestartWhileTheSourceSendsLosesNothing(@TempDir Path dir) throws Exception {
        final List<String> inOrder = new EventStreamGenerator(31, USERS).next(EVENTS);
        final List<String> wire = EventStreamGenerator.shuffleInBatches(inOrder, 100, new Random(31));
        final int piece = EVENTS / PIECES;
        final NaiveFollowerModel model = NaiveFollowerModel.trackingUsers(USERS);
        model.applyAll(inOrder);

        DevBroker broker = DevBroker.start(dir, 0);
        final String bootstrap = broker.bootstrap();
        final int port = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
        final String topic = "events-broker-restart";
        broker.createTopic(topic, 1);
        final ServerConfig.Builder base = ServerConfig.ephemeral().toBuilder().kafkaBootstrap(bootstrap)
            .kafkaTopic(topic);
        final List<TestClient> clients = new ArrayList<>();
        final AtomicBoolean down = new AtomicBoolean();
        final AtomicInteger sent = new AtomicInteger();
        final AtomicReference<Throwable> sourceFailed = new AtomicReference<>();
        try (FollowerMazeServer ingest = new FollowerMazeServer(base.role(Role.INGEST).build()).start();
             FollowerMazeServer fan = new FollowerMazeServer(base.role(Role.FANOUT).build()).start()) {
            for (long u = 1; u <= USERS; u++) {
                clients.add(new TestClient(fan.clientPort(), u, "\n"));
            }
            Conditions.await("every client registered", LIMIT,
                () -> fan.pipeline().stats().connectedSessions() == USERS, () -> "");
            // The source sends piece after piece; while the broker is up it keeps about one piece ahead of what the
            // fan-out node has released, so that the stop falls while it sends and records are in flight.
            // One connection for the whole stream, as a real source keeps (a connection per piece would, while the
            // broker is down and ingest holds their input, run into --max-event-sources and lose pieces).
            final Thread source = new Thread(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", ingest.eventPort()), 10_000);
                    final OutputStream out = s.getOutputStream();
                    for (int i = 0; i < PIECES; i++) {
                        final int ahead = (i - 1) * piece;
                        Conditions.await("the fan-out node one piece behind", LIMIT,
                            () -> down.get() || fan.pipeline().stats().released() >= ahead, () -> "");
                        if (i == PIECES / 2) { // the second half waits for the stop: mid-stream by construction
                            Conditions.await("the broker down", LIMIT, down::get, () -> "");
                        }
                        out.write(EventStreamGenerator.encode(wire.subList(i * piece, (i + 1) * piece), "\n"));
                        out.flush();
                        sent.incrementAndGet();
                    }
                    s.shutdownOutput();
                } catch (Throwable t) {
                    sourceFailed.set(t);
                }
            }, "source");
            source.start();
            Conditions.await("a quarter of the stream released", LIMIT,
                () -> fan.pipeline().stats().released() >= EVENTS / 4, () -> "");
            broker.close(); // the source is mid-stream: what the producer holds is not acknowledged yet
            down.set(true);
            final long releasedAtStop = fan.pipeline().stats().released();
            final int sentAtStop = sent.get();
            Conditions.await("the source to send the rest while the broker is down", LIMIT,
                () -> sent.get() == PIECES || sourceFailed.get() != null, () -> "");
            assertNull(sourceFailed.get());
            broker = DevBroker.start(dir, port);
            Conditions.await("every event released after the restart", LIMIT,
                () -> fan.pipeline().stats().released() == EVENTS,
                () -> "released " + fan.pipeline().stats().released());
            assertTrue(sentAtStop <= PIECES / 2, "the broker stopped while the source was sending: " + sentAtStop);
            assertEquals(0, ingest.logSink().recordsFailed());
            assertNull(ingest.logFailure());
            assertEquals(0, fan.pipeline().stats().duplicatesDropped(), "idempotent producer: nothing written twice");
            System.out.printf("KafkaBrokerRestartTest: broker stopped at %d of %d released (%d of %d pieces sent), "
                + "restarted; all %d delivered%n", releasedAtStop, EVENTS, sentAtStop, PIECES, EVENTS);
        } finally {
            broker.close();
        }
        Expectations.assertAllReceivedExactly(model, clients, LIMIT);
        for (TestClient c : clients) {
            c.close();
        }
    }
}
