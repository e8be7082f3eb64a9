package io.followermaze.graph;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;

/**
 * Who follows whom, with set semantics: following twice is following once, unfollowing an absent edge
 * is a no-op. Stored as user -> set of followers on primitive collections (no boxing).
 * <p>
 * A user's follower set is kept when it becomes empty, so follow/unfollow churn allocates nothing;
 * memory is bounded by the number of users that were ever followed.
 * Single-threaded: owned by the pipeline thread.
 */
public final class FollowerGraph {
    private final Long2ObjectHashMap<LongHashSet> followersByUser = new Long2ObjectHashMap<>();
    private long edges;

    /** {@code follower} starts following {@code followed}. @return true if the edge is new */
    public boolean follow(long follower, long followed) {
        LongHashSet followers = followersByUser.get(followed);
        if (followers == null) {
            followers = new LongHashSet();
            followersByUser.put(followed, followers);
        }
        final boolean added = followers.add(follower);
        if (added) {
            edges++;
        }
        return added;
    }

    /** @return true if the edge existed */
    public boolean unfollow(long follower, long followed) {
        final LongHashSet followers = followersByUser.get(followed);
        final boolean removed = followers != null && followers.remove(follower);
        if (removed) {
            edges--;
        }
        return removed;
    }

    /** @return the followers of {@code user}, possibly empty, or null if never followed; do not modify */
    public LongHashSet followersOf(long user) {
        return followersByUser.get(user);
    }

    public boolean isFollowing(long follower, long followed) {
        final LongHashSet followers = followersByUser.get(followed);
        return followers != null && followers.contains(follower);
    }

    public long edgeCount() {
        return edges;
    }
}
