package io.followermaze.testkit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The obviously-correct reference for the routing rules of the protocol (docs/protocol.md): a map of sets for the
 * follower graph, linear scans for recipients, and per-user lists of the payloads each user must receive.
 * <p>
 * The model tracks a fixed set of users (the clients a test connects). Feed it payloads (event lines without
 * their line end) <b>in sequence order</b> with {@link #apply(String)}; afterwards {@link #expectedFor(long)}
 * is exactly what a client of that user, connected for the whole stream, must receive, in order.
 * Untracked users still take part in the graph (they follow, are followed, post status updates) but nothing is
 * recorded for them, as for users that are not connected.
 * <p>
 * For clients that connect or leave mid-stream: a client connected while the model applied events
 * {@code [i, j)} must receive {@code expectedFor(user).subList(a, b)} where {@code a} and {@code b} are the
 * list sizes at those two moments (see {@link #receivedCount(long)}).
 * <p>
 * Deliberately slow and simple; no dependency on the code under test or on a test framework.
 * Not thread-safe.
 */
public final class NaiveFollowerModel {
    private final Map<Long, Set<Long>> followersByUser = new HashMap<>();
    private final Map<Long, List<String>> receivedByUser = new LinkedHashMap<>();
    private long notifications;
    private long eventsApplied;

    /** @param trackedUsers the users whose notifications are recorded (the connected clients) */
    public NaiveFollowerModel(Collection<Long> trackedUsers) {
        for (Long user : trackedUsers) {
            receivedByUser.put(user, new ArrayList<>());
        }
    }

    /** A model tracking users {@code 1..maxUserId}. */
    public static NaiveFollowerModel trackingUsers(long maxUserId) {
        final List<Long> users = new ArrayList<>();
        for (long u = 1; u <= maxUserId; u++) {
            users.add(u);
        }
        return new NaiveFollowerModel(users);
    }

    /**
     * Applies one event, given as its payload (the line without line end; a trailing {@code '\r'} is tolerated and
     * not recorded). Events must be applied in sequence order.
     *
     * @return the tracked users notified by this event, in no particular order (a user appears once)
     * @throws IllegalArgumentException if the payload is not a valid event line
     */
    public List<Long> apply(String line) {
        final String payload = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        final String[] fields = payload.split("\\|", -1);
        if (fields.length < 2 || fields[1].length() != 1) {
            throw new IllegalArgumentException("not an event line: '" + payload + "'");
        }
        final List<Long> recipients = new ArrayList<>();
        switch (fields[1].charAt(0)) {
            case 'F': {
                requireFields(payload, fields, 4);
                final long from = Long.parseLong(fields[2]);
                final long to = Long.parseLong(fields[3]);
                followersByUser.computeIfAbsent(to, k -> new HashSet<>()).add(from);
                addIfTracked(recipients, to);
                break;
            }
            case 'U': {
                requireFields(payload, fields, 4);
                final long from = Long.parseLong(fields[2]);
                final long to = Long.parseLong(fields[3]);
                final Set<Long> followers = followersByUser.get(to);
                if (followers != null) {
                    followers.remove(from);
                }
                break;
            }
            case 'B':
                requireFields(payload, fields, 2);
                recipients.addAll(receivedByUser.keySet());
                break;
            case 'P': {
                requireFields(payload, fields, 4);
                Long.parseLong(fields[2]);
                addIfTracked(recipients, Long.parseLong(fields[3]));
                break;
            }
            case 'S': {
                requireFields(payload, fields, 3);
                final long from = Long.parseLong(fields[2]);
                final Set<Long> followers = followersByUser.getOrDefault(from, Collections.emptySet());
                // Linear scan over the tracked users: obviously correct, never fast.
                for (Long user : receivedByUser.keySet()) {
                    if (followers.contains(user)) {
                        recipients.add(user);
                    }
                }
                break;
            }
            default:
                throw new IllegalArgumentException("unknown type in '" + payload + "'");
        }
        for (Long user : recipients) {
            receivedByUser.get(user).add(payload);
        }
        notifications += recipients.size();
        eventsApplied++;
        return recipients;
    }

    /** Applies every payload in order. */
    public void applyAll(Iterable<String> payloadsInSeqOrder) {
        for (String payload : payloadsInSeqOrder) {
            apply(payload);
        }
    }

    private static void requireFields(String payload, String[] fields, int count) {
        if (fields.length != count) {
            throw new IllegalArgumentException("expected " + count + " fields in '" + payload + "'");
        }
    }

    private void addIfTracked(List<Long> recipients, long user) {
        if (receivedByUser.containsKey(user)) {
            recipients.add(user);
        }
    }

    /** @return the payloads the user must receive so far, in order (a live, unmodifiable view) */
    public List<String> expectedFor(long user) {
        final List<String> received = receivedByUser.get(user);
        if (received == null) {
            throw new IllegalArgumentException("user " + user + " is not tracked");
        }
        return Collections.unmodifiableList(received);
    }

    /** @return how many payloads the user must have received so far */
    public int receivedCount(long user) {
        return expectedFor(user).size();
    }

    /** @return every tracked user's expected payloads (live, unmodifiable views) */
    public Map<Long, List<String>> expectedByUser() {
        final Map<Long, List<String>> copy = new LinkedHashMap<>();
        for (Map.Entry<Long, List<String>> e : receivedByUser.entrySet()) {
            copy.put(e.getKey(), Collections.unmodifiableList(e.getValue()));
        }
        return copy;
    }

    /** @return the tracked users */
    public Set<Long> trackedUsers() {
        return Collections.unmodifiableSet(receivedByUser.keySet());
    }

    /** @return the current followers of {@code user} (a copy; empty if none) */
    public Set<Long> followersOf(long user) {
        return new HashSet<>(followersByUser.getOrDefault(user, Collections.emptySet()));
    }

    /** @return the number of follow edges in the graph */
    public long edgeCount() {
        long edges = 0;
        for (Set<Long> followers : followersByUser.values()) {
            edges += followers.size();
        }
        return edges;
    }

    /** @return notifications to tracked users so far (one per user and event) */
    public long notificationCount() {
        return notifications;
    }

    /** @return events applied so far */
    public long eventsApplied() {
        return eventsApplied;
    }

    /**
     * Compares what a client received with what it should have, for assertion messages that stay short on long
     * streams.
     *
     * @return null when equal, else where and how the lists first differ
     */
    public static String describeDifference(List<String> expected, List<String> actual) {
        final int common = Math.min(expected.size(), actual.size());
        for (int i = 0; i < common; i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                return "first difference at index " + i + ": expected '" + expected.get(i) + "' but got '"
                    + actual.get(i) + "' (expected " + expected.size() + " payloads, got " + actual.size()
                    + "; before it: " + expected.subList(Math.max(0, i - 3), i) + ")";
            }
        }
        if (expected.size() == actual.size()) {
            return null;
        }
        return expected.size() > actual.size()
            ? "missing " + (expected.size() - common) + " payloads from index " + common + ", starting with '"
                + expected.get(common) + "'"
            : "got " + (actual.size() - common) + " extra payloads from index " + common + ", starting with '"
                + actual.get(common) + "'";
    }

    /** @return the sequence number of an event line */
    public static long seqOf(String payload) {
        final int bar = payload.indexOf('|');
        return Long.parseLong(bar < 0 ? payload : payload.substring(0, bar));
    }

    /** @return the payloads sorted by sequence number (a new list) */
    public static List<String> sortedBySeq(Collection<String> payloads) {
        final List<String> sorted = new ArrayList<>(payloads);
        sorted.sort((a, b) -> Long.compare(seqOf(a), seqOf(b)));
        return sorted;
    }
}
