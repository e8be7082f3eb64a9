package io.followermaze.router;

import io.followermaze.graph.FollowerGraph;
import io.followermaze.metrics.Counter;
import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventType;
import io.followermaze.resequencer.InOrderHandler;
import io.followermaze.session.ClientSession;
import io.followermaze.session.SessionTable;
import org.agrona.collections.LongHashSet;

import java.util.function.LongConsumer;

/**
 * Applies each in-order event to the {@link FollowerGraph} and hands its payload to every connected
 * session it concerns: Follow and Private message to {@code to}; Broadcast to all; Status update to the
 * connected followers of {@code from}; Unfollow to nobody.
 * <p>
 * A status update walks the graph's set of <em>connected</em> followers of {@code from}: its cost is its
 * number of recipients, never a scan of followers who are offline or of every connection. Registrations go
 * through {@link #register}/{@link #unregister} so that the graph's connected-follower index stays exact.
 * Single-threaded: owned by the pipeline thread.
 */
public final class Router implements InOrderHandler {
    private final FollowerGraph graph;
    private final SessionTable sessions;
    private final LongConsumer deliverToFollower = this::deliverToUser;

    private final Counter notificationsDelivered = new Counter();
    private final Counter notificationsUndeliverable = new Counter();
    private final Counter eventsRouted = new Counter();

    /** The event being routed, for {@link #deliverToFollower}. */
    private Event current;

    public Router(FollowerGraph graph, SessionTable sessions) {
        this.graph = graph;
        this.sessions = sessions;
    }

    @Override
    public void onInOrder(Event e) {
        current = e;
        switch (e.type) {
            case EventType.FOLLOW:
                graph.follow(e.from, e.to);
                deliverToUser(e.to);
                break;
            case EventType.UNFOLLOW:
                graph.unfollow(e.from, e.to);
                break;
            case EventType.BROADCAST:
                broadcast(e);
                break;
            case EventType.PRIVATE_MESSAGE:
                deliverToUser(e.to);
                break;
            case EventType.STATUS_UPDATE:
                statusUpdate(e.from);
                break;
            default:
                throw new IllegalStateException("unknown event type reached the router: " + e);
        }
        eventsRouted.increment();
        current = null;
    }

    private void broadcast(Event e) {
        final int count = sessions.sessionCount();
        for (int i = 0; i < count; i++) {
            sessions.sessionAt(i).deliver(e.payload, e.payloadOffset, e.payloadLength);
        }
        notificationsDelivered.add(count);
    }

    private void statusUpdate(long author) {
        final LongHashSet recipients = graph.connectedFollowersOf(author);
        final int connectedFollowers = recipients == null ? 0 : recipients.size();
        if (connectedFollowers > 0) {
            recipients.forEachLong(deliverToFollower);
        }
        notificationsUndeliverable.add(graph.followerCount(author) - connectedFollowers);
    }

    /** Adds a connection; the user's first one makes it a connected follower of everyone it follows. */
    public void register(ClientSession session) {
        if (session.isRegistered()) {
            return;
        }
        final boolean firstOfUser = sessions.firstOf(session.userId()) == null;
        sessions.register(session);
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
        if (sessions.firstOf(session.userId()) == null) {
            graph.userDisconnected(session.userId());
        }
    }

    private void deliverToUser(long user) {
        ClientSession s = sessions.firstOf(user);
        if (s == null) {
            notificationsUndeliverable.increment();
            return;
        }
        final Event e = current;
        do {
            s.deliver(e.payload, e.payloadOffset, e.payloadLength);
            notificationsDelivered.increment();
            s = SessionTable.nextOfUser(s);
        } while (s != null);
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
