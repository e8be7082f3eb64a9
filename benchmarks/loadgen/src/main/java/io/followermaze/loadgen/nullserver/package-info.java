/**
 * {@link io.followermaze.loadgen.nullserver.NullServer}: a server that reads and discards every byte and never
 * writes, so a run against it measures the load generator and the sockets alone.
 * <p>
 * Threads: one selector thread ({@code nullserver-io}) does all the I/O; the count of event bytes read is an atomic
 * the run's thread polls to know when the server has read everything sent.
 */
package io.followermaze.loadgen.nullserver;
