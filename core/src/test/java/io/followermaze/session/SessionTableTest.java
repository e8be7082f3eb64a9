package io.followermaze.session;

import io.followermaze.testkit.Seeds;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionTableTest {
    /** A session that only counts how often it was told it left the table. */
    static final class CountingSession extends ClientSession {
        int unregisteredCalls;
        final int id;

        CountingSession(long userId, int id) {
            super(userId);
            this.id = id;
        }

        @Override
        public void deliver(byte[] payload, int offset, int length) {
        }

        @Override
        protected void onUnregistered() {
            unregisteredCalls++;
        }

        @Override
        public String toString() {
            return "S" + id + "(user " + userId() + ")";
        }
    }

    private final SessionTable table = new SessionTable();
    private int nextId;

    private CountingSession session(long user) {
        return new CountingSession(user, nextId++);
    }

    /** The user's sessions, walked through the table's intrusive list. */
    private List<ClientSession> sessionsOf(long user) {
        final List<ClientSession> out = new ArrayList<>();
        for (ClientSession s = table.firstOf(user); s != null; s = SessionTable.nextOfUser(s)) {
            out.add(s);
            if (out.size() > 10_000) {
                throw new AssertionError("cycle in the list of user " + user);
            }
        }
        return out;
    }

    private Set<ClientSession> allSessions() {
        final Set<ClientSession> out = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < table.sessionCount(); i++) {
            assertTrue(out.add(table.sessionAt(i)), "session twice in the dense array: " + table.sessionAt(i));
        }
        return out;
    }

    @Test
    void emptyTable() {
        assertEquals(0, table.sessionCount());
        assertEquals(0, table.userCount());
        assertNull(table.firstOf(1));
    }

    @Test
    void registerMakesTheSessionReachable() {
        final CountingSession s = session(42);
        assertFalse(s.isRegistered());
        table.register(s);
        assertTrue(s.isRegistered());
        assertSame(s, table.firstOf(42));
        assertNull(SessionTable.nextOfUser(s));
        assertSame(s, table.sessionAt(0));
        assertEquals(1, table.sessionCount());
        assertEquals(1, table.userCount());
        assertEquals(42, s.userId());
    }

    @Test
    void severalSessionsPerUser() {
        final CountingSession a = session(1);
        final CountingSession b = session(1);
        final CountingSession c = session(1);
        final CountingSession other = session(2);
        table.register(a);
        table.register(other);
        table.register(b);
        table.register(c);
        assertEquals(4, table.sessionCount());
        assertEquals(2, table.userCount());
        assertEquals(Set.of(a, b, c), new HashSet<>(sessionsOf(1)));
        assertEquals(List.of(other), sessionsOf(2));
    }

    private void unregisterOneOfThree(int which) {
        final CountingSession[] s = {session(1), session(1), session(1)};
        for (CountingSession x : s) {
            table.register(x);
        }
        final List<ClientSession> listOrder = sessionsOf(1);
        final ClientSession victim = listOrder.get(which);
        table.unregister(victim);
        final List<ClientSession> expected = new ArrayList<>(listOrder);
        expected.remove(victim);
        assertEquals(expected, sessionsOf(1), "list order kept, victim gone");
        assertFalse(victim.isRegistered());
        assertNull(SessionTable.nextOfUser(victim), "an unregistered session keeps no link");
        assertEquals(2, table.sessionCount());
        assertEquals(1, table.userCount());
        assertEquals(new HashSet<>(expected), allSessions());
        assertEquals(1, ((CountingSession) victim).unregisteredCalls);
    }

    @Test
    void unregisterHeadOfAUsersList() {
        unregisterOneOfThree(0);
    }

    @Test
    void unregisterMiddleOfAUsersList() {
        unregisterOneOfThree(1);
    }

    @Test
    void unregisterTailOfAUsersList() {
        unregisterOneOfThree(2);
    }

    @Test
    void unregisterLastSessionOfAUserForgetsTheUser() {
        final CountingSession a = session(5);
        final CountingSession b = session(5);
        table.register(a);
        table.register(b);
        table.unregister(a);
        table.unregister(b);
        assertNull(table.firstOf(5));
        assertEquals(0, table.userCount());
        assertEquals(0, table.sessionCount());
    }

    @Test
    void registerAndUnregisterAreIdempotent() {
        final CountingSession a = session(1);
        final CountingSession b = session(2);
        table.register(a);
        table.register(a);
        table.register(b);
        table.register(a);
        assertEquals(2, table.sessionCount());
        assertEquals(List.of(a), sessionsOf(1));
        table.unregister(a);
        table.unregister(a);
        assertEquals(1, a.unregisteredCalls, "onUnregistered called once");
        assertEquals(1, table.sessionCount());
        assertSame(b, table.sessionAt(0));
        final CountingSession never = session(2);
        table.unregister(never);
        assertEquals(0, never.unregisteredCalls);
        assertEquals(List.of(b), sessionsOf(2));
    }

    @Test
    void aSessionCanComeBackAfterLeaving() {
        final CountingSession a = session(1);
        table.register(a);
        table.unregister(a);
        table.register(a);
        assertTrue(a.isRegistered());
        assertEquals(List.of(a), sessionsOf(1));
        table.unregister(a);
        assertEquals(2, a.unregisteredCalls);
    }

    @Test
    void swapRemoveKeepsEverySessionReachable() {
        final List<CountingSession> sessions = new ArrayList<>();
        for (int i = 0; i < 200; i++) { // more than the initial capacity of 64: the array grows
            final CountingSession s = session(i % 7);
            sessions.add(s);
            table.register(s);
        }
        assertEquals(200, table.sessionCount());
        // Remove from the front, the middle and the end of the dense array.
        for (int index : new int[] {0, 100, -1, 50, 0, -1}) {
            final ClientSession victim = table.sessionAt(index < 0 ? table.sessionCount() - 1 : index);
            table.unregister(victim);
            sessions.remove(victim);
            assertEquals(new HashSet<>(sessions), allSessions());
        }
        for (long u = 0; u < 7; u++) {
            final Set<ClientSession> expected = new HashSet<>();
            for (CountingSession s : sessions) {
                if (s.userId() == u) {
                    expected.add(s);
                }
            }
            assertEquals(expected, new HashSet<>(sessionsOf(u)), "user " + u);
        }
    }

    @Test
    void randomChurnMatchesAModel() {
        final long seed = Seeds.seed(2_024L);
        final Random random = new Random(seed);
        final List<CountingSession> pool = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            pool.add(session(1 + random.nextInt(30)));
        }
        final Set<CountingSession> registered = new HashSet<>();
        final Map<CountingSession, Integer> unregisterCount = new HashMap<>();
        for (int op = 0; op < 50_000; op++) {
            final CountingSession s = pool.get(random.nextInt(pool.size()));
            if (random.nextBoolean()) {
                table.register(s);
                registered.add(s);
            } else {
                table.unregister(s);
                if (registered.remove(s)) {
                    unregisterCount.merge(s, 1, Integer::sum);
                }
            }
            final String context = "seed " + seed + " op " + op;
            assertEquals(registered.size(), table.sessionCount(), context);
            assertEquals(registered.contains(s), s.isRegistered(), context);
            assertEquals(unregisterCount.getOrDefault(s, 0), s.unregisteredCalls, context);
            if (op % 97 == 0 || op > 49_000) {
                assertEquals(registered, allSessions(), context);
                final Map<Long, Set<ClientSession>> byUser = new HashMap<>();
                for (CountingSession r : registered) {
                    byUser.computeIfAbsent(r.userId(), k -> new HashSet<>()).add(r);
                }
                assertEquals(byUser.size(), table.userCount(), context);
                for (long u = 1; u <= 30; u++) {
                    final List<ClientSession> list = sessionsOf(u);
                    assertEquals(list.size(), new HashSet<>(list).size(), context + " user " + u);
                    assertEquals(byUser.getOrDefault(u, Set.of()), new HashSet<>(list), context + " user " + u);
                }
            }
        }
    }
}
