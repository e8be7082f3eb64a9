package io.followermaze.server.egress;

import io.followermaze.metrics.Counter;
import io.followermaze.pipeline.EgressListener;
import io.followermaze.pipeline.RateLimitedLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Moves notification bytes from the pipeline thread to the network, pushes back when clients lag, and keeps the
 * bytes held for clients within two budgets.
 * <p>
 * During a batch, sessions append to their own buffers and mark themselves dirty here. At batch end
 * ({@link #onBatchEnd()}), or earlier once a batch has produced {@code handoffBytes} (large fan-out) and at least
 * {@value #MIN_BYTES_PER_SESSION} bytes per dirty session (so that with thousands of clients each hand-off still
 * writes a worthwhile amount per connection, not one syscall per few notifications), each dirty session's buffer
 * is staged on its event loop's {@link LoopHandoff} and every loop touched gets one publication.
 * <p>
 * Ownership: this object's mutable state and every {@link ChannelSession} are the pipeline thread's; every
 * {@link Connection} and {@link LoopEgress} is its event loop's. Nothing is written by both: bytes go to a loop as
 * records on its {@link HandoffRing}, and what a loop knows comes back as counters it alone writes (bytes written,
 * bytes queued in Netty, congested clients, stalls, cut-offs), which the pipeline sums over its loops.
 * <p>
 * Flow control: a client whose Netty outbound buffer passes its high-water mark is "congested"; after a
 * hand-off the pipeline thread waits until no client is congested. The ring then fills and the event sources
 * are paused, so a fast source can not outrun the clients. A congested client stops being waited for ("slow") as
 * soon as it drains nothing for {@code clientStallMillis}, or after {@code slowClientGraceMillis} in all: a client
 * that reads slowly keeps the stream at its pace for a while, one that does not read at all costs everyone only
 * the stall time. See {@link CongestionWatch}.
 * <p>
 * Budgets: one client's backlog past {@code maxOutboundBytes} cuts it off; all clients' backlogs together past
 * {@code maxTotalOutboundBytes} cut off the largest backlogs first ({@link #enforceTotalBudget()}). A direct buffer
 * that still can not be had cuts off the one client it was for; the event goes on to everyone else.
 */
public final class Egress implements EgressListener {
    private static final Logger LOG = LoggerFactory.getLogger(Egress.class);
    private static final long PARK_NANOS = 20_000;
    /** An early hand-off waits until it carries at least this much per connection on average. */
    static final int MIN_BYTES_PER_SESSION = 4096;
    /** Hand-off records one loop may have outstanding; the pipeline waits when its loop is that far behind. */
    static final int RING_CAPACITY = 8192;
    private static final short CRLF = ('\r' << 8) | '\n';

    private final long maxOutboundBytes;
    private final long maxTotalOutboundBytes;
    /** The pipeline shares a thread with the sockets: it is held back between tasks, never parked (see holdsBack). */
    private final boolean pipelineOnEventLoop;
    private final long handoffBytes;
    final long slowClientGraceMillis;
    final long clientStallMillis;
    private final int ringCapacity;
    /** Most broadcast bytes one hand-off keeps shared; past that, broadcasts are copied per client as other notifications. */
    private final int sharedCapacity;
    private final ByteBufAllocator allocator;
    /** One hand-off per event loop, made by the loop's first connection (any loop thread; observers read it). */
    private final ConcurrentHashMap<EventLoop, LoopHandoff> loops = new ConcurrentHashMap<>();
    /** The pipeline thread, bound on first use: checked by assertions only. */
    private final AtomicReference<Thread> pipelineThread = new AtomicReference<>();

    // ---- the pipeline thread's (counters published for observers) ----
    private final Counter congestionWaits = new Counter();
    private final Counter budgetCutOffs = new Counter();
    private final Counter cutOffs = new Counter();
    private final RateLimitedLog cutOffLog = new RateLimitedLog(LOG, 1000);
    private long bytesSinceHandoff;
    private long lastHandoffBytes;
    /** Set once by the thread that stops the pipeline (read here): congested clients are no longer waited for. */
    private volatile boolean stopping;
    /** The last {@link #holdsBack()} said yes: a wait in progress, counted once. */
    private boolean heldBack;
    /**
     * This hand-off's broadcast bytes, kept once for every session that gets them (a session then stages a slice,
     * not a copy: with thousands of clients a broadcast costs its bytes once, not once per client). Written only
     * here, between hand-offs; the loops read it through the slices they are given, which hold it until written.
     */
    private ByteBuf shared;
    /** This event's broadcast bytes in {@link #shared}, from its first recipient on; -1: none yet this event. */
    private int broadcastStart = -1;
    private ChannelSession[] dirty = new ChannelSession[256];
    private int dirtyCount;
    /** Loops with records staged since the last hand-off. */
    private LoopHandoff[] touched = new LoopHandoff[8];
    private int touchedCount;
    /** Loops handed off to at least once: whose counters make up the totals. */
    private LoopHandoff[] known = new LoopHandoff[8];
    private int knownCount;
    /** Sessions that have had output, so the budget can find the largest backlogs without a table scan. */
    private ChannelSession[] tracked = new ChannelSession[256];
    private int trackedCount;
    /** Sessions this thread cut off whose loops have not yet released what they held. */
    private ChannelSession[] releasing = new ChannelSession[16];
    private int releasingCount;

    /**
     * @param maxOutboundBytes      per-client backlog past which a slow client is cut off
     * @param maxTotalOutboundBytes all clients' backlogs together past which the largest are cut off
     * @param handoffBytes          output after which a batch is handed off early (and flow control applied)
     * @param slowClientGraceMillis longest the pipeline waits for one congested client
     * @param clientStallMillis     how long a congested client may drain nothing before it is no longer waited for
     */
    public Egress(long maxOutboundBytes, long maxTotalOutboundBytes, long handoffBytes, long slowClientGraceMillis,
                  long clientStallMillis, ByteBufAllocator allocator) {
        this(maxOutboundBytes, maxTotalOutboundBytes, handoffBytes, slowClientGraceMillis, clientStallMillis, allocator,
            RING_CAPACITY);
    }

    /**
     * @param pipelineOnEventLoop the pipeline runs on an event loop ({@code --pipeline-thread event-loop}): it must
     *                            never wait for clients, so it asks {@link #holdsBack()} before it takes more input
     */
    public Egress(long maxOutboundBytes, long maxTotalOutboundBytes, long handoffBytes, long slowClientGraceMillis,
                  long clientStallMillis, ByteBufAllocator allocator, boolean pipelineOnEventLoop) {
        this(maxOutboundBytes, maxTotalOutboundBytes, handoffBytes, slowClientGraceMillis, clientStallMillis, allocator,
            RING_CAPACITY, pipelineOnEventLoop);
    }

    Egress(long maxOutboundBytes, long maxTotalOutboundBytes, long handoffBytes, long slowClientGraceMillis,
           long clientStallMillis, ByteBufAllocator allocator, int ringCapacity) {
        this(maxOutboundBytes, maxTotalOutboundBytes, handoffBytes, slowClientGraceMillis, clientStallMillis, allocator,
            ringCapacity, false);
    }

    Egress(long maxOutboundBytes, long maxTotalOutboundBytes, long handoffBytes, long slowClientGraceMillis,
           long clientStallMillis, ByteBufAllocator allocator, int ringCapacity, boolean pipelineOnEventLoop) {
        this.pipelineOnEventLoop = pipelineOnEventLoop;
        this.maxOutboundBytes = maxOutboundBytes;
        this.maxTotalOutboundBytes = Math.max(maxTotalOutboundBytes, maxOutboundBytes);
        this.handoffBytes = handoffBytes;
        this.slowClientGraceMillis = slowClientGraceMillis;
        this.clientStallMillis = clientStallMillis;
        this.allocator = allocator;
        this.ringCapacity = ringCapacity;
        // An early hand-off comes after handoffBytes, or MIN_BYTES_PER_SESSION a client, so this rarely runs out.
        this.sharedCapacity = (int) Math.min(1 << 30, Math.max(handoffBytes, 64 * 1024));
    }

    /** Event loop thread of the channel, once per connection. */
    public ChannelSession newSession(long userId, Channel channel) {
        final LoopHandoff handoff = loops.computeIfAbsent(channel.eventLoop(),
            l -> new LoopHandoff(new LoopEgress(l, this, ringCapacity), pipelineOnEventLoop));
        return new ChannelSession(new Connection(userId, channel, handoff.loop), handoff, this);
    }

    long maxOutboundBytes() {
        return maxOutboundBytes;
    }

    /** For assertions: true on the pipeline thread (the first thread that asks is taken to be it). */
    boolean onPipelineThread() {
        final Thread current = Thread.currentThread();
        final Thread bound = pipelineThread.compareAndExchange(null, current);
        return bound == null || bound == current;
    }

    // ---- pipeline thread ----

    /** A buffer for the session's notifications of this batch, or null (the session is then cut off). */
    ByteBuf allocate(ChannelSession s, int sizeHint) {
        try {
            return allocator.directBuffer(sizeHint);
        } catch (OutOfMemoryError e) {
            onOutOfDirectMemory(s, e);
            return null;
        }
    }

    /** Appends {@code payload} and CRLF, counts it towards the early hand-off, and applies the per-client bound. */
    void append(ChannelSession s, ByteBuf buf, byte[] payload, int offset, int length) {
        try {
            buf.writeBytes(payload, offset, length).writeShort(CRLF);
        } catch (OutOfMemoryError e) {
            onOutOfDirectMemory(s, e);
            return;
        }
        appended(s, length + 2, buf.readableBytes());
    }

    /**
     * Direct memory ran out (the budget is set below the limit, so this means it is set too high, or something
     * else took the memory): this one client loses its connection; the pipeline and everyone else go on. Any other
     * {@link OutOfMemoryError} (the heap) is rethrown: it is fatal.
     */
    private void onOutOfDirectMemory(ChannelSession s, OutOfMemoryError e) {
        if (!DirectMemory.isDirectMemoryError(e)) {
            throw e;
        }
        cutOff(s, s.backlogBytes(), "out of direct memory: " + e.getMessage());
    }

    /**
     * Where this event's broadcast bytes ({@code payload} and CRLF) are in this hand-off's shared buffer: the first
     * recipient of the event appends them, the rest find them there. Which event it is comes from
     * {@link #onEventRouted()}, which the pipeline calls after every event (and before every hand-off).
     *
     * @return their start in the shared buffer (they take {@code length + 2} bytes), or -1 if they do not fit or
     *     there is no direct memory for them: the caller then copies them as it does other notifications
     */
    int sharedBroadcast(byte[] payload, int offset, int length) {
        if (broadcastStart >= 0) {
            return broadcastStart;
        }
        try {
            if (shared == null) {
                shared = allocator.directBuffer(Math.min(sharedCapacity, 4096), sharedCapacity);
            }
            if (shared.maxWritableBytes() < length + 2) {
                return -1;
            }
            shared.ensureWritable(length + 2);
        } catch (OutOfMemoryError e) {
            if (!DirectMemory.isDirectMemoryError(e)) {
                throw e;
            }
            return -1;
        }
        broadcastStart = shared.writerIndex();
        shared.writeBytes(payload, offset, length).writeShort(CRLF);
        return broadcastStart;
    }

    /** A retained slice of this hand-off's shared bytes, for one session's hand-off. */
    ByteBuf sharedSlice(int from, int length) {
        return shared.retainedSlice(from, length);
    }

    /** Copies shared bytes into a session's own buffer (it got a notification that is not in the shared run). */
    void copyShared(ByteBuf to, int from, int length) {
        to.writeBytes(shared, from, length);
    }

    /**
     * A session's batch grew by {@code length} bytes (copied, or taken from the shared buffer) to {@code batchBytes}:
     * counts them towards the early hand-off and applies the per-client bound.
     */
    void appended(ChannelSession s, int length, int batchBytes) {
        bytesSinceHandoff += length;
        if (batchBytes > maxOutboundBytes) {
            cutOff(s, batchBytes, "its undelivered notifications in one batch");
        }
    }

    void markDirty(ChannelSession s) {
        if (dirtyCount == dirty.length) {
            dirty = Arrays.copyOf(dirty, dirtyCount * 2);
        }
        dirty[dirtyCount++] = s;
        if (s.trackedIndex() < 0) {
            track(s);
        }
    }

    private void track(ChannelSession s) {
        if (trackedCount == tracked.length) {
            tracked = Arrays.copyOf(tracked, trackedCount * 2);
        }
        s.trackedAt(trackedCount);
        tracked[trackedCount++] = s;
        final LoopHandoff loop = s.handoff();
        if (loop.firstUse()) {
            if (knownCount == known.length) {
                known = Arrays.copyOf(known, knownCount * 2);
            }
            known[knownCount++] = loop;
        }
    }

    /** Pipeline thread: the session left the table or was cut off. */
    void untrack(ChannelSession s) {
        final int i = s.trackedIndex();
        if (i < 0) {
            return;
        }
        final ChannelSession last = tracked[--trackedCount];
        tracked[trackedCount] = null;
        if (last != s) {
            tracked[i] = last;
            last.trackedAt(i);
        }
        s.trackedAt(-1);
    }

    /** Mid-batch: a large fan-out is handed off (and paced) before the batch ends. */
    @Override
    public void onEventRouted() {
        broadcastStart = -1;
        if (bytesSinceHandoff >= handoffBytes && bytesSinceHandoff >= (long) dirtyCount * MIN_BYTES_PER_SESSION) {
            handOffAndPace();
        }
    }

    @Override
    public void onBatchEnd() {
        broadcastStart = -1;
        handOffAndPace();
    }

    /** Hands off what this batch produced so far, keeps the total budget, and waits while clients must catch up. */
    private void handOffAndPace() {
        assert onPipelineThread();
        cutOffLog.flushIfDue();
        handOff();
        enforceTotalBudget();
        if (pipelineOnEventLoop) {
            return; // it asks holdsBack() before it takes more input
        }
        if (mustWait()) {
            congestionWaits.increment();
            do {
                LockSupport.parkNanos(PARK_NANOS);
                enforceTotalBudget();
            } while (mustWait());
        }
    }

    /**
     * The pipeline on an event loop asks before each task: while this says yes it takes no input, the ring fills and
     * the sources pause, as when the pipeline thread waits in {@link #handOffAndPace()}.
     */
    @Override
    public boolean holdsBack() {
        assert onPipelineThread();
        enforceTotalBudget();
        final boolean wait = mustWait();
        if (wait && !heldBack) {
            congestionWaits.increment();
        }
        heldBack = wait;
        return wait;
    }

    /**
     * A client is above its high-water mark, the event loops are behind by more than two hand-offs, or clients
     * together hold more than the total budget.
     */
    private boolean mustWait() {
        long congested = 0;
        long notYetWritten = 0;
        for (int i = 0; i < knownCount; i++) {
            congested += known[i].loop.congestedClients.get();
            notYetWritten += known[i].notYetWritten();
        }
        return (congested > 0 && !stopping) || notYetWritten > 2 * Math.max(handoffBytes, lastHandoffBytes)
            || totalBacklog() > maxTotalOutboundBytes;
    }

    private void handOff() {
        bytesSinceHandoff = 0;
        long handedOff = 0;
        for (int i = 0; i < dirtyCount; i++) {
            final ChannelSession s = dirty[i];
            dirty[i] = null;
            if (s.isCutOff() || !s.isRegistered()) {
                s.discardBatch();
                continue;
            }
            final long backlog = s.backlogBytes();
            if (backlog > maxOutboundBytes) {
                cutOff(s, backlog, "bytes not yet written to its socket");
                s.discardBatch();
                continue;
            }
            final ByteBuf buf = s.takeFilling();
            handedOff += buf.readableBytes();
            final LoopHandoff loop = s.handoff();
            if (loop.stage(s.connection(), buf)) {
                if (touchedCount == touched.length) {
                    touched = Arrays.copyOf(touched, touchedCount * 2);
                }
                touched[touchedCount++] = loop;
            }
        }
        dirtyCount = 0;
        lastHandoffBytes = handedOff;
        if (shared != null) {
            assert broadcastStart < 0 : "a hand-off in the middle of an event";
            shared.release(); // the slices handed off hold it until the loops have written them
            shared = null;
        }
        for (int i = 0; i < touchedCount; i++) {
            touched[i].publish();
            touched[i] = null;
        }
        touchedCount = 0;
    }

    /** Bytes held for all clients: handed to loops, queued in Netty, minus what cut-off clients are releasing. */
    long totalBacklog() {
        long releasingBytes = 0;
        for (int i = 0; i < releasingCount; ) {
            final ChannelSession s = releasing[i];
            if (s.connection().closed()) {
                releasing[i] = releasing[--releasingCount];
                releasing[releasingCount] = null;
                continue;
            }
            releasingBytes += s.inFlightBytes() + s.connection().queuedInNetty();
            i++;
        }
        long held = 0;
        for (int i = 0; i < knownCount; i++) {
            held += known[i].notYetWritten() + known[i].loop.queuedInNetty();
        }
        return held - releasingBytes;
    }

    /**
     * Once per hand-off (and while the pipeline waits): keeps what clients hold within the total budget.
     * <p>
     * Over budget, clients nobody waits for (they drain nothing: {@link Connection#slow()}) are cut off, largest
     * backlog first, until the rest fit in 7/8 of the budget. Bytes held by clients that are keeping up are not
     * a reason to cut anyone off: {@link #mustWait()} holds the stream back until they drain (backpressure). The
     * process's real direct memory is watched too, since buffers hold more than the bytes counted (capacity,
     * allocator chunks, read buffers): past 3/4 of the direct-memory limit the same victims are cut, so that an
     * allocation never fails. While earlier victims are still releasing, nobody else is cut: their memory is about
     * to come back. The scan runs only under pressure, which a healthy server never is.
     */
    private void enforceTotalBudget() {
        final long counted = totalBacklog(); // also forgets victims whose loops have released what they held
        if (releasingCount > 0) {
            return;
        }
        final long direct = DirectMemory.used();
        final long directDanger = DirectMemory.max() / 4 * 3;
        if (counted <= maxTotalOutboundBytes && direct <= directDanger) {
            return;
        }
        final long target = maxTotalOutboundBytes - maxTotalOutboundBytes / 8;
        long toFree = Math.max(counted - target, direct - (directDanger - maxTotalOutboundBytes / 8));
        while (toFree > 0) {
            final ChannelSession victim = largestSlowBacklog();
            if (victim == null) {
                return; // the rest is held by clients that are draining (or is not ours): wait, do not cut
            }
            final long backlog = victim.backlogBytes();
            budgetCutOffs.increment();
            cutOff(victim, backlog, "it drains nothing and holds the largest backlog while clients hold " + counted
                + " bytes (budget " + maxTotalOutboundBytes + ", --max-total-outbound-bytes) and the process "
                + direct + " bytes of direct memory");
            toFree -= backlog;
        }
    }

    private ChannelSession largestSlowBacklog() {
        ChannelSession largest = null;
        long largestBacklog = 0;
        for (int i = 0; i < trackedCount; i++) {
            final ChannelSession s = tracked[i];
            final long b = s.backlogBytes();
            if (b > largestBacklog && s.connection().slow() && !s.isCutOff()) {
                largest = s;
                largestBacklog = b;
            }
        }
        return largest;
    }

    /** Pipeline thread: the client is not keeping up; stop producing for it and close it. */
    void cutOff(ChannelSession s, long backlog, String what) {
        if (!s.markCutOff()) {
            return;
        }
        untrack(s);
        if (releasingCount == releasing.length) {
            releasing = Arrays.copyOf(releasing, releasingCount * 2);
        }
        releasing[releasingCount++] = s;
        cutOffs.increment();
        cutOffLog.warn("Cutting off client {}: {}", s.describe(), backlog + " bytes: " + what);
        s.channel().close();
    }

    /** The stopping thread: the drain at a stop has waited long enough for congested clients. */
    @Override
    public void stopWaitingForCongestedClients() {
        stopping = true;
    }

    // ---- event loop threads ----

    /** Event loop thread: Netty reports a change of the client's writability (high/low-water marks). */
    public void onWritabilityChanged(ChannelSession s, boolean writable) {
        final Connection c = s.connection();
        c.loop.congestion().onWritabilityChanged(c, writable);
    }

    /** Event loop thread: the connection closed; Netty has released its outbound buffer. */
    public void onClosed(ChannelSession s) {
        final Connection c = s.connection();
        c.loop.onClosed(c);
    }

    // ---- observation (any thread) ----

    // Sums over every loop's counters (not the pipeline's list of loops: that one is the pipeline thread's).

    /** Clients cut off: by the pipeline (backlog, total budget, no direct memory) or by their loop (queued bytes). */
    public long slowConsumersCutOff() {
        long n = cutOffs.get();
        for (LoopHandoff l : loops.values()) {
            n += l.loop.cutOffs();
        }
        return n;
    }

    /** Clients cut off because all clients together held more than the total budget. */
    public long budgetCutOffs() {
        return budgetCutOffs.get();
    }

    /** Congested clients that drained nothing for the stall time (or stayed congested past the grace period). */
    public long clientsStalled() {
        long n = 0;
        for (LoopHandoff l : loops.values()) {
            n += l.loop.clientsStalled.get();
        }
        return n;
    }

    /** Clients above their high-water mark that the pipeline is waiting for right now. */
    public int congestedClients() {
        long n = 0;
        for (LoopHandoff l : loops.values()) {
            n += l.loop.congestedClients.get();
        }
        return (int) n;
    }

    /** Times the pipeline thread waited for congested clients. */
    public long congestionWaits() {
        return congestionWaits.get();
    }

    /** Bytes held for clients now (handed to event loops or queued in Netty); at most about the total budget. */
    public long outboundBytes() {
        long n = 0;
        for (LoopHandoff l : loops.values()) {
            n += l.notYetWritten() + l.loop.queuedInNetty();
        }
        return n;
    }

    public long maxTotalOutboundBytes() {
        return maxTotalOutboundBytes;
    }
}
