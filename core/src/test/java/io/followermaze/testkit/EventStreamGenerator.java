package io.followermaze.testkit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Makes random, valid event streams the way the reference test program does: contiguous sequence numbers from 1,
 * all five event types, then shuffled batches of 1..maxBatch events (docs/protocol.md).
 * <p>
 * The stream is a deterministic function of the seed and the settings, so a failing test can print the seed and
 * be replayed. Follows repeat existing edges now and then, unfollows hit both existing and absent edges, and users
 * are drawn from {@code 1..userCount}.
 * <p>
 * Usage:
 * <pre>
 *   EventStreamGenerator gen = new EventStreamGenerator(seed, 50);
 *   List&lt;String&gt; inOrder = gen.next(10_000);                       // payloads, seq order
 *   List&lt;String&gt; arrival = EventStreamGenerator.shuffleInBatches(inOrder, 100, new Random(seed));
 *   byte[] wire = EventStreamGenerator.encode(arrival, "\n");
 * </pre>
 * No dependency on the code under test or on a test framework. Not thread-safe.
 */
public final class EventStreamGenerator {
    private final Random random;
    private final int userCount;
    private int[] weights = {30, 15, 5, 25, 25}; // F, U, B, P, S
    private boolean zeroPaddedIds;
    private long nextSeq = 1;
    /** Follows made so far as {follower, followed}; some may since have been undone. */
    private final List<long[]> follows = new ArrayList<>();

    /**
     * @param seed      seed of the generator's {@link Random}
     * @param userCount users are {@code 1..userCount}
     */
    public EventStreamGenerator(long seed, int userCount) {
        if (userCount < 1) {
            throw new IllegalArgumentException("userCount must be positive: " + userCount);
        }
        this.random = new Random(seed);
        this.userCount = userCount;
    }

    /**
     * Relative weights of the five types; zero leaves a type out.
     *
     * @return this
     */
    public EventStreamGenerator typeWeights(int follow, int unfollow, int broadcast, int privateMessage, int status) {
        final int[] w = {follow, unfollow, broadcast, privateMessage, status};
        int sum = 0;
        for (int x : w) {
            if (x < 0) {
                throw new IllegalArgumentException("negative weight");
            }
            sum += x;
        }
        if (sum == 0) {
            throw new IllegalArgumentException("all weights are zero");
        }
        this.weights = w;
        return this;
    }

    /**
     * When on, about one user id in eight is written with leading zeros ({@code 007}), which is valid on the wire;
     * clients must still receive the payload byte for byte.
     *
     * @return this
     */
    public EventStreamGenerator zeroPaddedIds(boolean on) {
        this.zeroPaddedIds = on;
        return this;
    }

    /** @return the seq the next generated event gets */
    public long nextSeq() {
        return nextSeq;
    }

    /** @return the next {@code count} events as payloads (lines without line end), in sequence order */
    public List<String> next(int count) {
        final List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(nextEvent());
        }
        return out;
    }

    /** @return the next event's payload */
    public String nextEvent() {
        final long seq = nextSeq++;
        switch (pickType()) {
            case 0: {
                final long follower;
                final long followed;
                if (!follows.isEmpty() && random.nextInt(5) == 0) {
                    final long[] edge = follows.get(random.nextInt(follows.size())); // a repeated follow
                    follower = edge[0];
                    followed = edge[1];
                } else {
                    follower = user();
                    followed = user();
                    follows.add(new long[] {follower, followed});
                }
                return seq + "|F|" + id(follower) + '|' + id(followed);
            }
            case 1: {
                final long follower;
                final long followed;
                if (!follows.isEmpty() && random.nextBoolean()) {
                    final long[] edge = follows.get(random.nextInt(follows.size())); // likely existing
                    follower = edge[0];
                    followed = edge[1];
                } else {
                    follower = user(); // likely absent
                    followed = user();
                }
                return seq + "|U|" + id(follower) + '|' + id(followed);
            }
            case 2:
                return seq + "|B";
            case 3:
                return seq + "|P|" + id(user()) + '|' + id(user());
            default:
                return seq + "|S|" + id(user());
        }
    }

    private int pickType() {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int r = random.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            r -= weights[i];
            if (r < 0) {
                return i;
            }
        }
        throw new AssertionError();
    }

    private long user() {
        return 1 + random.nextInt(userCount);
    }

    private String id(long user) {
        if (zeroPaddedIds && random.nextInt(8) == 0) {
            return "0".repeat(1 + random.nextInt(3)) + user;
        }
        return Long.toString(user);
    }

    /**
     * Arrival order as the reference program makes it: consecutive batches of 1..maxBatch events (size uniform),
     * each batch shuffled.
     *
     * @return a new list
     */
    public static List<String> shuffleInBatches(List<String> inOrder, int maxBatch, Random random) {
        final List<String> out = new ArrayList<>(inOrder.size());
        for (List<String> batch : batches(inOrder, maxBatch, random)) {
            out.addAll(batch);
        }
        return out;
    }

    /**
     * Splits into consecutive batches of 1..maxBatch events and shuffles each.
     *
     * @return new lists, in sending order
     */
    public static List<List<String>> batches(List<String> inOrder, int maxBatch, Random random) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be positive: " + maxBatch);
        }
        final List<List<String>> out = new ArrayList<>();
        int i = 0;
        while (i < inOrder.size()) {
            final int size = Math.min(inOrder.size() - i, 1 + random.nextInt(maxBatch));
            final List<String> batch = new ArrayList<>(inOrder.subList(i, i + size));
            Collections.shuffle(batch, random);
            out.add(batch);
            i += size;
        }
        return out;
    }

    /** @return the lines, each followed by {@code lineEnd} ({@code "\n"} or {@code "\r\n"}), as ISO-8859-1 bytes */
    public static byte[] encode(List<String> lines, String lineEnd) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(lines.size() * 16);
        for (String line : lines) {
            final byte[] b = (line + lineEnd).getBytes(StandardCharsets.ISO_8859_1);
            out.write(b, 0, b.length);
        }
        return out.toByteArray();
    }

    /** @return the lines, each ending at random in {@code "\n"} or {@code "\r\n"} */
    public static byte[] encodeMixedLineEnds(List<String> lines, Random random) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(lines.size() * 16);
        for (String line : lines) {
            final byte[] b = (line + (random.nextBoolean() ? "\r\n" : "\n")).getBytes(StandardCharsets.ISO_8859_1);
            out.write(b, 0, b.length);
        }
        return out.toByteArray();
    }
}
