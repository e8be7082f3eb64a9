package io.followermaze.router;

import io.followermaze.graph.FollowerGraph;
import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;
import io.followermaze.protocol.ParseOutcome;
import io.followermaze.session.ClientSession;
import io.followermaze.session.SessionTable;
import io.followermaze.testkit.EventStreamGenerator;
import io.followermaze.testkit.NaiveFollowerModel;
import io.followermaze.testkit.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FollowerGraph + SessionTable + Router against {@link NaiveFollowerModel} over long random streams, with clients
 * connecting (0, 1 or 2 sessions per user) and leaving between events.
 */
class RouterModelTest {
    private static final int USERS = 50;

    /** Records every payload it is handed. */
    static final class RecordingSession extends ClientSession {
        final List<String> received = new ArrayList<>();
        /** Index into the model's list of this user at which this session's next unchecked payload sits. */
        int checkedUpTo;
        int unregisteredCalls;

        RecordingSession(long userId) {
            super(userId);
        }

        @Override
        public void deliver(byte[] payload, int offset, int length) {
            if (offset < 0 || length <= 0 || offset + length > payload.length) {
                throw new AssertionError("bad payload bounds " + offset + "+" + length + " of " + payload.length);
            }
            received.add(new String(payload, offset, length, StandardCharsets.ISO_8859_1));
        }

        /** The payloads that came as broadcasts (an egress may keep those once for every session). */
        final List<String> broadcasts = new ArrayList<>();

        @Override
        public void deliverBroadcast(byte[] payload, int offset, int length) {
            broadcasts.add(new String(payload, offset, length, StandardCharsets.ISO_8859_1));
            super.deliverBroadcast(payload, offset, length);
        }

        @Override
        protected void onUnregistered() {
            unregisteredCalls++;
        }
    }

    /** Runs the system under test and the model side by side. */
    private static final class Run {
        final String context;
        final NaiveFollowerModel model = NaiveFollowerModel.trackingUsers(USERS);
        final FollowerGraph graph = new FollowerGraph();
        final SessionTable table = new SessionTable();
        final Router router = new Router(graph, table);
        final EventParser parser = new EventParser(1024);
        final Event event = new Event();
        final byte[] buffer = new byte[512];
        final List<List<RecordingSession>> sessionsByUser = new ArrayList<>();
        long expectedDeliveries;
        long events;
        int statusWithConnectedFollowers;
        int statusWithOfflineFollowers;

        Run(String context) {
            this.context = context;
            for (int u = 0; u <= USERS; u++) {
                sessionsByUser.add(new ArrayList<>());
            }
        }

        void route(String line, Random random) {
            final byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
            final int offset = random.nextInt(buffer.length - b.length);
            System.arraycopy(b, 0, buffer, offset, b.length);
            assertEquals(ParseOutcome.ACCEPTED, parser.parse(buffer, offset, offset + b.length, event), line);
            if (event.type == 'S') {
                final int recipients = graph.connectedFollowerCount(event.from);
                if (recipients > 0) {
                    statusWithConnectedFollowers++;
                }
                if (graph.followerCount(event.from) > recipients) {
                    statusWithOfflineFollowers++;
                }
            }
            model.apply(line);
            router.onInOrder(event);
            events++;
        }

        /** Compares what each session received since the last check with the model, then forgets it. */
        void check(RecordingSession s) {
            final List<String> expected = model.expectedFor(s.userId());
            final int to = s.checkedUpTo + s.received.size();
            if (to > expected.size()) {
                throw new AssertionError(context + ": user " + s.userId() + " got " + s.received.size()
                    + " payloads, the model expects only " + (expected.size() - s.checkedUpTo) + "; received "
                    + s.received.subList(0, Math.min(10, s.received.size())));
            }
            assertNull(NaiveFollowerModel.describeDifference(expected.subList(s.checkedUpTo, expected.size()),
                s.received), context + ": user " + s.userId() + " after " + events + " events");
            expectedDeliveries += s.received.size();
            s.checkedUpTo = to;
            s.received.clear();
        }

