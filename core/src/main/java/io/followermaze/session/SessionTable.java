package io.followermaze.session;

import org.agrona.collections.Long2ObjectHashMap;

import java.util.Arrays;

/**
 * User id -> that user's open sessions, plus a dense array of all sessions for broadcasts.
 * <p>
 * A user may hold several sessions; they form an intrusive singly linked list through
 * {@link ClientSession#nextOfUser}, so registering allocates nothing beyond map growth. Removal from the
 * dense array swaps in the last element (O(1)).
 * Single-threaded: owned by the pipeline thread, which is why registration travels through the pipeline.
 * The pipeline registers through {@link io.followermaze.router.Router#register}, which also keeps the follower
 * graph's connected-follower index in step; registering here directly bypasses that index.
 */
public final class SessionTable {
    private final Long2ObjectHashMap<ClientSession> firstByUser = new Long2ObjectHashMap<>();
    private ClientSession[] all = new ClientSession[64];
    private int size;

    /** Adds a session; a no-op if it is already registered. */
    public void register(ClientSession session) {
        if (session.isRegistered()) {
            return;
        }
        if (size == all.length) {
            all = Arrays.copyOf(all, size * 2);
        }
        session.indexInAll = size;
        all[size++] = session;
        session.nextOfUser = firstByUser.put(session.userId(), session);
    }

    /** Removes a session; a no-op if it is not registered. */
    public void unregister(ClientSession session) {
        if (!session.isRegistered()) {
            return;
        }
        final int index = session.indexInAll;
        final ClientSession last = all[--size];
        all[index] = last;
        last.indexInAll = index;
        all[size] = null;
        session.indexInAll = -1;

        final long user = session.userId();
        ClientSession first = firstByUser.get(user);
        if (first == session) {
            if (session.nextOfUser == null) {
                firstByUser.remove(user);
            } else {
                firstByUser.put(user, session.nextOfUser);
            }
        } else {
            while (first.nextOfUser != session) {
                first = first.nextOfUser;
            }
            first.nextOfUser = session.nextOfUser;
        }
        session.nextOfUser = null;
        session.onUnregistered();
    }

    /** @return the first session of the user (follow {@link #nextOfUser}), or null when not connected */
    public ClientSession firstOf(long userId) {
        return firstByUser.get(userId);
    }

    public static ClientSession nextOfUser(ClientSession session) {
        return session.nextOfUser;
    }

    /** Number of sessions (connections). */
    public int sessionCount() {
        return size;
    }

    /** Number of distinct connected users. */
    public int userCount() {
        return firstByUser.size();
    }

    /** Session at {@code index}, 0 <= index < sessionCount(); order changes on unregister. */
    public ClientSession sessionAt(int index) {
        return all[index];
    }
}
