package io.followermaze.loadgen.stream;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generator against an obviously-correct model: a map of follower sets, replayed from the payloads it
 * wrote. Recipients, graph rules and proportions must all agree.
 */
class EventGeneratorTest {

    /** Replays payloads on a naive graph and checks each event's recipients and the F/U rules. */
    private static final class Model {
        final Map<Integer, Set<Integer>> followers = new HashMap<>();
        final Map<Integer, Integer> clientOf = new HashMap<>();
        final boolean repeatFollows;
        long repeatedFollows;

        Model(int[] connected, boolean repeatFollows) {
            for (int i = 0; i < connected.length; i++) {
                clientOf.put(connected[i], i);
            }
            this.repeatFollows = repeatFollows;
        }

        Set<Integer> apply(String payload) {
            final String[] f = payload.split("\\|");
            final Set<Integer> recipients = new TreeSet<>();
            switch (f[1]) {
                case "F": {
                    final int from = Integer.parseInt(f[2]);
                    final int to = Integer.parseInt(f[3]);
                    assertTrue(from != to, payload);
                    final boolean added = followers.computeIfAbsent(to, k -> new HashSet<>()).add(from);
                    if (!added) {
                        assertTrue(repeatFollows, "Follow of a pair that already follows: " + payload);
                        repeatedFollows++;
                    }
                    addIfConnected(recipients, to);
                    break;
                }
                case "U": {
                    final int from = Integer.parseInt(f[2]);
                    final int to = Integer.parseInt(f[3]);
                    assertTrue(followers.getOrDefault(to, Set.of()).contains(from),
                        "Unfollow of a pair that does not follow: " + payload);
                    followers.get(to).remove(from);
                    break;
                }
                case "P":
                    assertTrue(!f[2].equals(f[3]), payload);
                    addIfConnected(recipients, Integer.parseInt(f[3]));
                    break;
                case "B":
                    recipients.addAll(clientOf.values());
                    break;
                case "S":
                    for (int follower : followers.getOrDefault(Integer.parseInt(f[2]), Set.of())) {
                        addIfConnected(recipients, follower);
                    }
                    break;
                default:
                    throw new AssertionError("unknown type: " + payload);
            }
            return recipients;
        }

        private void addIfConnected(Set<Integer> recipients, int user) {
            final Integer client = clientOf.get(user);
            if (client != null) {
                recipients.add(client);
            }
        }
    }

    private static long checkAgainstModel(Mix mix, int users, int connectedCount, int events, long seed) {
        final int[] connected = EventGenerator.chooseConnectedUsers(users, connectedCount, seed);
        final EventGenerator gen = new EventGenerator(mix, users, connected, seed);
        final Model model = new Model(connected, mix.repeatFollows);
        final byte[] buf = new byte[64];
        final Set<Integer> recipients = new TreeSet<>();
        final String[] seenLine = new String[1];
        final RecipientSink sink = (client, line, offset, length) -> {
            assertTrue(recipients.add(client), "client notified twice");
            seenLine[0] = new String(line, offset, length, StandardCharsets.US_ASCII);
        };
        long notifications = 0;
        for (long seq = 1; seq <= events; seq++) {
            recipients.clear();
            final int len = gen.next(seq, buf, 0, sink);
            final String payload = new String(buf, 0, len, StandardCharsets.US_ASCII);
            assertEquals("\r\n", new String(buf, len, 2, StandardCharsets.US_ASCII));
            assertTrue(payload.startsWith(seq + "|"), payload);
            assertEquals(model.apply(payload), recipients, payload);
            if (!recipients.isEmpty()) {
                assertEquals(payload + "\r\n", seenLine[0]);
            }
            notifications += recipients.size();
        }
        return notifications;
    }

    @Test
    void referenceMixRecipientsAndRulesMatchTheModel() {
        assertTrue(checkAgainstModel(Mix.REFERENCE, 100, 10, 100_000, 666) > 0);
    }

