package io.followermaze.graph;

import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;

/**
 * Who follows whom, with set semantics (following twice is following once; unfollowing an absent edge is a
 * no-op), indexed for the one question routing asks: <em>which connected users follow X?</em>
 * <p>
 * Every edge is kept as followee-set of the follower ({@code followees}); in addition each user has the set of
 * its followers that are connected right now ({@code connectedFollowers}), maintained on follow/unfollow by a
 * connected follower and on connect/disconnect (which walk the user's followees). A status update then touches
 * exactly its recipients, O(recipients), instead of probing every follower or every connection; connecting
 * costs O(followees), which is rare next to events.
 * <p>
 * Sets are kept when they become empty, so follow/unfollow churn allocates nothing; memory is bounded by the
 * users ever seen. Single-threaded: owned by the pipeline thread. All collections are primitive (no boxing).
 */
public final class FollowerGraph {
    private final Long2ObjectHashMap<LongHashSet> followeesByUser = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<LongHashSet> connectedFollowersByUser = new Long2ObjectHashMap<>();
    private final Long2LongHashMap followerCountByUser = new Long2LongHashMap(0);
    private final LongHashSet connected = new LongHashSet();
    private long edges;

    /** {@code follower} starts following {@code followed}. @return true if the edge is new */
    public boolean follow(long follower, long followed) {
        if (!setOf(followeesByUser, follower).add(followed)) {
            return false;
        }
        edges++;
        followerCountByUser.put(followed, followerCountByUser.get(followed) + 1);
        if (connected.contains(follower)) {
            setOf(connectedFollowersByUser, followed).add(follower);
        }
        return true;
    }

    /** @return true if the edge existed */
    public boolean unfollow(long follower, long followed) {
        final LongHashSet followees = followeesByUser.get(follower);
        if (followees == null || !followees.remove(followed)) {
            return false;
        }
        edges--;
        final long remaining = followerCountByUser.get(followed) - 1;
        if (remaining == 0) {
            followerCountByUser.remove(followed); // 0 is the map's "missing" value: it can not be stored
        } else {
            followerCountByUser.put(followed, remaining);
        }
        if (connected.contains(follower)) {
            connectedFollowersByUser.get(followed).remove(follower);
        }
        return true;
    }

    /** The user's first connection opened: from now on it counts among its followees' connected followers. */
    public void userConnected(long user) {
        if (!connected.add(user)) {
            return;
        }
        final LongHashSet followees = followeesByUser.get(user);
        if (followees != null) {
            final LongHashSet.LongIterator it = followees.iterator();
            while (it.hasNext()) {
                setOf(connectedFollowersByUser, it.nextValue()).add(user);
            }
        }
    }

    /** The user's last connection closed. */
    public void userDisconnected(long user) {
        if (!connected.remove(user)) {
            return;
        }
        final LongHashSet followees = followeesByUser.get(user);
        if (followees != null) {
            final LongHashSet.LongIterator it = followees.iterator();
            while (it.hasNext()) {
                connectedFollowersByUser.get(it.nextValue()).remove(user);
            }
        }
    }

    /** @return the connected followers of {@code user} (possibly empty), or null; do not modify */
    public LongHashSet connectedFollowersOf(long user) {
        return connectedFollowersByUser.get(user);
    }

    /** @return how many users follow {@code user}, connected or not */
    public long followerCount(long user) {
        return followerCountByUser.get(user);
    }

    public boolean isFollowing(long follower, long followed) {
        final LongHashSet followees = followeesByUser.get(follower);
        return followees != null && followees.contains(followed);
    }

    public boolean isConnected(long user) {
        return connected.contains(user);
    }

    public long edgeCount() {
        return edges;
    }

    private static LongHashSet setOf(Long2ObjectHashMap<LongHashSet> map, long key) {
        LongHashSet set = map.get(key);
        if (set == null) {
            set = new LongHashSet();
            map.put(key, set);
        }
        return set;
    }
}
