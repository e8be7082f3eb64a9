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
 * A status update walks whichever is smaller, the follower set or the connected users, so its cost is
 * O(min(followers, connected)), never a scan of every user known.
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
        final LongHashSet followers = graph.followersOf(author);
        if (followers == null || followers.isEmpty()) {
            return;
        }
        final int connected = sessions.sessionCount();
        if (followers.size() <= connected) {
            followers.forEachLong(deliverToFollower);
            return;
        }
        // Fewer connections than followers: test each connection against the follower set instead.
        final Event e = current;
        int delivered = 0;
        for (int i = 0; i < connected; i++) {
            final ClientSession s = sessions.sessionAt(i);
            if (followers.contains(s.userId())) {
                s.deliver(e.payload, e.payloadOffset, e.payloadLength);
                delivered++;
            }
        }
        notificationsDelivered.add(delivered);
        notificationsUndeliverable.add(Math.max(0, followers.size() - sessions.userCount()));
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

    /** Recipients that were not connected (approximate for status updates to many followers). */
    public Counter notificationsUndeliverable() {
        return notificationsUndeliverable;
    }

    public Counter eventsRouted() {
        return eventsRouted;
    }
}
