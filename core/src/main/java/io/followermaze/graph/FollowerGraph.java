package io.followermaze.graph;

import io.followermaze.metrics.Counter;
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
 * the ids the user follows (an open-addressing set inside the record, {@link IdSet}), its follower count, whether it
 * is connected, the first of its sessions, and its connected followers as a dense array. Follow and unfollow
 * therefore cost two record look-ups (array loads for the usual small ids) and one probe of the followee table,
 * instead of four to six hash look-ups across separate maps; a status update walks exactly its recipients'
 * records, reaching their sessions without a lookup per recipient.
 * The dense array is kept exact on follow/unfollow by a connected follower and on connect/disconnect (which
 * walk the user's followees); a per-record index (follower id -> array position) makes removal O(1).
 * <p>
 * <b>Memory budget.</b> At most {@code maxUsers} users are in the graph and at most {@code maxFollows} edges: a
 * follow that would add a user beyond the first bound, or a new edge beyond the second, is not stored and is
 * counted ({@link FollowResult}); the caller still delivers it (the event itself is valid). A user enters the graph
 * with its first stored follow, on either side, and stays: its record and tables are kept when they become empty, so
 * follow/unfollow churn allocates nothing (the user bound therefore counts users ever in the graph, not current
 * ones). A connected user also has a record, outside the budget (there is one per connected user, bounded by the
 * connection limit); it is dropped when the user's last connection closes, unless the user entered the graph.
 * Maps and arrays that have become sparse give memory back (see {@link #SPARSE_ABOVE}), so memory follows the
 * current edges, not the most a user ever had.
 * The checks cost a compare or two per follow. Single-threaded: owned by the pipeline thread. No boxing.
 */
public final class FollowerGraph {
    private static final User[] NO_USERS = {};
    private static final long ABSENT = -1;

    /** What {@link #follow} did. */
    public enum FollowResult {
        /** The edge is new and stored. */
        ADDED(null, null),
        /** The edge was there already: nothing changed. */
        ALREADY_FOLLOWING(null, null),
        /** Not stored: it would have added a user to the graph beyond {@code maxUsers}. */
        REJECTED_MAX_USERS("max_users", "the graph holds max-users users"),
        /** Not stored: a new edge beyond {@code maxFollows}. */
        REJECTED_MAX_FOLLOWS("max_follows", "the graph holds max-follows follows");

        private final String metricName;
        private final String description;

        FollowResult(String metricName, String description) {
            this.metricName = metricName;
            this.description = description;
        }

        public boolean rejected() {
            return metricName != null;
        }

        /** For a rejection: a metric-friendly reason, e.g. {@code max_users}; null otherwise. */
        public String metricName() {
            return metricName;
        }

        /** For a rejection: why, for a log line; null otherwise. */
        public String description() {
            return description;
        }
    }

    /**
     * One user's part of the graph; read by the router, changed only through {@link FollowerGraph}. The ids it
     * follows are the inherited {@link IdSet} (in this record, not a map beside it: see there).
     */
    public static final class User extends IdSet {
        private final long id;
        /** Counted in the user budget: entered the graph with a stored follow. Else a record for a connection only. */
        private boolean inGraph;
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
            if (connectedFollowers.length > SPARSE_ABOVE && connectedFollowerCount < connectedFollowers.length >>> 3) {
                connectedFollowers = Arrays.copyOf(connectedFollowers, connectedFollowerCount * 2);
            }
            compactIfSparse(connectedFollowerIndex);
        }
    }

    /**
     * Maps and arrays larger than this many slots give memory back once their size falls below an eighth of it, so
     * that what the graph holds stays proportional to its users and edges even when edges move from user to user
     * (a map never shrinks by itself). Amortised: a shrink follows at least seven eighths as many removals. Smaller
     * ones never shrink, so ordinary follow/unfollow churn allocates nothing.
     */
    private static final int SPARSE_ABOVE = IdSet.SPARSE_ABOVE;

    private static void compactIfSparse(Long2LongHashMap map) {
        if (map.capacity() > SPARSE_ABOVE && map.size() < map.capacity() >>> 3) {
            map.compact();
        }
    }

    /** Ids below this (the usual, small ids) are found by index, one array load; larger ones by hash. */
    private static final int DIRECT_IDS = 1 << 16;

    /** Records of ids 0..length-1; grows by doubling up to {@link #DIRECT_IDS} as such ids appear. */
    private User[] usersById = new User[64];
    private final Long2ObjectHashMap<User> usersWithLargeIds = new Long2ObjectHashMap<>();
    private final long maxUsers;
    private final long maxFollows;
    /** Users in the graph (records with {@link User#inGraph}); at most {@link #maxUsers}. Written here only. */
    private final Counter users = new Counter();
    /** Follow edges; at most {@link #maxFollows}. Written here only. */
    private final Counter edges = new Counter();
    private final Counter rejectedMaxUsers = new Counter();
    private final Counter rejectedMaxFollows = new Counter();

    /** A graph without bounds (tests, tools). */
    public FollowerGraph() {
        this(Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /**
     * @param maxUsers   most users in the graph (a user enters with its first stored follow, on either side); >= 1
     * @param maxFollows most follow edges; >= 0
     */
    public FollowerGraph(long maxUsers, long maxFollows) {
        if (maxUsers < 1 || maxFollows < 0) {
            throw new IllegalArgumentException("maxUsers must be >= 1 and maxFollows >= 0: " + maxUsers + ", " + maxFollows);
        }
        this.maxUsers = maxUsers;
        this.maxFollows = maxFollows;
    }

    /** @return the user's record, or null if the graph has never seen it */
    public User user(long id) {
        if (id >= 0 && id < DIRECT_IDS) {
            return id < usersById.length ? usersById[(int) id] : null;
        }
        return usersWithLargeIds.get(id);
    }

    /** The user's record, made (outside the budget) if there is none: for connections. */
    private User userOrNew(long id) {
        final User u = user(id);
        return u != null ? u : newRecord(id);
    }

    private User newRecord(long id) {
        final User u = new User(id);
        if (id >= 0 && id < DIRECT_IDS) {
            if (id >= usersById.length) {
                usersById = Arrays.copyOf(usersById, Math.min(DIRECT_IDS, Integer.highestOneBit((int) id) * 2));
            }
            usersById[(int) id] = u;
        } else {
            usersWithLargeIds.put(id, u);
        }
        return u;
    }

    /** Drops a record that is not in the graph (so nothing refers to it): its user's last connection closed. */
    private void dropRecord(User u) {
        if (u.id >= 0 && u.id < DIRECT_IDS) {
            usersById[(int) u.id] = null;
        } else {
            usersWithLargeIds.remove(u.id);
        }
    }

    /** Puts the user in the graph (the caller checked the budget): its record stays for good. */
    private User enter(User u, long id) {
        if (u == null) {
            u = newRecord(id);
        }
        if (!u.inGraph) {
            u.inGraph = true;
            users.increment();
        }
        return u;
    }

    /**
     * {@code follower} starts following {@code followed}, unless the budget forbids it: a new edge beyond
     * {@code maxFollows} is refused first, then one that would put a user in the graph beyond {@code maxUsers}. A
     * refused follow changes nothing and is counted.
     */
    public FollowResult follow(long follower, long followed) {
        User from = user(follower);
        User to = follower == followed ? from : user(followed);
        final boolean bothInGraph = from != null && to != null && from.inGraph && to.inGraph;
        if (edges.get() >= maxFollows && !(bothInGraph && from.containsId(followed))) {
            rejectedMaxFollows.increment();
            return FollowResult.REJECTED_MAX_FOLLOWS;
        }
        if (!bothInGraph) {
            final int entering = (from == null || !from.inGraph ? 1 : 0)
                + (follower != followed && (to == null || !to.inGraph) ? 1 : 0);
            if (users.get() + entering > maxUsers) {
                rejectedMaxUsers.increment();
                return FollowResult.REJECTED_MAX_USERS;
            }
            from = enter(from, follower);
            to = follower == followed ? from : enter(to, followed);
        }
        if (!from.addId(followed)) {
            return FollowResult.ALREADY_FOLLOWING;
        }
        edges.increment();
        to.followerCount++;
        if (from.connected) {
            to.addConnectedFollower(from);
        }
        return FollowResult.ADDED;
    }

    /** @return true if the edge existed */
    public boolean unfollow(long follower, long followed) {
        final User from = user(follower);
        if (from == null || !from.removeId(followed)) {
            return false;
        }
        final User to = user(followed); // a followed user is in the graph, so it has a record
        edges.add(-1);
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
        final long[] followees = u.idSlots();
        for (long s : followees) {
            if (s != 0) {
                user(s - 1).addConnectedFollower(u);
            }
        }
    }

    /**
     * The user's last connection closed (after {@link #firstSessionChanged} to null). A record that is not in the
     * graph was there for the connection only, and is dropped.
     */
    public void userDisconnected(long user) {
        final User u = user(user);
        if (u == null || !u.connected) {
            return;
        }
        u.connected = false;
        if (!u.inGraph) {
            if (u.firstSession == null) {
                dropRecord(u);
            }
            return; // no edges, so in no one's connected followers
        }
        final long[] followees = u.idSlots();
        for (long s : followees) {
            if (s != 0) {
                user(s - 1).removeConnectedFollower(u);
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

    /**
     * Copies the durable state (users in the graph, edges) into {@code image}, replacing what it held. Pipeline
     * thread; a pass over the records, no allocation once the image's arrays are large enough.
     */
    public void exportTo(GraphImage image) {
        image.clear();
        for (User u : usersById) {
            exportUser(u, image);
        }
        for (User u : usersWithLargeIds.values()) {
            exportUser(u, image);
        }
    }

    private void exportUser(User u, GraphImage image) {
        if (u == null || !u.inGraph) {
            return;
        }
        image.addUser(u.id);
        for (long s : u.idSlots()) { // walks the table: no iterator, no allocation
            if (s != 0) {
                image.addEdge(u.id, s - 1);
            }
        }
    }

    /**
     * Restores what {@link #exportTo} copied, into an empty graph (recovery, before any connection). Users enter the
     * graph even without edges, as they had; the budgets apply as to live follows, so a graph restored under smaller
     * budgets keeps what fits and counts the rest as refused.
     */
    public void importFrom(GraphImage image) {
        if (users.get() != 0 || edges.get() != 0) {
            throw new IllegalStateException("import into a graph that is not empty");
        }
        for (int i = 0; i < image.userCount(); i++) {
            final long id = image.user(i);
            if (users.get() < maxUsers) {
                enter(user(id), id);
            } else {
                rejectedMaxUsers.increment();
            }
        }
        for (int i = 0; i < image.edgeCount(); i++) {
            follow(image.follower(i), image.followed(i));
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
        return u != null && u.containsId(followed);
    }

    public boolean isConnected(long user) {
        final User u = user(user);
        return u != null && u.connected;
    }

    public long edgeCount() {
        return edges.get();
    }

    /** Users in the graph: at most {@code maxUsers}. Connection-only records are not counted. */
    public long userCount() {
        return users.get();
    }

    /**
     * A digest of the follow edges, independent of the order they were made in and of how the graph stores them: the
     * sum, over every edge, of {@link #edgeHash}. Two graphs with the same edges have the same digest; a model (or a
     * replay tool) can compute it from its own edge set. Walks the whole graph: for tools and tests, not the hot path.
     */
    public long digest() {
        long sum = 0;
        for (User u : usersById) {
            sum += followeesHash(u);
        }
        final var values = usersWithLargeIds.values().iterator();
        while (values.hasNext()) {
            sum += followeesHash(values.next());
        }
        return sum;
    }

    private static long followeesHash(User u) {
        if (u == null) {
            return 0;
        }
        long sum = 0;
        for (long s : u.idSlots()) {
            if (s != 0) {
                sum += edgeHash(u.id, s - 1);
            }
        }
        return sum;
    }

    /** The hash of one edge {@code follower -> followed} in {@link #digest()} (a SplitMix64 finaliser of both ids). */
    public static long edgeHash(long follower, long followed) {
        long z = follower * 0x9E3779B97F4A7C15L + followed;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        z += followed * 0xD6E8FEB86659FD93L; // keeps a -> b and b -> a apart even where the first part collides
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        return z ^ (z >>> 31);
    }

    /** Slots in the user's followee table (0 before its first follow); for tests of memory that is given back. */
    int followeesCapacity(long user) {
        final User u = user(user);
        return u == null ? 0 : u.idCapacity();
    }

    /** Slots in the user's connected-follower array; for tests of memory that is given back. */
    int connectedFollowersCapacity(long user) {
        final User u = user(user);
        return u == null ? 0 : u.connectedFollowers.length;
    }

    /** Whether the user has a record at all (in the graph, or for a connection); for tests. */
    public boolean hasRecord(long user) {
        return user(user) != null;
    }

    /** {@link #userCount()}, readable from any thread. */
    public Counter usersGauge() {
        return users;
    }

    /** {@link #edgeCount()}, readable from any thread. */
    public Counter edgesGauge() {
        return edges;
    }

    /** Follows refused for {@code reason} (a rejected {@link FollowResult}), readable from any thread. */
    public Counter rejected(FollowResult reason) {
        switch (reason) {
            case REJECTED_MAX_USERS:
                return rejectedMaxUsers;
            case REJECTED_MAX_FOLLOWS:
                return rejectedMaxFollows;
            default:
                throw new IllegalArgumentException("not a rejection: " + reason);
        }
    }
}
