/**
 * Putting events back in sequence order: {@link io.followermaze.resequencer.Resequencer} (a power-of-two window in
 * two rings, a small near one that stays in cache and a far one, plus a
 * {@link io.followermaze.resequencer.SpillHeap} for seqs beyond it, all stored in
 * {@link io.followermaze.resequencer.EventSlots}), which releases each seq once, in order, to an
 * {@link io.followermaze.resequencer.InOrderHandler}. Memory and reach are bounded: the gap is skipped when
 * {@code maxPending} events are held (or when the caller asks, as the pipeline does on its gap timeout), and a seq
 * more than {@code maxSeqAhead} ahead is refused.
 * <p>
 * Threads: owned by the one pipeline thread, which offers events and receives the releases on the same call stack;
 * no locks, no allocation in steady state. Its counters may be read from any thread.
 */
package io.followermaze.resequencer;
