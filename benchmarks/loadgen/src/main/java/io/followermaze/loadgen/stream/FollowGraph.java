package io.followermaze.loadgen.stream;

import org.agrona.collections.Long2LongHashMap;

import java.util.Arrays;

/**
 * The generator's model of who follows whom, built for the three questions it asks per event: does this
 * follow exist, pick an existing follow at random, and which <em>connected</em> clients follow this user.
 * <p>
 * Follows live in a dense {@code long[]} (key {@code from << 32 | to}) with an index from key to slot, so a
 * random follow is one array read and removal is swap-with-last. The index is a flat {@code int[users^2]} when
 * that is small ({@value #DENSE_INDEX_MAX_PAIRS} pairs or fewer: a dense graph of 1000 users has ~700k follows,
 * and a hash map that size misses the cache on every lookup), else an open-addressing hash map. Connected
 * followers are kept
 * per followee as small {@code int[]} lists of client indices, so a status update touches only the clients
 * it notifies. No boxing, no allocation once the arrays have grown.
 */
final class FollowGraph {
    private static final long MISSING = -1;
    static final int DENSE_INDEX_MAX_PAIRS = 1 << 22;

    /** Dense index: slot + 1 of pair {@code (from - 1) * users + (to - 1)}, 0 when absent; or null. */
    private final int[] denseSlot;
    private final int users;
    /** Sparse index, when the dense one would be too big. */
    private final Long2LongHashMap slotOf;
    private long[] follows = new long[1024];
    private int followCount;

    /** By user id: the client index of that user, or -1 when it is not connected. */
    private final int[] clientOf;
    /** By followee user id: client indices of its connected followers (lazily allocated). */
    private final int[][] connectedFollowers;
    private final int[] connectedFollowerCount;

    FollowGraph(int users, int[] connectedUserIds) {
        this.users = users;
        final boolean dense = (long) users * users <= DENSE_INDEX_MAX_PAIRS;
        this.denseSlot = dense ? new int[users * users] : null;
        this.slotOf = dense ? null : new Long2LongHashMap(1024, 0.5f, MISSING);
        clientOf = new int[users + 1];
        Arrays.fill(clientOf, -1);
        for (int i = 0; i < connectedUserIds.length; i++) {
            clientOf[connectedUserIds[i]] = i;
        }
        connectedFollowers = new int[users + 1][];
        connectedFollowerCount = new int[users + 1];
    }

    static long key(int from, int to) {
        return ((long) from << 32) | to;
    }

    static int fromOf(long key) {
        return (int) (key >>> 32);
    }

    static int toOf(long key) {
        return (int) key;
    }

    int clientOf(int user) {
        return clientOf[user];
    }

    boolean follows(int from, int to) {
        return slot(from, to) != MISSING;
    }

    private long slot(int from, int to) {
        return denseSlot != null ? denseSlot[(from - 1) * users + to - 1] - 1L : slotOf.get(key(from, to));
    }

    private void setSlot(int from, int to, long slot) {
        if (denseSlot != null) {
            denseSlot[(from - 1) * users + to - 1] = (int) slot + 1;
        } else if (slot == MISSING) {
            slotOf.remove(key(from, to));
        } else {
            slotOf.put(key(from, to), slot);
        }
    }

    int followCount() {
        return followCount;
    }

    long followAt(int slot) {
        return follows[slot];
    }

    /** Adds the follow; returns false (and changes nothing) when it exists already. */
    boolean follow(int from, int to) {
        if (slot(from, to) != MISSING) {
            return false;
        }
        if (followCount == follows.length) {
            follows = Arrays.copyOf(follows, followCount * 2);
        }
        follows[followCount] = key(from, to);
        setSlot(from, to, followCount++);
        final int client = clientOf[from];
        if (client >= 0) {
            addConnectedFollower(to, client);
        }
        return true;
    }

    /** Removes the follow; returns false when there was none. */
    boolean unfollow(int from, int to) {
        final long slot = slot(from, to);
        if (slot == MISSING) {
            return false;
        }
        setSlot(from, to, MISSING);
        final long last = follows[--followCount];
        if (slot != followCount) {
            follows[(int) slot] = last;
            setSlot(fromOf(last), toOf(last), slot);
        }
        final int client = clientOf[from];
        if (client >= 0) {
            removeConnectedFollower(to, client);
        }
        return true;
    }

    int connectedFollowerCount(int user) {
        return connectedFollowerCount[user];
    }

    /** Valid for indices below {@link #connectedFollowerCount(int)}; do not keep across changes. */
    int[] connectedFollowers(int user) {
        return connectedFollowers[user];
    }

    private void addConnectedFollower(int followee, int client) {
        int[] list = connectedFollowers[followee];
        final int n = connectedFollowerCount[followee];
        if (list == null) {
            list = connectedFollowers[followee] = new int[4];
        } else if (n == list.length) {
            list = connectedFollowers[followee] = Arrays.copyOf(list, n * 2);
        }
        list[n] = client;
        connectedFollowerCount[followee] = n + 1;
    }

    private void removeConnectedFollower(int followee, int client) {
        final int[] list = connectedFollowers[followee];
        final int n = connectedFollowerCount[followee];
        for (int i = 0; i < n; i++) {
            if (list[i] == client) {
                list[i] = list[n - 1];
                connectedFollowerCount[followee] = n - 1;
                return;
            }
        }
        throw new IllegalStateException("client " + client + " was not a connected follower of " + followee);
    }
}
