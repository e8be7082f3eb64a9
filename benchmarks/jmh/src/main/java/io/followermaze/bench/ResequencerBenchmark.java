package io.followermaze.bench;

import io.followermaze.pipeline.PipelineConfig;
import io.followermaze.protocol.Event;
import io.followermaze.resequencer.InOrderHandler;
import io.followermaze.resequencer.Resequencer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.charset.StandardCharsets;
import java.util.PriorityQueue;

/**
 * What: putting {@value #EVENTS} out-of-order events back in sequence order and releasing each, once, to a
 * counting {@link InOrderHandler}. One op = one event offered (and, by the end of the invocation, released).
 * <p>
 * Input: a pre-shuffled array of seq offsets made of consecutive batches of exactly {@code displacement} events,
 * each batch shuffled; {@value #EVENTS} is a multiple of every displacement, so each invocation ends with
 * everything released and nothing held. Seqs keep growing across invocations ({@code base + offset}); the loop
 * writes the seq into one flyweight {@link Event} (fixed 16-byte payload, the reference mix's average) and offers it.
 * <ul>
 *   <li>{@code resequencer}: our {@link Resequencer} with the production window ({@link PipelineConfig#DEFAULT}:
 *       2^17 slots, so displacement 10,000 stays inside the window) and maxPending at least 2 x displacement (no gap
 *       is ever skipped; a skip would fail the run).
 *       At displacement 1,000,000 most events are beyond the window and go through the spill heap (an un-timed
 *       dry run at set-up prints how many: 87%). Steady state allocates nothing: the window is preallocated and
 *       the spill keeps its storage.</li>
 *   <li>{@code priorityQueue} (baseline, the obvious implementation): {@code PriorityQueue<EventCopy>} keyed by seq;
 *       offer = add a copy, then poll while the head is the next expected seq (dropping stale heads). The copy is
 *       needed because the caller's flyweight is overwritten after the call, so the baseline allocates per event
 *       one {@code EventCopy} (3 longs, a byte, a reference: 48 B with compressed oops) plus one {@code byte[16]}
 *       payload (32 B), 80 B/op in all (confirmed by {@code -prof gc}), and grows the queue's array during warm-up. On release it points a flyweight at the copy and
 *       calls the same handler, as ours does.</li>
 * </ul>
 * The fork runs with a pre-touched 4 GB heap ({@code -XX:+AlwaysPreTouch}): without it the baseline's first sweeps
 * through a fresh eden pay page faults, and its score flipped between ~3.5M and ~18M events/s from one iteration to
 * the next. Our resequencer's score at small displacements depends on the window size (a 2^17-slot window is
 * ~12 MB of slot arrays, so stores miss L2); compare with {@code -p windowSize=16384}.
 * <pre>
 *   int[] offsets (batches of D, shuffled) ──► flyweight Event(seq = base + offset) ──► offer ──┐
 *                                                                                              │
 *        ┌─────────── window slot[seq &amp; mask] (2^17) ◄── 0 &lt; seq - next &lt;= mask ◄─────────────┤
 *        │            spill min-heap on seq          ◄── seq - next &gt; mask     ◄─────────────┘
 *        └──► drain while slot/spill holds `next` ──► CountingHandler (count, bytes, seq check)
 * </pre>
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"})
public class ResequencerBenchmark extends BenchmarkDefaults {
    static final int EVENTS = 2_000_000;
    private static final byte[] PAYLOAD = "1234567|P|432|56".getBytes(StandardCharsets.ISO_8859_1);

    /** The shuffled input, shared by both implementations. */
    @State(Scope.Thread)
    public static class Input {
        @Param({"100", "10000", "1000000"})
        public int displacement;

        /** Our resequencer's window; default {@link PipelineConfig#DEFAULT}'s (2^17). Override: {@code -p windowSize=N}. */
        @Param({"131072"})
        public int windowSize;

        int[] offsets;

        /** The production config with this run's window. */
        PipelineConfig config() {
            return PipelineConfig.DEFAULT.withWindowSize(windowSize);
        }

        /** Enough that no gap is ever skipped, whatever the default (a skip would throw): 2 x displacement at least. */
        long maxPending(PipelineConfig config) {
            return Math.max(config.maxPending(), 2L * displacement);
        }

        @Setup(Level.Trial)
        public void setUp() {
            if (EVENTS % displacement != 0) {
                throw new IllegalArgumentException("displacement must divide " + EVENTS + ": " + displacement);
            }
            offsets = ReferenceStream.fixedBatchArrival(EVENTS, displacement, ReferenceStream.SEED);
            for (int i = 0; i < EVENTS; i++) {
                offsets[i]++; // seq = base + offset, offsets 1..EVENTS
            }
        }
    }

    /** Counts releases and checks they are in order (one compare per event, same for both). */
    static final class CountingHandler implements InOrderHandler {
        long released;
        long bytes;
        long expectedSeq = 1;
        long outOfOrder;

        @Override
        public void onInOrder(Event e) {
            if (e.seq != expectedSeq) {
                outOfOrder++;
            }
            expectedSeq = e.seq + 1;
            released++;
            bytes += e.payloadLength;
        }

        void verify(long offered) {
            if (released != offered || outOfOrder != 0) {
                throw new IllegalStateException("released " + released + " of " + offered + ", out of order " + outOfOrder);
            }
        }
    }

    /** What each side keeps: the handler counting its releases, the flyweight it is offered, the seq base. */
    abstract static class Side {
        final CountingHandler handler = new CountingHandler();
        final Event event = payloadEvent();
        long base;
    }

    /** A flyweight holding the fixed payload (its seq is set per offer). */
    static Event payloadEvent() {
        final Event e = new Event();
        e.set(0, PAYLOAD[8], 1234567, 56, PAYLOAD, 0, PAYLOAD.length);
        return e;
    }

    @State(Scope.Thread)
    public static class Ours extends Side {
        Resequencer resequencer;

        @Setup(Level.Trial)
        public void setUp(Input in) {
            final PipelineConfig config = in.config();
            resequencer = new Resequencer(config.windowSize(), in.maxPending(config), handler, (first, last, reason) -> {
                throw new IllegalStateException("gap skipped " + first + ".." + last + ": " + reason);
            });
        }

        /** Unmeasured dry run on a throwaway instance: how many events were held at most, i.e. was the spill used. */
        @Setup(Level.Trial)
        public void reportHeld(Input in) {
            final PipelineConfig config = in.config();
            final CountingHandler h = new CountingHandler();
            final Resequencer dry = new Resequencer(config.windowSize(), in.maxPending(config), h, null);
            final Event e = payloadEvent();
            long maxHeld = 0;
            long spilled = 0;
            final long beyondWindow = config.windowSize() - 1;
            for (int offset : in.offsets) {
                e.seq = offset;
                if (e.seq - dry.nextExpected() > beyondWindow) {
                    spilled++;
                }
                dry.offer(e);
                maxHeld = Math.max(maxHeld, dry.pending());
            }
            h.verify(EVENTS);
            System.out.printf("%n[resequencer] displacement %d, window %d: at most %d events held, %d of %d (%.0f%%) went"
                + " to the spill%n", in.displacement, config.windowSize(), maxHeld, spilled, EVENTS, 100.0 * spilled / EVENTS);
        }

        @TearDown(Level.Trial)
        public void check(Input in) {
            handler.verify(base);
            if (resequencer.seqsSkipped().get() != 0 || resequencer.pending() != 0) {
                throw new IllegalStateException("skipped " + resequencer.seqsSkipped() + ", pending " + resequencer.pending());
            }
            System.out.printf("%n[resequencer] displacement %d: %d events released in order%n", in.displacement,
                handler.released);
        }
    }

    @State(Scope.Thread)
    public static class Baseline extends Side {
        PriorityQueueResequencer resequencer;

        @Setup(Level.Trial)
        public void setUp() {
            resequencer = new PriorityQueueResequencer(handler);
        }

        @TearDown(Level.Trial)
        public void check() {
            handler.verify(base);
        }
    }

    // The two measured loops differ only in the resequencer's type and are written out on purpose: a shared helper
    // would give the JIT one call site that sees both types, instead of one monomorphic loop per benchmark.
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long resequencer(Input in, Ours s) {
        final int[] offsets = in.offsets;
        final Event e = s.event;
        final Resequencer r = s.resequencer;
        final long base = s.base;
        for (int i = 0; i < offsets.length; i++) {
            e.seq = base + offsets[i];
            r.offer(e);
        }
        s.base = base + EVENTS;
        return s.handler.released;
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long priorityQueue(Input in, Baseline s) {
        final int[] offsets = in.offsets;
        final Event e = s.event;
        final PriorityQueueResequencer r = s.resequencer;
        final long base = s.base;
        for (int i = 0; i < offsets.length; i++) {
            e.seq = base + offsets[i];
            r.offer(e);
        }
        s.base = base + EVENTS;
        return s.handler.released;
    }

    /** The obvious resequencer: a heap of copies. */
    static final class PriorityQueueResequencer {
        /** What must survive the caller's flyweight: the fields and a private copy of the payload. */
        static final class EventCopy implements Comparable<EventCopy> {
            final long seq;
            final byte type;
            final long from;
            final long to;
            final byte[] payload;

            EventCopy(Event e) {
                this.seq = e.seq;
                this.type = e.type;
                this.from = e.from;
                this.to = e.to;
                this.payload = java.util.Arrays.copyOfRange(e.payload, e.payloadOffset, e.payloadOffset + e.payloadLength);
            }

            @Override
            public int compareTo(EventCopy o) {
                return Long.compare(seq, o.seq);
            }
        }

        private final PriorityQueue<EventCopy> heap = new PriorityQueue<>();
        private final InOrderHandler out;
        private final Event released = new Event();
        private long next = 1;

        PriorityQueueResequencer(InOrderHandler out) {
            this.out = out;
        }

        void offer(Event e) {
            if (e.seq < next) {
                return; // late or duplicate
            }
            heap.add(new EventCopy(e));
            EventCopy head;
            while ((head = heap.peek()) != null && head.seq <= next) {
                heap.poll();
                if (head.seq == next) {
                    released.set(head.seq, head.type, head.from, head.to, head.payload, 0, head.payload.length);
                    out.onInOrder(released);
                    next++;
                }
            }
        }
    }
}
