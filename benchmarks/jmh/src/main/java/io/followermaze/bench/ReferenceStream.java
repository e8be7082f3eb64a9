package io.followermaze.bench;

import io.followermaze.loadgen.stream.EventGenerator;
import io.followermaze.loadgen.stream.Mix;
import io.followermaze.loadgen.stream.RecipientSink;
import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;
import io.followermaze.protocol.EventType;
import io.followermaze.protocol.ParseOutcome;

import java.util.Random;

/**
 * A reproducible, reference-like event stream held as primitive arrays, so that benchmarks can build their
 * inputs in {@code @Setup} and re-encode them to wire bytes for any sequence-number base without allocating.
 * <p>
 * Two sources of events: {@link #generate(int, int, long, String)} with a load-generator mix name
 * ({@code reference}, {@code fanout}, {@code broadcast}) takes them from the load generator's
 * {@code EventGenerator}, so a benchmark sees exactly the stream an end-to-end run sends (reference: B 0.01%,
 * P 15%, F 15% of pairs not yet following, U 15% of existing follows, S 55%); {@code dense} is core's test-kit
 * mix (F 30, U 15, B 5, P 25, S 25, repeated follows), a heavier graph.
 * <p>
 * Events are indexed by <em>seq offset</em>: offset {@code k} is seq {@code seqBase + k + 1}. An arrival order is
 * a permutation of the offsets: what the source sends first comes first.
 */
final class ReferenceStream {
    /** The reference program's default user count. */
    static final int USERS = 1000;
    /** The reference program's default maximum batch size. */
    static final int MAX_BATCH = 100;
    /** The reference program's default random seed. */
    static final long SEED = 666;

    private static final int[] TYPE_WEIGHTS = {30, 15, 5, 25, 25};
    private static final byte[] TYPES = {
        EventType.FOLLOW, EventType.UNFOLLOW, EventType.BROADCAST, EventType.PRIVATE_MESSAGE, EventType.STATUS_UPDATE};
    private static final int MAX_DIGITS = 19;

    final int size;
    final int users;
    /** By seq offset. */
    final byte[] type;
    final long[] from;
    final long[] to;

    private ReferenceStream(int size, int users) {
        this.size = size;
        this.users = users;
        this.type = new byte[size];
        this.from = new long[size];
        this.to = new long[size];
    }

