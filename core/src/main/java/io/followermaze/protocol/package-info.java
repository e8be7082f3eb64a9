/**
 * The event protocol as bytes (described in {@code docs/protocol.md}): the five
 * {@link io.followermaze.protocol.EventType}s, the strict allocation-free {@link io.followermaze.protocol.EventParser},
 * the reusable {@link io.followermaze.protocol.Event} flyweight it fills, and
 * {@link io.followermaze.protocol.ParseOutcome}, what became of a line (accepted, or why it was rejected).
 * <p>
 * Threads: no shared state. A parser and the events it fills belong to the thread that uses them: in the server the
 * pipeline thread (its ingress stage); in the benchmarks the benchmark thread.
 */
package io.followermaze.protocol;
