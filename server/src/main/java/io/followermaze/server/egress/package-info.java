/**
 * The outbound side: from the pipeline thread's notification buffers to the clients' sockets. Each client has two
 * objects, one per writer thread: {@link io.followermaze.server.egress.ChannelSession} (the pipeline thread's: the
 * batch being filled, bytes handed off, the budget's view) and {@link io.followermaze.server.egress.Connection} (its
 * event loop's: bytes written, queued in Netty, congestion, cut-off). {@link io.followermaze.server.egress.Egress}
 * runs on the pipeline thread and hands each loop its batch through that loop's
 * {@link io.followermaze.server.egress.HandoffRing} (via {@link io.followermaze.server.egress.LoopHandoff});
 * {@link io.followermaze.server.egress.LoopEgress} drains it on the loop, writes and flushes, and publishes its totals
 * as single-writer counters. Budgets (per client, total, direct memory) and the congestion watch live here too.
 */
package io.followermaze.server.egress;
