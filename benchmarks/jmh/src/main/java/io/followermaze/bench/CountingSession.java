package io.followermaze.bench;

import io.followermaze.session.ClientSession;

/**
 * A connected client that counts what it is sent instead of writing it anywhere: the cheapest possible sink,
 * so routing benchmarks measure the router, not an egress. (The real egress also copies each payload + CRLF
 * into an outbound buffer; that copy is not in these numbers.)
 * <p>
 * Written only by the routing thread; read by the benchmark thread after it has seen the pipeline's
 * released count advance (a release/acquire pair), or at tear-down.
 */
final class CountingSession extends ClientSession {
    long notifications;
    long bytes;

    CountingSession(long userId) {
        super(userId);
    }

    @Override
    public void deliver(byte[] payload, int offset, int length) {
        notifications++;
        bytes += length + 2; // payload + "\r\n"
    }

    /**
     * One session each for {@code count} users of the reference program's {@link ReferenceStream#USERS}, chosen with
     * its seed: the connected users every routing benchmark uses.
     */
    static CountingSession[] connected(int count) {
        return forUsers(ReferenceStream.connectedUsers(count, ReferenceStream.USERS, ReferenceStream.SEED));
    }

    static CountingSession[] forUsers(long[] users) {
        final CountingSession[] sessions = new CountingSession[users.length];
        for (int i = 0; i < users.length; i++) {
            sessions[i] = new CountingSession(users[i]);
        }
        return sessions;
    }

    static long totalNotifications(CountingSession[] sessions) {
        long sum = 0;
        for (CountingSession s : sessions) {
            sum += s.notifications;
        }
        return sum;
    }

    static long totalBytes(CountingSession[] sessions) {
        long sum = 0;
        for (CountingSession s : sessions) {
            sum += s.bytes;
        }
        return sum;
    }
}
