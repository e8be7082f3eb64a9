package io.followermaze.router;

import io.followermaze.graph.FollowerGraph;
import io.followermaze.metrics.Counter;
import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventType;
import io.followermaze.resequencer.InOrderHandler;
import io.followermaze.session.ClientSession;
import io.followermaze.session.SessionTable;

/**
 * Applies each in-order event to the {@link FollowerGraph} and hands its payload to every connected
 * session it concerns: Follow and Private message to {@code to}; Broadcast to all; Status update to the
 * connected followers of {@code from}; Unfollow to nobody. A follow the graph's budget refuses is delivered all the
 * same (only its edge is not stored).
 * <p>
 * A status update walks the graph's dense array of <em>connected</em> followers of {@code from}, reaching each
 * one's sessions through its graph record: its cost is its number of recipients, with no lookup per recipient and
 * no scan of followers who are offline or of every connection. Registrations go through
 * {@link #register}/{@link #unregister} so that the graph's connected-follower index and session heads stay exact.
 * Single-threaded: owned by the pipeline thread.
 */
public final class Router implements InOrderHandler {
    /** Told when the graph's budget refuses a follow; for a (rate-limited) log. */
    @FunctionalInterface
    public interface FollowRejectedListener {
        /** @param follow a flyweight valid only for the duration of the call */
        void onFollowRejected(Event follow, FollowerGraph.FollowResult reason);
    }

    private final FollowerGraph graph;
    private final SessionTable sessions;
    private final FollowRejectedListener onFollowRejected;

    private final Counter notificationsDelivered = new Counter();
    private final Counter notificationsUndeliverable = new Counter();
    private final Counter eventsRouted = new Counter();

    public Router(FollowerGraph graph, SessionTable sessions) {
        this(graph, sessions, (follow, reason) -> { });
    }

    public Router(FollowerGraph graph, SessionTable sessions, FollowRejectedListener onFollowRejected) {
        this.graph = graph;
        this.sessions = sessions;
        this.onFollowRejected = onFollowRejected;
    }

    @Override
    public void onInOrder(Event e) {
        switch (e.type) {
            case EventType.FOLLOW: {
                final FollowerGraph.FollowResult result = graph.follow(e.from, e.to);
                if (result.rejected()) {
                    onFollowRejected.onFollowRejected(e, result);
                }
                // A follow the graph's budget refuses is still a valid event of the stream, released in its turn:
                // the followed user is told as usual. Only the edge is not stored (no status updates reach the
                // follower through it), which is what the budget protects.
                deliverToUser(e.to, e);
                break;
            }
            case EventType.UNFOLLOW:
                graph.unfollow(e.from, e.to);
                break;
            case EventType.BROADCAST:
                broadcast(e);
                break;
            case EventType.PRIVATE_MESSAGE:
                deliverToUser(e.to, e);
                break;
            case EventType.STATUS_UPDATE:
                statusUpdate(e);
                break;
            default:
                throw new IllegalStateException("unknown event type reached the router: " + e);
        }
        eventsRouted.increment();
    }

    private void broadcast(Event e) {
        final int count = sessions.sessionCount();
        for (int i = 0; i < count; i++) {
            sessions.sessionAt(i).deliverBroadcast(e.payload, e.payloadOffset, e.payloadLength);
        }
        notificationsDelivered.add(count);
    }

    private void statusUpdate(Event e) {
        final FollowerGraph.User author = graph.user(e.from);
        if (author == null) {
            return; // never followed by anyone
        }
        final int recipients = author.connectedFollowerCount();
        for (int i = 0; i < recipients; i++) {
            deliverToAll(author.connectedFollower(i).firstSession(), e);
        }
        notificationsUndeliverable.add(author.followerCount() - recipients);
    }

    /** Adds a connection; the user's first one makes it a connected follower of everyone it follows. */
    public void register(ClientSession session) {
        if (session.isRegistered()) {
            return;
        }
        final boolean firstOfUser = sessions.firstOf(session.userId()) == null;
        sessions.register(session);
        graph.firstSessionChanged(session.userId(), sessions.firstOf(session.userId()));
        if (firstOfUser) {
            graph.userConnected(session.userId());
        }
    }

    /** Removes a connection; the user's last one takes it out of the connected-follower index. */
    public void unregister(ClientSession session) {
        if (!session.isRegistered()) {
            return;
        }
        sessions.unregister(session);
        final ClientSession first = sessions.firstOf(session.userId());
        graph.firstSessionChanged(session.userId(), first);
        if (first == null) {
            graph.userDisconnected(session.userId());
        }
    }

    /**
     * The user's sessions are found through its graph record (an array load for the usual small ids; every connected
     * user has one, kept in step by {@link #register}/{@link #unregister}), not the session table's hash map.
     */
    private void deliverToUser(long user, Event e) {
        final FollowerGraph.User u = graph.user(user);
        final ClientSession first = u == null ? null : u.firstSession();
        if (first == null) {
            notificationsUndeliverable.increment();
            return;
        }
        deliverToAll(first, e);
    }

    /** Hands the payload to {@code first} and the user's other sessions. */
    private void deliverToAll(ClientSession first, Event e) {
        for (ClientSession s = first; s != null; s = SessionTable.nextOfUser(s)) {
            s.deliver(e.payload, e.payloadOffset, e.payloadLength);
            notificationsDelivered.increment();
        }
    }

    /** Notifications handed to sessions (one per recipient connection). */
    public Counter notificationsDelivered() {
        return notificationsDelivered;
    }

    /** Recipients that were not connected (for status updates: followers offline at the time). */
    public Counter notificationsUndeliverable() {
        return notificationsUndeliverable;
    }

    public Counter eventsRouted() {
        return eventsRouted;
    }
}
