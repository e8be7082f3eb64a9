/**
 * Who follows whom: {@link io.followermaze.graph.FollowerGraph}, one record per user with its followees and its
 * connected followers, within the {@code maxUsers}/{@code maxFollows} memory budget.
 * <p>
 * Threads: owned by the one pipeline thread, which changes it on Follow/Unfollow and on connect/disconnect (through
 * the router) and reads it to fan status updates out; nothing here is locked or published. Its gauges (users,
 * edges, refused follows) are single-writer {@link io.followermaze.metrics.Counter}s that any thread may read.
 */
package io.followermaze.graph;