        void checkAll() {
            for (List<RecordingSession> sessions : sessionsByUser) {
                for (RecordingSession s : sessions) {
                    check(s);
                }
            }
            assertEquals(expectedDeliveries, router.notificationsDelivered().get(), context);
            assertEquals(events, router.eventsRouted().get(), context);
            assertEquals(model.edgeCount(), graph.edgeCount(), context);
        }

        /** Brings user {@code u} to {@code target} sessions, closing or opening some. */
        void connect(long u, int target, Random random) {
            final List<RecordingSession> sessions = sessionsByUser.get((int) u);
            while (sessions.size() > target) {
                final RecordingSession s = sessions.remove(random.nextInt(sessions.size()));
                check(s);
                router.unregister(s);
                assertEquals(1, s.unregisteredCalls, context);
            }
            while (sessions.size() < target) {
                final RecordingSession s = new RecordingSession(u);
                s.checkedUpTo = model.receivedCount(u); // it receives only what happens from now on
                router.register(s);
                sessions.add(s);
            }
        }

        /** Every user gets 0, 1 or 2 sessions; {@code pZero} of the users get none. */
        void reconnect(Random random, double pZero) {
            for (long u = 1; u <= USERS; u++) {
                final int target = random.nextDouble() < pZero ? 0 : 1 + random.nextInt(2);
                connect(u, target, random);
            }
        }
    }

    @ParameterizedTest(name = "seed {0}: weights F{1} U{2} B{3} P{4} S{5}")
    @CsvSource({
        "1, 35, 10, 5, 25, 25",   // dense graph: many followers per user
        "2, 10, 10, 5, 35, 40",   // sparse graph
        "3, 20, 20, 20, 20, 20"})
    void routesLikeTheNaiveModel(long defaultSeed, int f, int u, int b, int p, int s) {
        final long seed = Seeds.seed(defaultSeed);
        final Random random = new Random(seed);
        final Run run = new Run("seed " + seed);
        final EventStreamGenerator gen = new EventStreamGenerator(seed, USERS).typeWeights(f, u, b, p, s)
            .zeroPaddedIds(true);
        final int total = 200_000;
        int done = 0;
        while (done < total) {
            // Connection phases: few sessions (followers outnumber them), many, or a mix.
            final double pZero = new double[] {0.95, 0.05, 0.5, 1.0}[random.nextInt(4)];
            run.reconnect(random, pZero);
            final int phase = Math.min(total - done, 200 + random.nextInt(4_000));
            for (String line : gen.next(phase)) {
                run.route(line, random);
                if (random.nextInt(2_000) == 0) {
                    // A single user comes or goes mid-phase.
                    run.connect(1 + random.nextInt(USERS), random.nextInt(3), random);
                }
            }
            done += phase;
            run.checkAll();
        }
        run.checkAll();
        assertEquals(total, run.events);
        assertTrue(run.expectedDeliveries > total / 2, run.context + ": too few deliveries to mean much");
        assertTrue(run.statusWithConnectedFollowers > 0, run.context + ": no status update had a connected follower");
        assertTrue(run.statusWithOfflineFollowers > 0, run.context + ": no status update had an offline follower");
    }