    @Test
    void manyUsersUseTheSparseFollowIndexWithTheSameRules() {
        assertTrue(3000L * 3000 > FollowGraph.DENSE_INDEX_MAX_PAIRS);
        assertTrue(checkAgainstModel(Mix.FANOUT, 3000, 100, 30_000, 5) > 0);
    }

    @Test
    void saturatedReferenceGraphStillFollowsTheRules() {
        checkAgainstModel(Mix.REFERENCE, 3, 2, 20_000, 7);
    }

    @Test
    void fanoutMixRecipientsMatchTheModelAndFollowsRepeat() {
        final int[] connected = EventGenerator.chooseConnectedUsers(50, 20, 3);
        final Model model = new Model(connected, true);
        final EventGenerator gen = new EventGenerator(Mix.FANOUT, 50, connected, 3);
        final byte[] buf = new byte[64];
        for (long seq = 1; seq <= 20_000; seq++) {
            final int len = gen.next(seq, buf, 0, RecipientSink.NONE);
            model.apply(new String(buf, 0, len, StandardCharsets.US_ASCII));
        }
        assertTrue(model.repeatedFollows > 0, "fanout mix should repeat follows");
        checkAgainstModel(Mix.FANOUT, 50, 20, 20_000, 3);
        checkAgainstModel(Mix.BROADCAST, 50, 20, 5_000, 3);
    }

    @Test
    void referenceMixProportionsOver100kEvents() {
        final int events = 100_000;
        final EventGenerator gen = new EventGenerator(Mix.REFERENCE, 1000,
            EventGenerator.chooseConnectedUsers(1000, 100, 666), 666);
        final byte[] buf = new byte[64];
        for (long seq = 1; seq <= events; seq++) {
            gen.next(seq, buf, 0, RecipientSink.NONE);
        }
        assertShare(gen.typeCount('P'), events, 0.15, 0.01);
        assertShare(gen.typeCount('F'), events, 0.15, 0.01);
        assertShare(gen.typeCount('U'), events, 0.15, 0.01);
        assertShare(gen.typeCount('S'), events, 0.55, 0.01);
        assertTrue(gen.typeCount('B') <= 40, "broadcasts: " + gen.typeCount('B')); // 0.01% = 10 expected
        assertEquals(events, gen.typeCount('P') + gen.typeCount('F') + gen.typeCount('U') + gen.typeCount('S')
            + gen.typeCount('B'));
    }

    private static void assertShare(long count, long total, double expected, double tolerance) {
        final double share = (double) count / total;
        assertTrue(Math.abs(share - expected) <= tolerance, "share " + share + " not within " + tolerance
            + " of " + expected);
    }

    @Test
    void sameSeedSameEventsOtherSeedOtherEvents() {
        assertEquals(payloads(666, 5000), payloads(666, 5000));
        assertFalse(payloads(666, 5000).equals(payloads(667, 5000)));
    }

    private static List<String> payloads(long seed, int events) {
        final int[] connected = EventGenerator.chooseConnectedUsers(1000, 100, seed);
        final EventGenerator gen = new EventGenerator(Mix.REFERENCE, 1000, connected, seed);
        final byte[] buf = new byte[64];
        final List<String> out = new ArrayList<>();
        for (long seq = 1; seq <= events; seq++) {
            out.add(new String(buf, 0, gen.next(seq, buf, 0, RecipientSink.NONE), StandardCharsets.US_ASCII));
        }
        out.add(Arrays.toString(connected));
        return out;
    }

    @Test
    void connectedUsersAreDistinctAndInRange() {
        final int[] chosen = EventGenerator.chooseConnectedUsers(1000, 1000, 1);
        final Set<Integer> set = new HashSet<>();
        for (int u : chosen) {
            assertTrue(u >= 1 && u <= 1000);
            set.add(u);
        }
        assertEquals(1000, set.size());
    }

    @Test
    void maxLineBytesBoundsEveryLine() {
        final int max = EventGenerator.maxLineBytes(99_999, 1000);
        assertEquals("99999|F|1000|1000\r\n".length(), max);
    }
}
