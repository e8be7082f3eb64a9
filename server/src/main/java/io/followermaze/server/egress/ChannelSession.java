package io.followermaze.server.egress;

import io.followermaze.session.ClientSession;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * A client connection as the pipeline thread sees it: notifications are appended ({@code payload\r\n}) to a buffer
 * of this batch, which {@link Egress} hands to the connection's event loop as a message on its {@link LoopHandoff}.
 * <p>
 * Broadcasts are not copied while they are all this batch holds for the client: the session keeps a run
 * {@code [sharedFrom, sharedTo)} of the egress's shared broadcast buffer, where consecutive broadcasts lie end to
 * end, and hands off a slice of it. Anything that does not extend the run (a private notification, a broadcast
 * copied because the shared buffer was full) first copies the run into the session's own buffer, which then takes
 * the rest of the batch. So 10,000 clients that get the same broadcasts hold their bytes once.
 * <p>
 * The pipeline thread is the one writer of every mutable field here (all private; the methods that change them
 * check it under assertions). What the loop knows about the same client is its {@link Connection}, which this side
 * only reads.
 */
public final class ChannelSession extends ClientSession {
    static final int MIN_SIZE_HINT = 256;
    private static final int MAX_SIZE_HINT = 64 * 1024;

    private final Connection connection;
    private final LoopHandoff handoff;
    private final Egress egress;

    // ---- the pipeline thread's ----
    private ByteBuf filling;
    /** This batch's run in the egress's shared broadcast buffer; -1 when it has none (then {@code filling} is used). */
    private int sharedFrom = -1;
    private int sharedTo;
    private boolean dirty;
    private boolean cutOff;
    /** Bytes given to the loop so far; with the loop's {@link Connection#writtenBytes()}, what is still in flight. */
    private long handedOffBytes;
    private int sizeHint = MIN_SIZE_HINT;
    /** Position in {@link Egress}'s list of sessions that hold or held output; -1 when not in it. */
    private int trackedIndex = -1;

    ChannelSession(Connection connection, LoopHandoff handoff, Egress egress) {
        super(connection.userId);
        this.connection = connection;
        this.handoff = handoff;
        this.egress = egress;
    }

    @Override
    public void deliverBroadcast(byte[] payload, int offset, int length) {
        assert egress.onPipelineThread();
        if (cutOff) {
            return;
        }
        if (filling == null) { // nothing copied yet this batch: the broadcast may start or extend the shared run
            if (!dirty && goneBeforeBatch()) {
                return;
            }
            final int start = egress.sharedBroadcast(payload, offset, length);
            if (start >= 0 && (sharedFrom < 0 || start == sharedTo)) {
                if (sharedFrom < 0) {
                    sharedFrom = start;
                    dirty = true;
                    egress.markDirty(this);
                }
                sharedTo = start + length + 2;
                egress.appended(this, length + 2, sharedTo - sharedFrom);
                return;
            }
        }
        deliver(payload, offset, length);
    }

    @Override
    public void deliver(byte[] payload, int offset, int length) {
        assert egress.onPipelineThread();
        if (cutOff) {
            return;
        }
        if (sharedFrom >= 0 && !copyRunToOwnBuffer()) {
            return;
        }
        ByteBuf buf = filling;
        if (buf == null) {
            if (goneBeforeBatch()) {
                return;
            }
            buf = filling = egress.allocate(this, sizeHint);
            if (buf == null) {
                return; // no direct memory for it: cut off, the event goes on to everyone else
            }
        }
        if (!dirty) {
            dirty = true;
            egress.markDirty(this);
        }
        egress.append(this, buf, payload, offset, length);
    }

    /** At the first notification of a batch: the loop cut the client off or it closed, so stop producing for it. */
    private boolean goneBeforeBatch() {
        if (connection.cutOffByLoop() || connection.closed()) {
            cutOff = true;
            return true;
        }
        return false;
    }

    /** The shared run is about to be followed by bytes that are not in it: it moves to this session's own buffer. */
    private boolean copyRunToOwnBuffer() {
        final int length = sharedTo - sharedFrom;
        final ByteBuf buf = egress.allocate(this, Math.max(sizeHint, 2 * length));
        if (buf == null) {
            return false; // no direct memory for it: cut off (which dropped the run)
        }
        egress.copyShared(buf, sharedFrom, length);
        sharedFrom = -1;
        filling = buf;
        return true;
    }

    /** Bytes of this batch not yet handed off. */
    private int batchBytes() {
        return sharedFrom >= 0 ? sharedTo - sharedFrom : filling == null ? 0 : filling.readableBytes();
    }

    /** Pipeline thread: bytes produced for this connection and not yet written to its socket. */
    long backlogBytes() {
        return handedOffBytes - connection.writtenBytes() + connection.queuedInNetty() + batchBytes();
    }

    /** Pipeline thread: bytes given to the loop and not yet given to Netty (a cut-off client's loop releases them). */
    long inFlightBytes() {
        return Math.max(0, handedOffBytes - connection.writtenBytes());
    }

    /** Pipeline thread, at hand-off: this batch's buffer, which from now on belongs to the loop. */
    ByteBuf takeFilling() {
        assert egress.onPipelineThread();
        final ByteBuf buf;
        if (sharedFrom >= 0) {
            buf = egress.sharedSlice(sharedFrom, sharedTo - sharedFrom);
            sharedFrom = -1;
        } else {
            buf = filling;
            filling = null;
        }
        dirty = false;
        final int bytes = buf.readableBytes();
        handedOffBytes += bytes;
        sizeHint = Math.min(MAX_SIZE_HINT, Math.max(MIN_SIZE_HINT, bytes));
        return buf;
    }

    /** Pipeline thread, at hand-off: this batch's buffer is not handed off (cut off, or left the table). */
    void discardBatch() {
        assert egress.onPipelineThread();
        dirty = false;
        releaseFilling();
    }

    /** Pipeline thread: stop producing for the client for good; drops this batch's buffer. @return false if it already was */
    boolean markCutOff() {
        assert egress.onPipelineThread();
        if (cutOff) {
            return false;
        }
        cutOff = true;
        releaseFilling();
        return true;
    }

    boolean isCutOff() {
        return cutOff;
    }

    private void releaseFilling() {
        sharedFrom = -1;
        if (filling != null) {
            filling.release();
            filling = null;
        }
    }

    int trackedIndex() {
        return trackedIndex;
    }

    void trackedAt(int index) {
        assert egress.onPipelineThread();
        trackedIndex = index;
    }

    @Override
    protected void onUnregistered() {
        assert egress.onPipelineThread();
        cutOff = true;
        releaseFilling();
        egress.untrack(this);
    }

    Connection connection() {
        return connection;
    }

    LoopHandoff handoff() {
        return handoff;
    }

    public Channel channel() {
        return connection.channel;
    }

    String describe() {
        return connection.describe();
    }
}
