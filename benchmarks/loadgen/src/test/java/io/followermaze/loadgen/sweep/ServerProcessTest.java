package io.followermaze.loadgen.sweep;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Starting a server command, learning its ports from its log line, stopping it. */
@Timeout(60)
class ServerProcessTest {
    private static final String LISTENING = "13:30:01.123 INFO  [main] FollowerMazeServer - followermaze listening"
        + " (standalone role): events on 0.0.0.0:41234, clients on 0.0.0.0:41235 (epoll transport, 1 io thread(s))";

    @Test
    void parsesTheServersListeningLine() {
        assertArrayEquals(new int[] {41234, 41235}, ServerProcess.parsePorts(LISTENING));
        assertArrayEquals(new int[] {9090, 9099},
            ServerProcess.parsePorts("listening: events on [::1]:9090, clients on [::1]:9099 (nio transport)"));
        assertNull(ServerProcess.parsePorts("followermaze listening (fanout role): events on -, clients on 0.0.0.0:1"));
    }

    @Test
    void learnsThePortsAndStopsTheProcess() throws Exception {
        final ServerProcess p = ServerProcess.start(
            "sh -c \"echo starting; echo '" + LISTENING + "'; exec sleep 60\"", 30_000);
        try {
            assertEquals(41234, p.eventPort());
            assertEquals(41235, p.clientPort());
            assertTrue(p.alive());
        } finally {
            p.close();
        }
        assertFalse(p.alive(), "stopped");
        assertTrue(p.tail().contains("starting"), p.tail());
    }

    @Test
    void learnsTheMetricsPortWhenTheCommandServesMetrics() throws Exception {
        try (ServerProcess p = ServerProcess.start("sh -c \"echo 'serve --metrics-port 0'; echo '" + LISTENING
            + "'; echo 'INFO MetricsEndpoint - Metrics on http://0.0.0.0:45678/metrics, health on /health'; exec sleep 60\"",
            30_000)) {
            assertEquals(45678, p.metricsPort(), "waited for it: the command has --metrics-port");
            assertTrue(p.target("127.0.0.1", 5).ready() instanceof RegistrationProbe);
        }
        try (ServerProcess p = ServerProcess.start("sh -c \"echo '" + LISTENING + "'; exec sleep 60\"", 30_000)) {
            assertEquals(-1, p.metricsPort());
            assertNull(p.target("127.0.0.1", 5).ready(), "no metrics: the run's settle time instead");
        }
    }

    @Test
    void readsTheRegisteredClientsGauge() {
        final String page = "# HELP followermaze_clients_connected Client connections registered\n"
            + "# TYPE followermaze_clients_connected gauge\nfollowermaze_clients_connected 100.0\n"
            + "followermaze_clients_limit 19848.0\n";
        assertEquals(100.0, RegistrationProbe.connected(page));
        assertEquals(-1, RegistrationProbe.connected("followermaze_clients_limit 5.0\n"));
    }

    @Test
    void aCommandThatEndsWithoutListeningFailsWithItsOutput() {
        final IOException e = assertThrows(IOException.class,
            () -> ServerProcess.start("sh -c \"echo 'Address already in use'; exit 3\"", 30_000));
        assertTrue(e.getMessage().contains("ended") && e.getMessage().contains("Address already in use"),
            e.getMessage());
    }
}