    /**
     * Generates {@code size} events in seq order.
     *
     * @param mix {@code reference}, {@code fanout}, {@code broadcast} (the load generator's mixes) or {@code dense}
     */
    static ReferenceStream generate(int size, int users, long seed, String mix) {
        if (mix.equals("dense")) {
            return generate(size, users, seed);
        }
        final ReferenceStream s = new ReferenceStream(size, users);
        final EventGenerator generator = new EventGenerator(Mix.valueOf(mix.toUpperCase(java.util.Locale.ROOT)), users,
            EventGenerator.chooseConnectedUsers(users, Math.min(100, users), seed), seed);
        final EventParser parser = new EventParser(1024);
        final Event event = new Event();
        final byte[] line = new byte[128];
        for (int k = 0; k < size; k++) {
            final int length = generator.next(k + 1, line, 0, RecipientSink.NONE);
            if (parser.parse(line, 0, length, event) != ParseOutcome.ACCEPTED) {
                throw new IllegalStateException("generator made a bad line: " + new String(line, 0, length,
                    java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            s.type[k] = event.type;
            s.from[k] = event.from;
            s.to[k] = event.to;
        }
        return s;
    }

    /** Generates {@code size} events of the {@code dense} mix in seq order. */
    static ReferenceStream generate(int size, int users, long seed) {
        final ReferenceStream s = new ReferenceStream(size, users);
        final Random random = new Random(seed);
        int weightSum = 0;
        for (int w : TYPE_WEIGHTS) {
            weightSum += w;
        }
        final long[] follows = new long[size]; // follower << 32 | followed
        int followCount = 0;
        for (int k = 0; k < size; k++) {
            int r = random.nextInt(weightSum);
            int t = 0;
            while (r >= TYPE_WEIGHTS[t]) {
                r -= TYPE_WEIGHTS[t++];
            }
            final byte type = TYPES[t];
            long edge = 0; // from << 32 | to
            switch (type) {
                case EventType.FOLLOW:
                    if (followCount > 0 && random.nextInt(5) == 0) {
                        edge = follows[random.nextInt(followCount)];
                    } else {
                        edge = newEdge(random, users);
                        follows[followCount++] = edge;
                    }
                    break;
                case EventType.UNFOLLOW:
                    edge = followCount > 0 && random.nextBoolean()
                        ? follows[random.nextInt(followCount)] : newEdge(random, users);
                    break;
                case EventType.PRIVATE_MESSAGE:
                    edge = newEdge(random, users);
                    break;
                case EventType.STATUS_UPDATE:
                    edge = user(random, users) << 32;
                    break;
                default: // broadcast: no users
                    break;
            }
            final long from = edge >>> 32;
            final long to = edge & 0xffff_ffffL;
            s.type[k] = type;
            s.from[k] = from;
            s.to[k] = to;
        }
        return s;
    }

    /** A random (from, to) pair as {@code from << 32 | to}, drawn in that order. */
    private static long newEdge(Random random, int users) {
        final long from = user(random, users);
        return from << 32 | user(random, users);
    }

    private static long user(Random random, int users) {
        return 1 + random.nextInt(users);
    }

    // ---- arrival orders ----

    /** Seq order: offset k arrives k-th. */
    static int[] inOrder(int size) {
        final int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        return order;
    }

    /** {@link #referenceArrival(int, int, long)} with the reference program's batch size and seed. */
    static int[] referenceArrival(int size) {
        return referenceArrival(size, MAX_BATCH, SEED);
    }

    /** The reference program's order: consecutive batches of 1..maxBatch events (size uniform), each shuffled. */
    static int[] referenceArrival(int size, int maxBatch, long seed) {
        final Random random = new Random(seed);
        final int[] order = inOrder(size);
        int i = 0;
        while (i < size) {
            final int batch = Math.min(size - i, 1 + random.nextInt(maxBatch));
            shuffle(order, i, batch, random);
            i += batch;
        }
        return order;
    }

    /** Consecutive batches of exactly {@code batch} events (the last may be short), each shuffled. */
    static int[] fixedBatchArrival(int size, int batch, long seed) {
        final Random random = new Random(seed);
        final int[] order = inOrder(size);
        for (int i = 0; i < size; i += batch) {
            shuffle(order, i, Math.min(batch, size - i), random);
        }
        return order;
    }

    private static void shuffle(int[] a, int from, int length, Random random) {
        for (int i = length - 1; i > 0; i--) {
            final int j = random.nextInt(i + 1);
            final int t = a[from + i];
            a[from + i] = a[from + j];
            a[from + j] = t;
        }
    }

    // ---- encoding ----

    /** Bytes that {@link #encode} can need at most, for any seq base (19-digit seqs, '\n' line ends). */
    int maxEncodedLength() {
        final int userDigits = digits(users);
        return Math.multiplyExact(size, MAX_DIGITS + 2 + 2 * (1 + userDigits) + 1);
    }

    /**
     * Writes every event as a line ending in {@code '\n'}, in {@code arrival} order, seq = {@code seqBase + offset + 1}.
     * Allocates nothing.
     *
     * @param lineStarts if not null, receives each line's start index (arrival order)
     * @param lineEnds   if not null, receives each line's end index, exclusive of the {@code '\n'}
     * @return bytes written
     */
    int encode(long seqBase, int[] arrival, byte[] into, int[] lineStarts, int[] lineEnds) {
        int pos = 0;
        for (int i = 0; i < arrival.length; i++) {
            final int k = arrival[i];
            if (lineStarts != null) {
                lineStarts[i] = pos;
            }
            pos = writePayload(into, pos, seqBase + k + 1, type[k], from[k], to[k]);
            if (lineEnds != null) {
                lineEnds[i] = pos;
            }
            into[pos++] = '\n';
        }
        return pos;
    }

    /** Writes {@code seq|type[|from[|to]]} at {@code pos}; @return the index after it. */
    static int writePayload(byte[] b, int pos, long seq, byte type, long from, long to) {
        pos = writeDigits(b, pos, seq);
        b[pos++] = '|';
        b[pos++] = type;
        final int fields = EventType.fieldCount(type);
        if (fields >= 3) {
            b[pos++] = '|';
            pos = writeDigits(b, pos, from);
        }
        if (fields == 4) {
            b[pos++] = '|';
            pos = writeDigits(b, pos, to);
        }
        return pos;
    }

    static int writeDigits(byte[] b, int pos, long value) {
        final int n = digits(value);
        long v = value;
        for (int i = pos + n - 1; i >= pos; i--) {
            b[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return pos + n;
    }

    static int digits(long value) {
        int n = 1;
        while (value >= 10) {
            value /= 10;
            n++;
        }
        return n;
    }

    /** {@code count} distinct users out of {@code 1..users}, chosen at random. */
    static long[] connectedUsers(int count, int users, long seed) {
        final int[] all = inOrder(users);
        shuffle(all, 0, users, new Random(seed));
        final long[] chosen = new long[count];
        for (int i = 0; i < count; i++) {
            chosen[i] = all[i] + 1L;
        }
        return chosen;
    }
}
