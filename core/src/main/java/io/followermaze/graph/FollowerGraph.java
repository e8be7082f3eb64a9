package io.followermaze.graph;

import io.followermaze.session.ClientSession;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * Who follows whom, with set semantics (following twice is following once; unfollowing an absent edge is a
 * no-op), indexed for the one question routing asks: <em>which connected users follow X?</em>
 * <p>
 * One {@link User} record per user (found by index for ids below {@value #DIRECT_IDS}, else in a map): it holds
 * the user's followees (followed id -> the followed user's record), its follower count, whether it is connected,
 * the first of its sessions, and its connected followers as a dense array. Follow and unfollow therefore cost two
 * record look-ups (array loads for the usual small ids) and one hash operation on the followees, instead of four to
 * six hash look-ups across separate maps; a status update walks exactly its recipients' records, reaching their
 * sessions without a lookup per recipient.
 * The dense array is kept exact on follow/unfollow by a connected follower and on connect/disconnect (which
 * walk the user's followees); a per-record index (follower id -> array position) makes removal O(1).
 * <p>
 * Records and their maps are kept when they become empty, so follow/unfollow churn allocates nothing; memory
 * is bounded by the users ever seen. Single-threaded: owned by the pipeline thread. No boxing.
 */
public final class FollowerGraph {
    private static final User[] NO_USERS = {};
    private static final long ABSENT = -1;

    /** One user's part of the graph; read by the router, changed only through {@link FollowerGraph}. */
    public static final class User {
        private final long id;
        /** Followed id -> followed record; null until the user follows someone. */
        private Long2ObjectHashMap<User> followees;
        private long followerCount;
        private boolean connected;
        private ClientSession firstSession;
        /** Connected followers, dense in [0, connectedFollowerCount): the status-update walk. */
        private User[] connectedFollowers = NO_USERS;
        private int connectedFollowerCount;
        /** Follower id -> its position in {@link #connectedFollowers}; null until the first one. */
        private Long2LongHashMap connectedFollowerIndex;

        private User(long id) {
            this.id = id;
        }

        public long id() {
            return id;
        }

        /** Head of the user's session list (see {@link io.followermaze.session.SessionTable}), or null. */
        public ClientSession firstSession() {
            return firstSession;
        }

        public int connectedFollowerCount() {
            return connectedFollowerCount;
        }

        /** @param i 0 <= i < {@link #connectedFollowerCount()}; order changes when followers come and go */
        public User connectedFollower(int i) {
            return connectedFollowers[i];
        }

        public long followerCount() {
            return followerCount;
        }

        private Long2ObjectHashMap<User> followees() {
            if (followees == null) {
                followees = new Long2ObjectHashMap<>();
            }
            return followees;
        }

        private void addConnectedFollower(User follower) {
            if (connectedFollowerIndex == null) {
                connectedFollowerIndex = new Long2LongHashMap(ABSENT);
            }
            if (connectedFollowerCount == connectedFollowers.length) {
                connectedFollowers = Arrays.copyOf(connectedFollowers, Math.max(4, connectedFollowerCount * 2));
            }
            connectedFollowerIndex.put(follower.id, connectedFollowerCount);
            connectedFollowers[connectedFollowerCount++] = follower;
        }

        /** Swaps the last follower into the hole: O(1). */
        private void removeConnectedFollower(User follower) {
            final int index = (int) connectedFollowerIndex.remove(follower.id);
            final int last = --connectedFollowerCount;
            final User moved = connectedFollowers[last];
            connectedFollowers[last] = null;
            if (moved != follower) {
                connectedFollowers[index] = moved;
                connectedFollowerIndex.put(moved.id, index);
            }
        }
    }

    /** Ids below this (the usual, small ids) are found by index, one array load; larger ones by hash. */
    private static final int DIRECT_IDS = 1 << 16;

    /** Records of ids 0..length-1; grows by doubling up to {@link #DIRECT_IDS} as such ids appear. */
    private User[] usersById = new User[64];
    private final Long2ObjectHashMap<User> usersWithLargeIds = new Long2ObjectHashMap<>();
    private long edges;

    /** @return the user's record, or null if the graph has never seen it */
    public User user(long id) {
        if (id >= 0 && id < DIRECT_IDS) {
            return id < usersById.length ? usersById[(int) id] : null;
        }
        return usersWithLargeIds.get(id);
    }

    private User userOrNew(long id) {
        User u = user(id);
        if (u == null) {
            u = new User(id);
            if (id >= 0 && id < DIRECT_IDS) {
                if (id >= usersById.length) {
                    usersById = Arrays.copyOf(usersById, Math.min(DIRECT_IDS, Integer.highestOneBit((int) id) * 2));
                }
                usersById[(int) id] = u;
            } else {
                usersWithLargeIds.put(id, u);
            }
        }
        return u;
    }

    /** {@code follower} starts following {@code followed}. @return true if the edge is new */
    public boolean follow(long follower, long followed) {
        final User from = userOrNew(follower);
        final User to = follower == followed ? from : userOrNew(followed);
        if (from.followees().put(followed, to) != null) {
            return false; // already following; put stored the same record again
        }
        edges++;
        to.followerCount++;
        if (from.connected) {
            to.addConnectedFollower(from);
        }
        return true;
    }

    /** @return true if the edge existed */
    public boolean unfollow(long follower, long followed) {
        final User from = user(follower);
        final User to = from == null || from.followees == null ? null : from.followees.remove(followed);
        if (to == null) {
            return false;
        }
        edges--;
        to.followerCount--;
        if (from.connected) {
            to.removeConnectedFollower(from);
        }
        return true;
    }

    /** The user's first connection opened: from now on it counts among its followees' connected followers. */
    public void userConnected(long user) {
        final User u = userOrNew(user);
        if (u.connected) {
            return;
        }
        u.connected = true;
        if (u.followees != null) {
            for (User followed : u.followees.values()) {
                followed.addConnectedFollower(u);
            }
        }
    }

    /** The user's last connection closed. */
    public void userDisconnected(long user) {
        final User u = user(user);
        if (u == null || !u.connected) {
            return;
        }
        u.connected = false;
        if (u.followees != null) {
            for (User followed : u.followees.values()) {
                followed.removeConnectedFollower(u);
            }
        }
    }

    /**
     * Records where the user's notifications go: the head of its session list in the
     * {@link io.followermaze.session.SessionTable}, or null. Connectedness is {@link #userConnected}'s business.
     */
    public void firstSessionChanged(long user, ClientSession first) {
        final User u = first == null ? user(user) : userOrNew(user);
        if (u != null) {
            u.firstSession = first;
        }
    }

    /** @return how many connected users follow {@code user} */
    public int connectedFollowerCount(long user) {
        final User u = user(user);
        return u == null ? 0 : u.connectedFollowerCount;
    }

    /** Calls {@code action} with the id of every connected follower of {@code user}; for tests and tools. */
    public void forEachConnectedFollower(long user, LongConsumer action) {
        final User u = user(user);
        if (u != null) {
            for (int i = 0; i < u.connectedFollowerCount; i++) {
                action.accept(u.connectedFollowers[i].id);
            }
        }
    }

    /** @return how many users follow {@code user}, connected or not */
    public long followerCount(long user) {
        final User u = user(user);
        return u == null ? 0 : u.followerCount;
    }

    public boolean isFollowing(long follower, long followed) {
        final User u = user(follower);
        return u != null && u.followees != null && u.followees.containsKey(followed);
    }

    public boolean isConnected(long user) {
        final User u = user(user);
        return u != null && u.connected;
    }

    public long edgeCount() {
        return edges;
    }
}
