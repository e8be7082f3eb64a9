package io.followermaze.loadgen.stream;

/**
 * Proportions of event types, in parts per million, and whether Follow may repeat an existing follow.
 * <ul>
 *   <li>{@link #REFERENCE}: what the reference test program sends; a graph that stays sparse, few notifications.</li>
 *   <li>{@link #FANOUT}: a dense graph (repeated follows allowed, few unfollows) so status updates reach many
 *       followers: stresses routing and egress.</li>
 *   <li>{@link #BROADCAST}: nearly all broadcasts: every connected client gets almost every event.</li>
 * </ul>
 */
public enum Mix {
    REFERENCE(100, 150_000, 150_000, 150_000, false),
    FANOUT(50_000, 200_000, 300_000, 100_000, true),
    BROADCAST(900_000, 10_000, 50_000, 20_000, false);

    /** Cumulative thresholds over {@code [0, 1_000_000)}: B, then P, F, U; the rest is S. */
    final int broadcastEnd;
    final int privateEnd;
    final int followEnd;
    final int unfollowEnd;
    /** Follow picks any pair (an existing follow stays one follow but is notified again). */
    final boolean repeatFollows;

    Mix(int broadcast, int privateMessage, int follow, int unfollow, boolean repeatFollows) {
        this.broadcastEnd = broadcast;
        this.privateEnd = broadcastEnd + privateMessage;
        this.followEnd = privateEnd + follow;
        this.unfollowEnd = followEnd + unfollow;
        this.repeatFollows = repeatFollows;
        if (unfollowEnd > 1_000_000) {
            throw new IllegalStateException("proportions exceed one million ppm: " + name());
        }
    }
}
