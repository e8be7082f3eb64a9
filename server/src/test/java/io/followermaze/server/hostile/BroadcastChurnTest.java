package io.followermaze.server.hostile;

import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.EventSource;
import io.followermaze.server.testing.ServerProcess;
import io.followermaze.server.testing.TestClient;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Broadcasts are held once per hand-off and each client gets a slice of them (see the egress). Here a live server
 * gets broadcasts with private notifications in between (which move a client's run to a buffer of its own) while
 * clients come and go mid-stream (some read a little first, some vanish with a reset) and others never read. The
 * clients that read must still get exactly their streams, and with Netty's leak detector at its strictest nothing
 * may report a buffer that was never released.
 */
class BroadcastChurnTest {
    private static final Duration LIMIT = Duration.ofSeconds(120);
    private static final long[] READERS = {1, 2, 3};

    @Test
    void readersGetTheirStreamsWhileOthersComeGoAndStall() throws Exception {
        final int events = 200_000;
        final Random random = new Random(7);
        final ByteArrayOutputStream wire = new ByteArrayOutputStream(events * 12);
        final StringBuilder[] expected = {new StringBuilder(), new StringBuilder(), new StringBuilder()};
        for (int seq = 1; seq <= events; seq++) {
            final String line;
            if (random.nextDouble() < 0.85) {
                line = seq + "|B";
                for (StringBuilder e : expected) {
                    e.append(line).append("\r\n");
                }
            } else {
                final int to = random.nextInt(4); // 3: a user nobody connects as
                line = seq + "|P|9|" + (to < 3 ? READERS[to] : 7777);
                if (to < 3) {
                    expected[to].append(line).append("\r\n");
                }
            }
            wire.writeBytes((line + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        final List<Socket> stalled = new ArrayList<>();
        final List<TestClient> readers = new ArrayList<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger churned = new AtomicInteger();
        final List<Thread> churners = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start(
            List.of("-Xmx256m", "-XX:MaxDirectMemorySize=64m", "-Dio.netty.leakDetection.level=paranoid"),
            List.of("--client-stall-ms", "1000", "--slow-client-grace-ms", "5000"), LIMIT)) {
            for (long user : READERS) {
                readers.add(new TestClient(server.clientPort(), user, "\n"));
            }
            for (int i = 0; i < 20; i++) {
                stalled.add(OutboundBudgetTest.nonReader(server.clientPort(), 1000 + i));
            }
            Conditions.await("registrations", LIMIT,
                () -> server.metric("followermaze_clients_connected") == READERS.length + 20, server::outputText);
            for (int k = 0; k < 2; k++) {
                final Random r = new Random(k);
                final Thread t = new Thread(() -> churn(server.clientPort(), r, stop, churned), "churner-" + k);
                t.start();
                churners.add(t);
            }
            Conditions.await("churn under way", LIMIT, () -> churned.get() >= 10, server::outputText);

            EventSource.send(server.eventPort(), wire.toByteArray());
            Conditions.await("every event released", LIMIT,
                () -> server.metric("followermaze_events_released_total") == events, server::outputText);
            stop.set(true);
            for (Thread t : churners) {
                t.join();
            }
            assertTrue(churned.get() >= 10, "clients came and went during the stream: " + churned.get());
            server.process().destroy(); // SIGTERM: graceful, flushes the readers
            for (int i = 0; i < READERS.length; i++) {
                final TestClient reader = readers.get(i);
                reader.awaitClosed(LIMIT);
                assertEquals(expected[i].toString(), reader.received(), "user " + reader.userId());
            }
            assertFalse(server.outputText().contains("LEAK"), server.outputText());
        } finally {
            stop.set(true);
            for (TestClient r : readers) {
                r.close();
            }
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    /** Connects as a random user, maybe reads a little, and goes: half the time with a reset. */
    private static void churn(int port, Random r, AtomicBoolean stop, AtomicInteger churned) {
        final byte[] scratch = new byte[8192];
        while (!stop.get()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                s.getOutputStream().write((2000 + r.nextInt(100_000) + "\n").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                if (r.nextBoolean()) {
                    s.setSoTimeout(5);
                    final InputStream in = s.getInputStream();
                    try {
                        in.read(scratch, 0, 1 + r.nextInt(scratch.length - 1));
                    } catch (java.net.SocketTimeoutException ignored) {
                        // nothing yet: go anyway
                    }
                }
                if (r.nextBoolean()) {
                    s.setSoLinger(true, 0); // close with a reset
                }
            } catch (IOException e) {
                // refused or reset while the server is busy: try again
            }
            churned.incrementAndGet();
        }
    }
}