    @Test
    void eachTypeReachesExactlyItsRecipients() {
        final Run run = new Run("fixed");
        final Random random = new Random(0);
        run.connect(1, 1, random);
        run.connect(2, 2, random);
        run.connect(3, 1, random);
        // 4 is not connected
        for (String line : List.of(
            "1|F|1|2",   // 2 (both sessions)
            "2|F|4|2",   // 2
            "3|F|3|4",   // nobody: 4 is offline
            "4|S|2",     // followers of 2: 1 (4 is offline)
            "5|U|1|2",   // nobody
            "6|S|2",     // nobody connected follows 2 any more
            "7|P|4|3",   // 3
            "8|B",       // everyone connected
            "9|U|9|9",   // absent edge: nobody
            "10|F|1|3",
            "11|F|2|3",
            "12|S|3")) { // 1 and 2
            run.route(line, random);
        }
        final List<RecordingSession> two = run.sessionsByUser.get(2);
        assertEquals(List.of("1|F|1|2", "2|F|4|2", "8|B", "12|S|3"), two.get(0).received);
        assertEquals(two.get(0).received, two.get(1).received);
        assertEquals(List.of("4|S|2", "8|B", "12|S|3"), run.sessionsByUser.get(1).get(0).received);
        assertEquals(List.of("7|P|4|3", "8|B", "10|F|1|3", "11|F|2|3"), run.sessionsByUser.get(3).get(0).received);
        for (List<RecordingSession> sessions : run.sessionsByUser) {
            for (RecordingSession s : sessions) {
                assertEquals(List.of("8|B"), s.broadcasts, "broadcasts, and only they, come as broadcasts");
            }
        }
        assertEquals(4 * 2 + 3 + 4, run.router.notificationsDelivered().get());
        run.checkAll();
        assertEquals(12, run.router.eventsRouted().get());
    }

    @Test
    void statusUpdateReachesExactlyTheFollowersConnectedAtTheTime() {
        // Follows made while connected and while offline; then followers leave: the connected-follower index
        // must follow every change.
        final Run run = new Run("branches");
        final Random random = new Random(1);
        for (long u = 1; u <= 10; u++) {
            run.connect(u, 2, random);
        }
        run.route("1|F|3|40", random);
        run.route("2|F|41|40", random);
        run.route("3|S|40", random);
        assertEquals(1, run.statusWithConnectedFollowers);
        assertEquals(1, run.statusWithOfflineFollowers, "41 is offline");
        run.checkAll();
        // 45 followers, then all but users 1..3 disconnect.
        long seq = 4;
        for (long follower = 1; follower <= 45; follower++) {
            run.route(seq++ + "|F|" + follower + "|49", random);
        }
        for (long u = 1; u <= 10; u++) {
            run.connect(u, u <= 3 ? 1 : 0, random);
        }
        final long undeliverableBefore = run.router.notificationsUndeliverable().get();
        run.route(seq + "|S|49", random);
        assertEquals(2, run.statusWithConnectedFollowers);
        assertEquals(2, run.statusWithOfflineFollowers);
        assertEquals(42, run.router.notificationsUndeliverable().get() - undeliverableBefore, "45 followers, 3 online");
        for (long u = 1; u <= 3; u++) {
            assertEquals(List.of(seq + "|S|49"), run.sessionsByUser.get((int) u).get(0).received);
        }
        run.checkAll();
    }

    @Test
    void unknownTypeIsRefused() {
        final Router router = new Router(new FollowerGraph(), new SessionTable());
        final Event e = new Event();
        final byte[] b = "1|X".getBytes(StandardCharsets.ISO_8859_1);
        e.set(1, (byte) 'X', 0, 0, b, 0, b.length);
        assertThrows(IllegalStateException.class, () -> router.onInOrder(e));
    }

    @Test
    void notificationsToOfflineUsersAreCountedAsUndeliverable() {
        final Run run = new Run("undeliverable");
        final Random random = new Random(2);
        run.connect(1, 1, random);
        run.route("1|P|1|2", random);   // 2 offline
        run.route("2|F|2|3", random);   // 3 offline
        run.route("3|F|1|4", random);   // 4 offline
        run.route("4|F|4|5", random);   // 5 offline
        run.route("5|S|4", random);     // follower 1 connected: delivered
        run.route("6|S|5", random);     // follower 4 offline
        run.route("7|P|2|1", random);   // delivered
        assertEquals(5, run.router.notificationsUndeliverable().get());
        assertEquals(2, run.router.notificationsDelivered().get());
        final Set<String> got = new HashSet<>(run.sessionsByUser.get(1).get(0).received);
        assertEquals(Set.of("5|S|4", "7|P|2|1"), got);
    }
}
