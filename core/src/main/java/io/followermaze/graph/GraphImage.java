package io.followermaze.graph;

import java.util.Arrays;

/**
 * A flat copy of a {@link FollowerGraph}'s durable state: the users in the graph and the follow edges, in plain long
 * arrays. Copying into one is the only part of a snapshot that runs on the pipeline thread (a pass over the records,
 * no allocation once the arrays are large enough, reused from snapshot to snapshot); writing it out happens
 * elsewhere. Connections are not part of it: after a restart clients connect anew.
 */
public final class GraphImage {
    private long[] users = new long[1024];
    private int userCount;
    /** Pairs: follower at 2i, followed at 2i + 1. */
    private long[] edges = new long[2048];
    private int edgeCount;

    /** Empties the image, keeping its arrays. */
    public void clear() {
        userCount = 0;
        edgeCount = 0;
    }

    public void addUser(long id) {
        if (userCount == users.length) {
            users = Arrays.copyOf(users, grow(users.length));
        }
        users[userCount++] = id;
    }

    public void addEdge(long follower, long followed) {
        if (2 * edgeCount == edges.length) {
            edges = Arrays.copyOf(edges, grow(edges.length));
        }
        edges[2 * edgeCount] = follower;
        edges[2 * edgeCount + 1] = followed;
        edgeCount++;
    }

    private static int grow(int length) {
        if (length >= Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("graph image full");
        }
        return (int) Math.min(Integer.MAX_VALUE - 8L, length * 2L);
    }

    public int userCount() {
        return userCount;
    }

    public long user(int i) {
        return users[i];
    }

    public int edgeCount() {
        return edgeCount;
    }

    public long follower(int i) {
        return edges[2 * i];
    }

    public long followed(int i) {
        return edges[2 * i + 1];
    }

    /** {@link FollowerGraph#digest()} of the graph this is a copy of: the same edges give the same value. */
    public long digest() {
        long sum = 0;
        for (int i = 0; i < edgeCount; i++) {
            sum += FollowerGraph.edgeHash(edges[2 * i], edges[2 * i + 1]);
        }
        return sum;
    }
}
