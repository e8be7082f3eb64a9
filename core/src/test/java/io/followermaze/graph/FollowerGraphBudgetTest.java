package io.followermaze.graph;

import io.followermaze.graph.FollowerGraph.FollowResult;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static io.followermaze.graph.FollowerGraph.FollowResult.ADDED;
import static io.followermaze.graph.FollowerGraph.FollowResult.ALREADY_FOLLOWING;
import static io.followermaze.graph.FollowerGraph.FollowResult.REJECTED_MAX_FOLLOWS;
import static io.followermaze.graph.FollowerGraph.FollowResult.REJECTED_MAX_USERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The graph's memory budget (issue 8, defect 2): users and edges are bounded; a refused follow changes nothing. */
class FollowerGraphBudgetTest {

    private static void connect(FollowerGraph g, long user) {
        g.firstSessionChanged(user, null); // no session object needed here; connectedness is what counts
        g.userConnected(user);
    }

    private static void disconnect(FollowerGraph g, long user) {
        g.firstSessionChanged(user, null);
        g.userDisconnected(user);
    }

    private static Set<Long> connectedFollowers(FollowerGraph g, long user) {
        final Set<Long> out = new HashSet<>();
        g.forEachConnectedFollower(user, out::add);
        return out;
    }

    @Test
    void rejectsBadBounds() {
        assertThrows(IllegalArgumentException.class, () -> new FollowerGraph(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new FollowerGraph(10, -1));
        assertThrows(IllegalArgumentException.class, () -> new FollowerGraph().rejected(ADDED));
    }

    @Test
    void theUserBoundIsExactAndARefusedFollowMakesNoRecord() {
        final FollowerGraph g = new FollowerGraph(4, Long.MAX_VALUE);
        assertEquals(ADDED, g.follow(1, 2));
        assertEquals(ADDED, g.follow(3, 4));
        assertEquals(4, g.userCount());
        assertEquals(REJECTED_MAX_USERS, g.follow(5, 6));
        assertEquals(REJECTED_MAX_USERS, g.follow(1, 5), "one new user is one too many");
        assertEquals(REJECTED_MAX_USERS, g.follow(5, 1));
        assertEquals(REJECTED_MAX_USERS, g.follow(5, 5));
        assertEquals(REJECTED_MAX_USERS, g.follow(1_000_000, 2_000_000), "large ids (the map path) alike");
        assertFalse(g.hasRecord(5));
        assertFalse(g.hasRecord(6));
        assertFalse(g.hasRecord(1_000_000));
        assertFalse(g.isFollowing(1, 5));
        assertEquals(0, g.followerCount(5));
        assertEquals(ADDED, g.follow(1, 3), "both in the graph: no new user");
        assertEquals(ADDED, g.follow(4, 4));
        assertEquals(ALREADY_FOLLOWING, g.follow(1, 2));
        assertEquals(4, g.userCount());
        assertEquals(4, g.usersGauge().get());
        assertEquals(4, g.edgeCount());
        assertEquals(4, g.edgesGauge().get());
        assertEquals(5, g.rejected(REJECTED_MAX_USERS).get());
        assertEquals(0, g.rejected(REJECTED_MAX_FOLLOWS).get());
    }

    @Test
    void aFollowOfTwoNewUsersNeedsRoomForBoth() {
        final FollowerGraph g = new FollowerGraph(3, Long.MAX_VALUE);
        assertEquals(ADDED, g.follow(1, 2));
        assertEquals(REJECTED_MAX_USERS, g.follow(3, 4));
        assertFalse(g.hasRecord(3), "no half-made follow");
        assertFalse(g.hasRecord(4));
        assertEquals(ADDED, g.follow(3, 1));
        assertEquals(3, g.userCount());
    }

    @Test
    void usersStayInTheGraphAfterUnfollowing() {
        final FollowerGraph g = new FollowerGraph(2, Long.MAX_VALUE);
        assertEquals(ADDED, g.follow(1, 2));
        assertTrue(g.unfollow(1, 2));
        assertEquals(2, g.userCount(), "records are kept: churn allocates nothing, so the bound counts users ever in");
        assertEquals(ADDED, g.follow(2, 1));
        assertEquals(REJECTED_MAX_USERS, g.follow(3, 1));
    }

    @Test
    void theFollowBoundIsExactAndAnExistingEdgeIsNotRefused() {
        final FollowerGraph g = new FollowerGraph(Long.MAX_VALUE, 2);
        assertEquals(ADDED, g.follow(1, 2));
        assertEquals(ADDED, g.follow(1, 3));
        assertEquals(REJECTED_MAX_FOLLOWS, g.follow(2, 3));
        assertEquals(REJECTED_MAX_FOLLOWS, g.follow(4, 5), "checked first: no records for a refused follow");
        assertFalse(g.hasRecord(4));
        assertEquals(3, g.userCount());
        assertEquals(ALREADY_FOLLOWING, g.follow(1, 2), "following again at the bound is no new edge");
        assertEquals(2, g.edgeCount());
        assertTrue(g.unfollow(1, 2));
        assertEquals(ADDED, g.follow(2, 3), "an unfollow makes room");
        assertFalse(g.isFollowing(1, 2));
        assertEquals(2, g.edgeCount());
        assertEquals(2, g.rejected(REJECTED_MAX_FOLLOWS).get());
        assertEquals(0, g.rejected(REJECTED_MAX_USERS).get());
    }

    @Test
    void noFollowsAtAllWithABoundOfZero() {
        final FollowerGraph g = new FollowerGraph(10, 0);
        assertEquals(REJECTED_MAX_FOLLOWS, g.follow(1, 2));
        assertEquals(0, g.edgeCount());
        assertEquals(0, g.userCount());
    }

    /** Connected users have records outside the budget; they enter it with their first stored follow. */
    @Test
    void connectedUsersHaveRecordsOutsideTheBudget() {
        final FollowerGraph g = new FollowerGraph(2, Long.MAX_VALUE);
        connect(g, 10);
        connect(g, 11);
        connect(g, 12);
        assertTrue(g.hasRecord(12));
        assertEquals(0, g.userCount());
        assertEquals(ADDED, g.follow(10, 11));
        assertEquals(2, g.userCount());
        assertEquals(Set.of(10L), connectedFollowers(g, 11));
        assertEquals(REJECTED_MAX_USERS, g.follow(12, 11), "12 is connected, but not in the graph");
        assertEquals(Set.of(10L), connectedFollowers(g, 11));
        assertTrue(g.isConnected(12));

        disconnect(g, 12);
        assertFalse(g.hasRecord(12), "a connection-only record goes with the connection");
        disconnect(g, 10);
        assertTrue(g.hasRecord(10), "a user in the graph stays");
        assertTrue(g.isFollowing(10, 11));
        assertEquals(Set.of(), connectedFollowers(g, 11));
        connect(g, 10);
        assertEquals(Set.of(10L), connectedFollowers(g, 11));
    }

    /** Cycling connections through fresh ids leaves nothing behind: records stay bounded by open connections. */
    @Test
    void connectionsThroughFreshIdsLeaveNoRecords() {
        final FollowerGraph g = new FollowerGraph(1, 0);
        for (long id = 1; id <= 200_000; id++) {
            connect(g, id);
            disconnect(g, id);
            assertFalse(g.hasRecord(id));
        }
        assertEquals(0, g.userCount());
    }

    /**
     * Edges moving from user to user within the follow budget: each user's followees map and connected-follower
     * array give memory back, so the graph does not keep every user's peak (maps never shrink by themselves).
     */
    @Test
    void edgesThatMoveFromUserToUserLeaveNoPeakBehind() {
        final int fanOut = 10_000;
        final FollowerGraph g = new FollowerGraph(Long.MAX_VALUE, fanOut);
        for (long user = 1; user <= 3; user++) {
            for (long f = 100; f < 100 + fanOut; f++) {
                assertEquals(ADDED, g.follow(user, f));
            }
            assertEquals(REJECTED_MAX_FOLLOWS, g.follow(user, 1), "the budget is full");
            assertTrue(g.followeesCapacity(user) > fanOut);
            for (long f = 100; f < 100 + fanOut; f++) {
                assertTrue(g.unfollow(user, f));
            }
            assertTrue(g.followeesCapacity(user) <= 64, "followees of " + user + ": " + g.followeesCapacity(user));
        }

        connect(g, 1);
        for (long f = 100; f < 100 + fanOut; f++) {
            connect(g, f);
            assertEquals(ADDED, g.follow(f, 1));
        }
        assertEquals(fanOut, g.connectedFollowerCount(1));
        assertTrue(g.connectedFollowersCapacity(1) >= fanOut);
        for (long f = 100; f < 100 + fanOut; f++) {
            assertTrue(g.unfollow(f, 1));
        }
        assertEquals(Set.of(), connectedFollowers(g, 1));
        assertTrue(g.connectedFollowersCapacity(1) <= 64, "connected followers of 1: " + g.connectedFollowersCapacity(1));
        assertEquals(0, g.edgeCount());
    }

    @Test
    void onlyRefusalsAreRejections() {
        for (FollowResult r : FollowResult.values()) {
            assertEquals(r == REJECTED_MAX_USERS || r == REJECTED_MAX_FOLLOWS, r.rejected(), r.name());
            assertEquals(r.rejected(), r.metricName() != null, r.name());
        }
        assertEquals("max_users", REJECTED_MAX_USERS.metricName());
        assertEquals("max_follows", REJECTED_MAX_FOLLOWS.metricName());
    }
}
