package io.followermaze.pipeline;

import com.lmax.disruptor.EventHandler;
import io.followermaze.graph.FollowerGraph;
import io.followermaze.metrics.Counter;
import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;
import io.followermaze.protocol.ParseOutcome;
import io.followermaze.resequencer.Resequencer;
import io.followermaze.router.Router;
import io.followermaze.session.SessionTable;
import io.followermaze.snapshot.Snapshot;
import io.followermaze.snapshot.SnapshotWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The sequence-route stage ({@link PipelineTopology#SEQUENCE_ROUTE}): takes ring entries in arrival order, splits
 * event chunks into lines, parses them in place, feeds the {@link Resequencer} (which drives the router in seq
 * order), applies registrations through the {@link Router} (session table and connected-follower index), and tells
 * the {@link EgressListener} at the end of every Disruptor batch.
 * <p>
 * Everything it touches is owned by its thread, so the per-event path has no lock, no allocation, no log.
 */
public final class SequenceRouteStage implements EventHandler<IngressEntry> {
    private static final Logger LOG = LoggerFactory.getLogger(SequenceRouteStage.class);

    private final EventParser parser;
    private final Resequencer resequencer;
    private final Router router;
    private final SessionTable sessions = new SessionTable();
    private final FollowerGraph graph;
    /** The egress; {@link EgressListener#NONE} while {@link #replay} runs. */
    private EgressListener egress;
    private final Event parsed = new Event();
    private final RateLimitedLog rejectLog = new RateLimitedLog(LOG, 1000);
    private final RateLimitedLog gapLog = new RateLimitedLog(LOG, 1000);
    private final RateLimitedLog followLog = new RateLimitedLog(LOG, 1000);
    /** Counted down by {@link #onShutdown()}, on the pipeline thread. */
    private final CountDownLatch shutDown = new CountDownLatch(1);

    final Counter linesReceived = new Counter();
    final Counter[] rejected = new Counter[ParseOutcome.values().length];
    final Counter registrations = new Counter();
    final Counter connectedSessions = new Counter();
    final Counter batches = new Counter();
    final Counter entries = new Counter();
    final Counter processorExceptions = new Counter();

    private final long gapTimeoutNanos;
    private final int maxLineLength;
    /** The seq the stream was waiting for when the gap watch last looked, or -1. */
    private long watchedNext = -1;
    /** Set before the pipeline starts when snapshots are on; null otherwise. */
    private SnapshotSchedule snapshots;
    /** True once the pipeline has failed (an Error on any stage): its state is not snapshotted then. */
    private java.util.function.BooleanSupplier pipelineFailed = () -> false;
    private long watchedSinceNanos;

    /**
     * The whole stage for one thread: the {@link Pipeline} runs it on its Disruptor thread; benchmarks and tests
     * may drive {@link #onEvent} directly.
     */
    public SequenceRouteStage(PipelineConfig config, EgressListener egress) {
        this.parser = new EventParser(config.maxLineLength());
        this.graph = new FollowerGraph(config.maxUsers(), config.maxFollows());
        // The event is the flyweight, formatted only when a line actually goes out (appenders format on the logging
        // thread, within the call): a flood of refused follows costs a counter and a clock read each, no garbage.
        this.router = new Router(graph, sessions, (follow, reason) -> followLog.warn(
            "Follow not stored in the graph ({}), still delivered: {}", reason.description(), follow));
        this.egress = egress;
        this.resequencer = new Resequencer(config.windowSize(), config.maxPending(), config.maxSeqAhead(),
            this::routeThenTell,
            this::onGapSkipped);
        this.gapTimeoutNanos = config.gapTimeoutMillis() * 1_000_000L;
        this.maxLineLength = config.maxLineLength();
        for (int i = 0; i < rejected.length; i++) {
            rejected[i] = new Counter();
        }
    }

    /** A source can force a skip per line (seqs 2, 4, 6, ... past max-pending): at most one line a second. */
    private void onGapSkipped(long first, long last, String reason) {
        if (gapLog.allow()) {
            LOG.warn("Skipped missing seqs {}..{} ({} seqs): {} ({} more skips since the last such line)", first, last,
                last - first + 1, reason, gapLog.takeSuppressed());
        }
    }

    /**
     * Routes one in-order event, then lets the egress hand off early if the batch grew large. A failure (a
     * session's deliver threw) is logged and counted here, inside the resequencer's call: escaping would leave the
     * cursor on a consumed seq, stall the stream and drop the rest of the entry's lines. Recipients after the
     * failing one miss this one event.
     */
    private void routeThenTell(Event e) {
        try {
            router.onInOrder(e);
        } catch (RuntimeException ex) {
            processorExceptions.increment();
            LOG.error("Routing event {} failed; continuing with the next event", e, ex);
        }
        egress.onEventRouted();
    }

    public Resequencer resequencer() {
        return resequencer;
    }

    public Router router() {
        return router;
    }

    public FollowerGraph graph() {
        return graph;
    }

    /**
     * Takes a snapshot every {@code every} released events and at shutdown, written by {@code writer}; before the
     * pipeline starts (after recovery), with the journal position recovery ended at.
     */
    public void snapshotEvery(long every, SnapshotWriter writer, long journalSegment, long journalOffset,
                              long journalRecord) {
        this.snapshots = new SnapshotSchedule(writer, every, resequencer.releasedCount().get(), journalSegment,
            journalOffset, journalRecord);
    }

    /**
     * A fan-out node's snapshots: every {@code every} released events and at shutdown, each holding the next offset
     * of every partition of {@code logTopic}; before the pipeline starts (after catch-up).
     *
     * @param releasedInNewest released events in the newest snapshot on disk (0: none)
     * @param logOffsets       where each partition stands after catch-up
     */
    public void snapshotEvery(long every, SnapshotWriter writer, long releasedInNewest, String logTopic,
                              long[] logOffsets) {
        this.snapshots = new SnapshotSchedule(writer, every, releasedInNewest, logTopic, logOffsets);
    }

    /** Set by the pipeline before it starts. */
    void pipelineFailedWhen(java.util.function.BooleanSupplier failed) {
        this.pipelineFailed = failed;
    }

    /** Snapshot statistics, or null when snapshots are off. */
    SnapshotSchedule snapshotSchedule() {
        return snapshots;
    }

    /**
     * Copies what a restart needs into {@code snapshot} (the journal position is the caller's): the pause a snapshot
     * costs the stream is this copy. Pipeline thread.
     */
    public void capture(Snapshot snapshot) {
        snapshot.cursor = resequencer.lastReleased();
        snapshot.released = resequencer.releasedCount().get();
        snapshot.gapsSkipped = resequencer.gapsSkipped().get();
        snapshot.seqsSkipped = resequencer.seqsSkipped().get();
        graph.exportTo(snapshot.graph);
        snapshot.clearHeld();
        resequencer.forEachHeld(e -> snapshot.addHeld(e.payload, e.payloadOffset, e.payloadLength));
    }

    /**
     * Restores what {@link #capture} copied into this fresh stage, before any entry: the graph, the cursor, and the
     * held events (offered again, so held again). Runs on the thread that builds the pipeline, before it starts.
     */
    public void restore(Snapshot snapshot) {
        graph.importFrom(snapshot.graph);
        resequencer.restoreCursor(snapshot.cursor, snapshot.released, snapshot.gapsSkipped, snapshot.seqsSkipped);
        onLines(snapshot.heldLines(), 0, snapshot.heldLength());
    }

    @Override
    public void onEvent(IngressEntry entry, long sequence, boolean endOfBatch) {
        switch (entry.kind()) {
            case EVENT_LINES:
                onLines(entry.bytes(), 0, entry.length());
                if (snapshots != null) {
                    snapshots.taken(entry);
                }
                break;
            case REGISTER:
                router.register(entry.session());
                registrations.increment();
                connectedSessions.set(sessions.sessionCount());
                break;
            case UNREGISTER:
                router.unregister(entry.session());
                connectedSessions.set(sessions.sessionCount());
                break;
            case EMPTY:
                break;
            default:
                throw new IllegalStateException("unknown entry kind " + entry.kind());
        }
        entries.increment();
        if (endOfBatch) {
            if (gapTimeoutNanos > 0) {
                checkGapTimeout();
            }
            batches.increment();
            if (snapshots != null) {
                snapshots.atBatchEnd(this, resequencer.releasedCount().get());
            }
            rejectLog.flushIfDue();
            gapLog.flushIfDue();
            followLog.flushIfDue();
            egress.onBatchEnd();
        }
    }

    /**
     * Replays journaled event lines ({@code bytes[offset, offset + length)}, one ring entry's worth) through parse,
     * resequence and graph exactly as {@link #onEvent} would, but with the egress switched off: for recovery, on the
     * thread that builds the pipeline, before the pipeline starts (its start is the hand-over to the pipeline thread).
     * With no client registered, routing only counts undeliverable notifications.
     */
    public void replay(byte[] bytes, int offset, int length) {
        final EgressListener live = egress;
        egress = EgressListener.NONE;
        try {
            onLines(bytes, offset, length);
        } finally {
            egress = live;
        }
    }

    /** The pipeline stops: what the rate-limited logs still hold back goes out. */
    @Override
    public void onShutdown() {
        try {
            // The Disruptor runs onShutdown after a fatal Error too: half-applied state must not become a snapshot.
            if (snapshots != null) {
                if (!pipelineFailed.getAsBoolean()) {
                    snapshots.atShutdown(this, resequencer.releasedCount().get());
                }
                snapshots.closeWriter(); // the shutdown snapshot is on disk before the pipeline reports it has stopped
            }
            rejectLog.flush();
            gapLog.flush();
            followLog.flush();
        } finally {
            shutDown.countDown();
        }
    }

    /** Waits until {@link #onShutdown()} has run on the pipeline thread (it runs after the Disruptor's halt). */
    boolean awaitShutdown(long timeout, TimeUnit unit) throws InterruptedException {
        return shutDown.await(timeout, unit);
    }

    /**
     * Takes {@code bytes[offset, offset + length)} line by line ('\n'). Producers pass on whole lines; bytes after the last '\n'
     * are what a source left unfinished when it closed or the server shut down (see the server's event-source
     * handler). Such a fragment can not be told from a line that lost its end, so it is never parsed: it is
     * rejected as {@link ParseOutcome#TRUNCATED}, or as {@link ParseOutcome#LINE_TOO_LONG} when it is longer than
     * any line (the start of an over-long line, published so by {@link io.followermaze.ingress.LineFramer}). One check per
     * entry, not per line.
     */
    private void onLines(byte[] bytes, int offset, int length) {
        final int end = offset + length;
        int whole = end;
        if (end > offset && bytes[end - 1] != '\n') {
            whole = end - 1;
            while (whole > offset && bytes[whole - 1] != '\n') {
                whole--;
            }
        }
        int start = offset;
        while (start < whole) {
            // Received is counted before the line can be rejected, so received - rejected never reads negative.
            linesReceived.increment();
            final ParseOutcome outcome = parser.parseNextLine(bytes, start, whole, parsed);
            final int lineEnd = parser.lineEnd();
            if (outcome == ParseOutcome.ACCEPTED) {
                if (!resequencer.offer(parsed)) {
                    onRejected(ParseOutcome.SEQ_TOO_FAR_AHEAD, bytes, start, lineEnd);
                }
            } else {
                onRejected(outcome, bytes, start, lineEnd);
            }
            start = lineEnd + 1;
        }
        if (whole < end) {
            linesReceived.increment();
            // As the parser does, a trailing '\r' is not part of the line: a line of the limit cut after its '\r' is
            // truncated, not too long (the start of an over-long line is limit + 2 bytes, still too long without it).
            final int fragment = end - whole - (bytes[end - 1] == '\r' ? 1 : 0);
            onRejected(fragment > maxLineLength ? ParseOutcome.LINE_TOO_LONG : ParseOutcome.TRUNCATED,
                bytes, whole, end);
        }
    }

    /**
     * Once per batch (and per tick while idle): if the cursor has not moved for the gap timeout while later
     * events are held, give up on the missing seqs. Per batch, not per event: one clock read per batch.
     */
    private void checkGapTimeout() {
        if (resequencer.pending() == 0) {
            watchedNext = -1;
            return;
        }
        final long now = System.nanoTime();
        final long next = resequencer.nextExpected();
        if (next != watchedNext) {
            watchedNext = next;
            watchedSinceNanos = now;
        } else if (now - watchedSinceNanos >= gapTimeoutNanos) {
            resequencer.skipGap("gap timeout: no seq " + next + " for " + gapTimeoutNanos / 1_000_000 + " ms");
            watchedNext = -1;
        }
    }

    private void onRejected(ParseOutcome outcome, byte[] bytes, int start, int end) {
        rejected[outcome.ordinal()].increment();
        rejectLog.warn("Dropped event line ({}): '{}'", outcome.description(), Printable.excerpt(bytes, start, end));
    }
}
