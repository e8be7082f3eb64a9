package io.followermaze.server.journal;

import io.followermaze.graph.FollowerGraph;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.Expectations;
import io.followermaze.server.testing.ServerProcess;
import io.followermaze.server.testing.TestClient;
import io.followermaze.testkit.EventStreamGenerator;
import io.followermaze.testkit.NaiveFollowerModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash for real (issue 10): the {@code serve} command in its own JVM with a journal, fed a generated mix, killed with
 * SIGKILL at several points in a row (each restart on the same directory, each time the source resending from seq 1
 * up to the next point), then restarted once more: clients connect, the source resends the whole stream, and every
 * client must receive exactly what a model that applied every event says is due for the events from the recovered
 * cursor on; the graph rebuilt from the journal must have the model's digest at that cursor. Under
 * {@code --journal-fsync never} a process crash loses nothing the OS was given, so each recovered cursor is at least
 * where the cursor stood just before the kill.
 */
class JournalCrashTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final int USERS = 40;
    private static final int EVENTS = 8_000;
    private static final Pattern RECOVERED = Pattern.compile(
        "Journal recovered from .*: (\\d+) events released, (\\d+) users, (\\d+) edges, (\\d+) events held, next seq (\\d+), "
            + "graph digest ([0-9a-f]+)");

    @TempDir
    Path dir;

    private record Recovered(long released, long edges, long held, long nextSeq, long digest) {
    }

    private List<String> serveArgs(String fsync) {
        return serveArgs(fsync, 0);
    }

    /** @param snapshotEvery 0: no snapshots (recovery replays the whole journal) */
    private List<String> serveArgs(String fsync, long snapshotEvery) {
        return List.of("--journal-dir", dir.toString(), "--journal-fsync", fsync, "--journal-segment-bytes",
            snapshotEvery > 0 ? "16384" : "65536", "--snapshot-every", Long.toString(snapshotEvery));
    }

    private static ServerProcess start(List<String> args) {
        return ServerProcess.start(List.of("-Xmx128m", "-XX:+UseSerialGC"), args, LIMIT);
    }

    private static Recovered recovered(ServerProcess server) {
        for (String line : server.output()) {
            final Matcher m = RECOVERED.matcher(line);
            if (m.find()) {
                return new Recovered(Long.parseLong(m.group(1)), Long.parseLong(m.group(3)), Long.parseLong(m.group(4)),
                    Long.parseLong(m.group(5)), Long.parseUnsignedLong(m.group(6), 16));
            }
        }
        throw new AssertionError("no recovery line in\n" + server.outputText());
    }

    private static void send(int port, byte[] wire, int length) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            final OutputStream out = s.getOutputStream();
            out.write(wire, 0, length);
            out.flush();
        }
    }

    private static long nextSeq(ServerProcess server) {
        return (long) server.metric("followermaze_resequencer_next");
    }

    private static void kill(ServerProcess server) throws InterruptedException {
        server.process().destroyForcibly(); // SIGKILL
        assertTrue(server.process().waitFor(30, TimeUnit.SECONDS));
        server.close();
    }

    /** The model's graph digest after the events before {@code nextSeq} (the same sum as FollowerGraph's). */
    private static long modelDigest(List<String> inOrder, long nextSeq) {
        final NaiveFollowerModel model = new NaiveFollowerModel(List.of());
        for (int i = 0; i < nextSeq - 1; i++) {
            model.apply(inOrder.get(i));
        }
        long digest = 0;
        for (long followed = 0; followed <= USERS; followed++) {
            for (long follower : model.followersOf(followed)) {
                digest += FollowerGraph.edgeHash(follower, followed);
            }
        }
        return digest;
    }

    /**
     * @param cuts fractions of the stream's bytes at which the process is killed, one kill each, in order
     */
    @ParameterizedTest(name = "fsync {0}, seed {1}, kills at {2}, snapshot every {3}")
    @CsvSource({
        "never, 11, 0.05 0.3 0.55 0.8, 0",
        "never, 12, 0.2 0.45 0.7 0.95, 0",
        "batch, 13, 0.1 0.4 0.65 0.9, 0",
        "interval:50, 14, 0.15 0.5 0.75 1.0, 0",
        // snapshots every few hundred events, small segments: kills land while snapshots are written and segments
        // are deleted; recovery starts from the newest good snapshot and replays only the journal after it
        "never, 15, 0.1 0.35 0.6 0.85, 500",
        "interval:50, 16, 0.25 0.5 0.75 1.0, 300"})
    void killedAtSeveralPointsThenResumedFromTheRecoveredCursor(String fsync, long seed, String cuts,
                                                                long snapshotEvery) throws Exception {
        final List<String> inOrder = new EventStreamGenerator(seed, USERS).next(EVENTS);
        final byte[] wire = EventStreamGenerator.encode(
            EventStreamGenerator.shuffleInBatches(inOrder, 100, new Random(seed)), "\n");
        long lastCursor = 1;
        for (String cut : cuts.split(" ")) {
            final int length = (int) (Double.parseDouble(cut) * wire.length);
            final ServerProcess server = start(serveArgs(fsync, snapshotEvery));
            try {
                final long atStart = nextSeq(server);
                assertTrue(atStart >= lastCursor, "the cursor never goes back: " + atStart + " < " + lastCursor);
                send(server.eventPort(), wire, length); // from seq 1: what the journal has is dropped as duplicates
                // kill while it works, once it has moved past where it started (or right away if nothing new came)
                Conditions.await("the cursor to move", LIMIT,
                    () -> nextSeq(server) > atStart || length == 0, server::outputText);
                if (snapshotEvery > 0 && lastCursor == 1) {
                    // the first run goes on until a snapshot is on disk, so that recovery surely starts from one;
                    // later kills fall wherever they fall, during snapshots and segment deletions too
                    Conditions.await("a snapshot written", LIMIT,
                        () -> server.outputText().contains("Snapshot written"), server::outputText);
                }
                lastCursor = nextSeq(server);
            } finally {
                kill(server);
            }
        }

        final ServerProcess server = start(serveArgs(fsync, snapshotEvery));
        try {
            final Recovered r = recovered(server);
            if (snapshotEvery > 0) {
                assertTrue(server.outputText().contains("Snapshot snapshot-"), "recovery started from a snapshot\n"
                    + server.outputText());
            }
            // every mode writes to the OS before routing: a process crash loses nothing that was routed
            assertTrue(r.nextSeq() >= lastCursor, "recovered cursor " + r.nextSeq() + " is behind the " + lastCursor
                + " seen before the kill\n" + server.outputText());
            assertEquals((long) nextSeq(server), r.nextSeq(), "/metrics shows the recovered cursor");
            assertEquals(modelDigest(inOrder, r.nextSeq()), r.digest(), "the rebuilt graph is the model's at the cursor");
            verifyResume(server, inOrder, wire, r.nextSeq());
        } finally {
            server.close();
        }
    }

    /** A gap open at the crash: the events held behind it are back after recovery and released once it fills. */
    @Test
    void eventsHeldForAGapAtTheCrashAreRecovered() throws Exception {
        final List<String> inOrder = new EventStreamGenerator(21, USERS).next(EVENTS);
        final List<String> arrival = EventStreamGenerator.shuffleInBatches(inOrder, 100, new Random(21));
        final long missing = 3_000;
        final List<String> firstRun = new ArrayList<>();
        for (String line : arrival.subList(0, arrival.size() / 2)) {
            if (NaiveFollowerModel.seqOf(line) != missing) {
                firstRun.add(line);
            }
        }
        final long held = firstRun.stream().filter(l -> NaiveFollowerModel.seqOf(l) > missing).count();
        assertTrue(held > 0);
        final byte[] first = EventStreamGenerator.encode(firstRun, "\n");
        final ServerProcess crashing = start(serveArgs("never"));
        try {
            send(crashing.eventPort(), first, first.length);
            Conditions.await("the gap at " + missing, LIMIT, () -> nextSeq(crashing) == missing
                && crashing.metric("followermaze_resequencer_pending") == held, crashing::outputText);
        } finally {
            kill(crashing);
        }
        final ServerProcess server = start(serveArgs("never"));
        try {
            final Recovered r = recovered(server);
            assertEquals(missing, r.nextSeq());
            assertEquals(held, r.held());
            assertEquals(missing - 1, r.released());
            assertEquals(modelDigest(inOrder, missing), r.digest());
            final byte[] wire = EventStreamGenerator.encode(arrival, "\n");
            verifyResume(server, inOrder, wire, missing);
        } finally {
            server.close();
        }
    }

    /**
     * Connects a client per user, resends the whole stream from seq 1 and checks every client byte for byte: what the
     * model says the events from {@code nextSeq} on are due to bring.
     */
    private static void verifyResume(ServerProcess server, List<String> inOrder, byte[] wire, long nextSeq)
        throws Exception {
        final List<Long> users = new ArrayList<>();
        for (long u = 1; u <= USERS; u++) {
            users.add(u);
        }
        final NaiveFollowerModel model = new NaiveFollowerModel(users);
        model.applyAll(inOrder);
        final List<TestClient> clients = new ArrayList<>();
        try {
            for (long u : users) {
                clients.add(new TestClient(server.clientPort(), u, "\n"));
            }
            Conditions.await("every client registered", LIMIT,
                () -> server.metric("followermaze_clients_connected") == USERS, server::outputText);
            final double duplicatesBefore = server.metric("followermaze_events_duplicates_total");
            send(server.eventPort(), wire, wire.length);
            // the seqs before the cursor come again and are dropped as duplicates (counted), the rest are new
            Conditions.await("every event released and the resent ones before the cursor dropped", LIMIT,
                () -> nextSeq(server) == EVENTS + 1
                    && server.metric("followermaze_events_duplicates_total") - duplicatesBefore >= nextSeq - 1,
                server::outputText);
            // the resent stream is journaled again, whole (the journal is the raw input), before it is dropped
            Conditions.await("the resent bytes journaled", LIMIT,
                () -> server.metric("followermaze_journal_written_bytes_total") >= wire.length, server::outputText);
            server.process().destroy(); // SIGTERM: a graceful stop flushes every client and closes it
            for (TestClient client : clients) {
                client.awaitClosed(LIMIT);
                final StringBuilder due = new StringBuilder();
                for (String payload : model.expectedFor(client.userId())) {
                    if (NaiveFollowerModel.seqOf(payload) >= nextSeq) {
                        due.append(payload).append("\r\n");
                    }
                }
                final String actual = client.received();
                if (!due.toString().equals(actual)) {
                    throw new AssertionError("user " + client.userId() + " (cursor " + nextSeq + "): "
                        + Expectations.firstDifference(due.toString(), actual));
                }
            }
        } finally {
            for (TestClient c : clients) {
                c.close();
            }
        }
    }
}
