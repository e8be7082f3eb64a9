package io.followermaze.loadgen.stream;

/**
 * Produces the event stream in sequence order, deterministically from a seed, and says for every event
 * which connected clients must be notified, so expectations are computed as the stream is made rather
 * than stored.
 * <p>
 * Users are {@code 1..users}. Follow picks a pair that does not follow yet (unless the mix repeats
 * follows); Unfollow picks an existing follow. When no pair is free (a saturated graph) a Follow becomes an
 * Unfollow, and when no follow exists an Unfollow becomes a Follow, so every event is meaningful. Private
 * messages and follows go between two distinct users.
 * <p>
 * Single-threaded and allocation-free per event.
 */
public final class EventGenerator {
    private static final int FREE_PAIR_ATTEMPTS = 64;
    private static final long EVENT_STREAM_SALT = 0x243F6A8885A308D3L;
    private static final long USER_CHOICE_SALT = 0x13198A2E03707344L;

    private final Mix mix;
    private final int users;
    private final int[] connectedUserIds;
    private final SplitMix64 rng;
    private final FollowGraph graph;
    private final long[] typeCounts = new long[128];

    /**
     * @param connectedUserIds the connected users; index {@code i} is client {@code i} in sink calls
     */
    public EventGenerator(Mix mix, int users, int[] connectedUserIds, long seed) {
        if (users < 2) {
            throw new IllegalArgumentException("need at least 2 users: " + users);
        }
        this.mix = mix;
        this.users = users;
        this.connectedUserIds = connectedUserIds.clone();
        this.rng = new SplitMix64(seed ^ EVENT_STREAM_SALT);
        this.graph = new FollowGraph(users, connectedUserIds);
    }

    /**
     * Picks {@code count} distinct users out of {@code 1..users}, deterministically from the seed
     * (a partial Fisher-Yates shuffle).
     */
    public static int[] chooseConnectedUsers(int users, int count, long seed) {
        if (count > users) {
            throw new IllegalArgumentException("cannot connect " + count + " of " + users + " users");
        }
        final SplitMix64 r = new SplitMix64(seed ^ USER_CHOICE_SALT);
        final int[] all = new int[users];
        for (int i = 0; i < users; i++) {
            all[i] = i + 1;
        }
        final int[] chosen = new int[count];
        for (int i = 0; i < count; i++) {
            final int j = i + r.nextInt(users - i);
            final int t = all[j];
            all[j] = all[i];
            all[i] = t;
            chosen[i] = t;
        }
        return chosen;
    }

    /** Longest notification line (payload and CRLF) for seqs up to {@code maxSeq} among {@code users}. */
    public static int maxLineBytes(long maxSeq, int users) {
        return Decimal.digits(maxSeq) + 3 + 2 * Decimal.digits(users) + 1 + 2;
    }

    /** Events generated of one type so far, e.g. {@code typeCount('S')}. */
    public long typeCount(char type) {
        return typeCounts[type];
    }

    /**
     * Writes event {@code seq} as {@code payload \r \n} at {@code out[pos]}, applies it to the graph and
     * reports its recipients to the sink.
     *
     * @return the payload length (without the line end)
     */
    public int next(long seq, byte[] out, int pos, RecipientSink sink) {
        final int r = rng.nextInt(1_000_000);
        if (r < mix.broadcastEnd) {
            return broadcast(seq, out, pos, sink);
        } else if (r < mix.privateEnd) {
            return privateMessage(seq, out, pos, sink);
        } else if (r < mix.followEnd) {
            return follow(seq, out, pos, sink);
        } else if (r < mix.unfollowEnd) {
            return unfollow(seq, out, pos, sink);
        }
        return statusUpdate(seq, out, pos, sink);
    }

    private int broadcast(long seq, byte[] out, int pos, RecipientSink sink) {
        final int len = header(seq, 'B', out, pos) - pos;
        crlf(out, pos + len);
        for (int c = 0; c < connectedUserIds.length; c++) {
            sink.recipient(c, out, pos, len + 2);
        }
        return len;
    }

    private int privateMessage(long seq, byte[] out, int pos, RecipientSink sink) {
        final int from = randomUser();
        final int to = randomUserOtherThan(from);
        return notifyOne(out, pos, pair(seq, 'P', from, to, out, pos), to, sink);
    }

    private int follow(long seq, byte[] out, int pos, RecipientSink sink) {
        int from = randomUser();
        int to = randomUserOtherThan(from);
        if (!mix.repeatFollows) {
            for (int attempt = 1; graph.follows(from, to); attempt++) {
                if (attempt == FREE_PAIR_ATTEMPTS) {
                    return unfollowExisting(seq, out, pos);
                }
                from = randomUser();
                to = randomUserOtherThan(from);
            }
        }
        graph.follow(from, to);
        return notifyOne(out, pos, pair(seq, 'F', from, to, out, pos), to, sink);
    }

    private int unfollow(long seq, byte[] out, int pos, RecipientSink sink) {
        if (graph.followCount() == 0) {
            return follow(seq, out, pos, sink);
        }
        return unfollowExisting(seq, out, pos);
    }

    private int unfollowExisting(long seq, byte[] out, int pos) {
        final long key = graph.followAt(rng.nextInt(graph.followCount()));
        final int from = FollowGraph.fromOf(key);
        final int to = FollowGraph.toOf(key);
        graph.unfollow(from, to);
        final int end = pair(seq, 'U', from, to, out, pos);
        crlf(out, end);
        return end - pos;
    }

    private int statusUpdate(long seq, byte[] out, int pos, RecipientSink sink) {
        final int from = randomUser();
        int end = header(seq, 'S', out, pos);
        out[end++] = '|';
        end = Decimal.put(out, end, from);
        crlf(out, end);
        final int len = end - pos;
        final int n = graph.connectedFollowerCount(from);
        if (n > 0) {
            final int[] clients = graph.connectedFollowers(from);
            for (int i = 0; i < n; i++) {
                sink.recipient(clients[i], out, pos, len + 2);
            }
        }
        return len;
    }

    private int notifyOne(byte[] out, int pos, int end, int to, RecipientSink sink) {
        crlf(out, end);
        final int len = end - pos;
        final int client = graph.clientOf(to);
        if (client >= 0) {
            sink.recipient(client, out, pos, len + 2);
        }
        return len;
    }

    private int header(long seq, char type, byte[] out, int pos) {
        typeCounts[type]++;
        int end = Decimal.put(out, pos, seq);
        out[end++] = '|';
        out[end++] = (byte) type;
        return end;
    }

    private int pair(long seq, char type, int from, int to, byte[] out, int pos) {
        int end = header(seq, type, out, pos);
        out[end++] = '|';
        end = Decimal.put(out, end, from);
        out[end++] = '|';
        return Decimal.put(out, end, to);
    }

    private static void crlf(byte[] out, int pos) {
        out[pos] = '\r';
        out[pos + 1] = '\n';
    }

    private int randomUser() {
        return 1 + rng.nextInt(users);
    }

    private int randomUserOtherThan(int user) {
        final int other = 1 + rng.nextInt(users - 1);
        return other >= user ? other + 1 : other;
    }
}
