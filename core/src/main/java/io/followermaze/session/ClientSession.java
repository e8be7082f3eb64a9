package io.followermaze.session;

/**
 * One connected client: a user id and somewhere to put notifications. The pipeline thread calls
 * {@link #deliver} for each notification; the implementation (Netty egress, a test sink) decides where
 * the bytes go. Linkage fields are owned by {@link SessionTable}.
 */
public abstract class ClientSession {
    private final long userId;

    // Owned by SessionTable (pipeline thread).
    ClientSession nextOfUser;
    int indexInAll = -1;

    protected ClientSession(long userId) {
        this.userId = userId;
    }

    public final long userId() {
        return userId;
    }

    /** @return true while the session is in a {@link SessionTable} */
    public final boolean isRegistered() {
        return indexInAll >= 0;
    }

    /**
     * Appends one notification: {@code payload[offset, offset+length)} followed by {@code "\r\n"}.
     * Pipeline thread only; must not block.
     */
    public abstract void deliver(byte[] payload, int offset, int length);

    /**
     * Appends one broadcast: the router calls this on every session, one after another, with the same bytes, and
     * no other notification in between, so an implementation may keep those bytes once for all of them (the
     * Netty egress does). Pipeline thread only; must not block.
     */
    public void deliverBroadcast(byte[] payload, int offset, int length) {
        deliver(payload, offset, length);
    }

    /** Called on the pipeline thread once the session has left the table; release resources here. */
    protected void onUnregistered() {
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "{user=" + userId + '}';
    }
}
