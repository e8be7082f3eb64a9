package io.followermaze.server.hostile;

import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.EventSource;
import io.followermaze.server.testing.ServerProcess;
import io.followermaze.server.testing.TestClient;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8, defect 1: clients that connect, send an id and never read, more of them than the direct-memory limit
 * can hold at the per-client bound. Before the total budget, the pipeline ran out of direct memory while
 * appending, lost the events it was routing (the cursor skipped them) and every reading client missed them. Now
 * the largest backlogs are cut off first and every reading client still receives every broadcast.
 */
class OutboundBudgetTest {
    private static final Duration LIMIT = Duration.ofSeconds(120);

    @Test
    void nonReadingClientsBeyondDirectMemoryAreCutOffAndReadersGetEverything() throws Exception {
        final int events = 1_000_000; // ~10 MB of broadcasts per client
        final ByteArrayOutputStream wire = new ByteArrayOutputStream(events * 10);
        final StringBuilder expected = new StringBuilder(events * 11);
        for (int seq = 1; seq <= events; seq++) {
            final String line = seq + "|B";
            wire.writeBytes((line + "\n").getBytes(StandardCharsets.US_ASCII));
            expected.append(line).append("\r\n");
        }
        final int stalledCount = 12; // x 8 MiB per-client bound: three times the 32 MiB direct-memory limit
        final List<Socket> stalled = new ArrayList<>();
        final List<TestClient> readers = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start(
            List.of("-Xmx256m", "-XX:MaxDirectMemorySize=32m", "-XX:+UseSerialGC"),
            // Generous stall and grace times: a reader that a busy test machine starves of CPU for a moment must not
            // be taken for a client that does not read.
            List.of("--client-stall-ms", "1000", "--slow-client-grace-ms", "5000"), LIMIT)) {
            for (int i = 0; i < stalledCount; i++) {
                stalled.add(nonReader(server.clientPort(), 100 + i));
            }
            for (long user = 1; user <= 3; user++) {
                readers.add(new TestClient(server.clientPort(), user, "\n"));
            }
            Conditions.await("registrations", LIMIT,
                () -> server.metric("followermaze_clients_connected") == stalledCount + 3, server::outputText);

            EventSource.send(server.eventPort(), wire.toByteArray());

            Conditions.await("every event released", LIMIT,
                () -> server.metric("followermaze_events_released_total") == events
                    || server.metric("followermaze_gaps_skipped_total") > 0,
                server::outputText);
            assertEquals(0.0, server.metric("followermaze_gaps_skipped_total"), "no seq skipped\n" + server.outputText());
            assertTrue(server.metric("followermaze_clients_budget_disconnects_total") > 0,
                "the total budget cut off the largest backlogs\n" + server.outputText());
            assertFalse(server.outputText().contains("OutOfMemoryError"), server.outputText());
            server.process().destroy(); // SIGTERM: graceful, flushes the readers
            for (TestClient reader : readers) {
                reader.awaitClosed(LIMIT);
                assertEquals(expected.length(), reader.receivedLength(),
                    "user " + reader.userId() + " byte count\n" + server.outputText());
                assertEquals(expected.toString(), reader.received(), "user " + reader.userId());
            }
        } finally {
            for (TestClient r : readers) {
                r.close();
            }
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    /** Connects with a small receive buffer, sends its id and never reads. */
    static Socket nonReader(int port, long user) throws IOException {
        final Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        s.getOutputStream().write((user + "\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }
}
