/**
 * Routing: {@link io.followermaze.router.Router} applies each in-order event to the follower graph and hands its
 * payload to the sessions it concerns (Follow and Private message: {@code to}; Broadcast: everyone; Status update:
 * the connected followers of {@code from}; Unfollow: nobody), and is the way sessions are registered so that the
 * graph's connected-follower index stays exact.
 * <p>
 * Threads: owned by the one pipeline thread (it is the resequencer's in-order handler); sessions are called on that
 * thread and must not block. Its counters may be read from any thread.
 */
package io.followermaze.router;
