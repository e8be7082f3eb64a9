package io.followermaze.graph;

import io.followermaze.testkit.Seeds;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.followermaze.graph.FollowerGraph.FollowResult.ADDED;
import static io.followermaze.graph.FollowerGraph.FollowResult.ALREADY_FOLLOWING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FollowerGraphTest {
    private final FollowerGraph graph = new FollowerGraph();

    /** The connected followers of {@code user}; fails on a repeated id (the index is a set). */
    private Set<Long> connectedFollowers(long user) {
        final Set<Long> out = new HashSet<>();
        graph.forEachConnectedFollower(user, id -> assertTrue(out.add(id), "listed twice: " + id));
        assertEquals(out.size(), graph.connectedFollowerCount(user));
        return out;
    }

    @Test
    void emptyGraph() {
        assertEquals(0, graph.edgeCount());
        assertEquals(Set.of(), connectedFollowers(1));
        assertEquals(0, graph.followerCount(1));
        assertFalse(graph.isFollowing(1, 2));
    }

    @Test
    void followIsDirected() {
        assertEquals(ADDED, graph.follow(60, 50));
        assertTrue(graph.isFollowing(60, 50));
        assertFalse(graph.isFollowing(50, 60));
        assertEquals(1, graph.followerCount(50));
        assertEquals(0, graph.followerCount(60));
        assertEquals(1, graph.edgeCount());
    }

    @Test
    void followingTwiceIsFollowingOnce() {
        assertEquals(ADDED, graph.follow(1, 2));
        assertEquals(ALREADY_FOLLOWING, graph.follow(1, 2));
        assertEquals(ALREADY_FOLLOWING, graph.follow(1, 2));
        assertEquals(1, graph.edgeCount());
        assertEquals(1, graph.followerCount(2));
        assertTrue(graph.unfollow(1, 2));
        assertFalse(graph.isFollowing(1, 2), "one unfollow undoes any number of follows");
        assertEquals(0, graph.edgeCount());
    }

    @Test
    void unfollowOfAnAbsentEdgeIsANoOp() {
        assertFalse(graph.unfollow(1, 2), "user never followed");
        assertEquals(0, graph.edgeCount());
        graph.follow(3, 2);
        assertFalse(graph.unfollow(1, 2), "user followed, but not by 1");
        assertFalse(graph.unfollow(2, 3), "reverse direction");
        assertEquals(1, graph.edgeCount());
        assertTrue(graph.unfollow(3, 2));
        assertFalse(graph.unfollow(3, 2), "already removed");
        assertEquals(0, graph.edgeCount());
        assertEquals(0, graph.followerCount(2));
    }

    @Test
    void selfFollowIsAnOrdinaryEdge() {
        assertEquals(ADDED, graph.follow(7, 7));
        assertTrue(graph.isFollowing(7, 7));
        assertEquals(1, graph.edgeCount());
    }

    @Test
    void extremeIds() {
        assertEquals(ADDED, graph.follow(Long.MAX_VALUE, 1));
        assertEquals(ADDED, graph.follow(1, Long.MAX_VALUE));
        assertTrue(graph.isFollowing(Long.MAX_VALUE, 1));
        assertTrue(graph.isFollowing(1, Long.MAX_VALUE));
        assertEquals(1, graph.followerCount(Long.MAX_VALUE));
        assertEquals(2, graph.edgeCount());
    }

    @Test
    void connectedFollowersFollowConnectsDisconnectsFollowsAndUnfollows() {
        graph.follow(1, 9);          // 1 offline
        graph.userConnected(2);
        graph.follow(2, 9);          // 2 online
        assertEquals(Set.of(2L), connectedFollowers(9));
        graph.userConnected(1);      // 1 comes online: joins its followees' sets
        assertEquals(Set.of(1L, 2L), connectedFollowers(9));
        graph.userConnected(1);      // idempotent
        graph.unfollow(2, 9);
        assertEquals(Set.of(1L), connectedFollowers(9));
        graph.userDisconnected(1);
        assertEquals(Set.of(), connectedFollowers(9));
        graph.userDisconnected(1);   // idempotent
        assertEquals(1, graph.followerCount(9), "1 still follows 9 while offline");
        assertTrue(graph.isFollowing(1, 9));
    }

    /** Small ids, mid-sized ones (the graph's id-indexed array must grow) and large ones (found by hash). */
    private static long idOf(long k) {
        return k % 3 == 0 ? k * 1_000_000_007L : k % 3 == 1 ? k * 1_000 : k;
    }

    @Test
    void randomOperationsMatchAMapOfSets() {
        final long seed = Seeds.seed(12_345L);
        final Random random = new Random(seed);
        final Map<Long, Set<Long>> model = new HashMap<>();
        final Set<Long> online = new HashSet<>();
        long modelEdges = 0;
        for (int i = 0; i < 200_000; i++) {
            final long follower = idOf(1 + random.nextInt(40));
            final long followed = idOf(1 + random.nextInt(40));
            final Set<Long> followers = model.computeIfAbsent(followed, k -> new HashSet<>());
            final int op = random.nextInt(10);
            if (op < 6) {
                final boolean added = followers.add(follower);
                modelEdges += added ? 1 : 0;
                assertEquals(added, graph.follow(follower, followed) == ADDED, "seed " + seed + " op " + i);
            } else if (op < 9) {
                final boolean removed = followers.remove(follower);
                modelEdges -= removed ? 1 : 0;
                assertEquals(removed, graph.unfollow(follower, followed), "seed " + seed + " op " + i);
            } else if (online.add(follower)) {
                graph.userConnected(follower);
            } else {
                online.remove(follower);
                graph.userDisconnected(follower);
            }
            assertEquals(modelEdges, graph.edgeCount(), "seed " + seed + " op " + i);
            if (i % 1000 == 0) {
                for (long k = 1; k <= 40; k++) {
                    final long u = idOf(k);
                    final Set<Long> all = model.getOrDefault(u, Set.of());
                    final Set<Long> connected = new HashSet<>(all);
                    connected.retainAll(online);
                    assertEquals(connected, connectedFollowers(u), "seed " + seed + " user " + u);
                    assertEquals(all.size(), graph.followerCount(u), "seed " + seed + " user " + u);
                }
            }
        }
    }
}
