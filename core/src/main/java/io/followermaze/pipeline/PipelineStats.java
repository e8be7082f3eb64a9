package io.followermaze.pipeline;

import io.followermaze.graph.FollowerGraph;
import io.followermaze.graph.FollowerGraph.FollowResult;
import io.followermaze.metrics.Counter;
import io.followermaze.protocol.ParseOutcome;
import io.followermaze.resequencer.Resequencer;
import io.followermaze.router.Router;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * A read-only view of every statistic the pipeline keeps, and the one place that knows them all: each is listed once
 * in {@link #all()} with its metric name, help and kind, so that an exporter binds them in a loop and a new counter
 * shows up on {@code /metrics} by being added here. The counters themselves stay with the code that writes them (one
 * writer thread each: the pipeline's); reads from any thread see recent values, not one atomic snapshot.
 */
public final class PipelineStats {

    /** Prometheus semantics: a counter only grows; a gauge goes up and down. */
    public enum Kind { COUNTER, GAUGE }

    /**
     * One statistic.
     *
     * @param tag {@code null}, or {@code "key=value"} telling apart statistics that share a name (e.g. by reason)
     */
    public record Stat(String name, String help, Kind kind, String tag, DoubleSupplier value) {
    }

    private final Counter linesReceived;
    private final Counter[] rejected;
    private final Counter registrations;
    private final Counter connectedSessions;
    private final Counter batches;
    private final Counter entries;
    private final Counter processorExceptions;
    private final Resequencer resequencer;
    private final FollowerGraph graph;
    private final Router router;
    private final List<Stat> all;

    PipelineStats(SequenceRouteStage stage, Pipeline ring) {
        this.linesReceived = stage.linesReceived;
        this.rejected = stage.rejected.clone();
        this.registrations = stage.registrations;
        this.connectedSessions = stage.connectedSessions;
        this.batches = stage.batches;
        this.entries = stage.entries;
        this.processorExceptions = stage.processorExceptions;
        this.resequencer = stage.resequencer();
        this.graph = stage.graph();
        this.router = stage.router();
        this.all = Collections.unmodifiableList(list(stage, ring));
    }

    private List<Stat> list(SequenceRouteStage stage, Pipeline ring) {
        final List<Stat> s = new ArrayList<>();
        counter(s, "followermaze.events.received", "Event lines that reached the pipeline", null, linesReceived::get);
        counter(s, "followermaze.events.parsed", "Event lines accepted (received minus rejected)", null,
            this::linesAccepted);
        for (ParseOutcome reason : ParseOutcome.values()) {
            if (reason != ParseOutcome.ACCEPTED) {
                counter(s, "followermaze.events.rejected", "Event lines dropped, by reason (malformed, too long, "
                    + "truncated, seq too far ahead)", "reason=" + reason.metricName(), () -> rejected(reason));
            }
        }
        counter(s, "followermaze.events.released", "Events released in sequence order", null, this::released);
        for (FollowResult reason : new FollowResult[] {FollowResult.REJECTED_MAX_USERS, FollowResult.REJECTED_MAX_FOLLOWS}) {
            counter(s, "followermaze.follows.rejected", "Follows not stored in the graph (still released and "
                + "delivered), by budget", "reason=" + reason.metricName(), () -> followsRejected(reason));
        }
        counter(s, "followermaze.events.duplicates", "Duplicate or late events dropped", null, this::duplicatesDropped);
        counter(s, "followermaze.gaps.skipped", "Gaps in the sequence given up on", null, this::gapsSkipped);
        counter(s, "followermaze.gaps.skipped.seqs", "Sequence numbers skipped over", null, this::seqsSkipped);
        counter(s, "followermaze.notifications.sent", "Notifications handed to client connections", null,
            this::notificationsDelivered);
        counter(s, "followermaze.notifications.dropped", "Notifications for users not connected", null,
            this::notificationsUndeliverable);
        counter(s, "followermaze.pipeline.batches", "Disruptor batches processed", null, this::batches);
        counter(s, "followermaze.pipeline.entries", "Ring entries processed (batches / entries = mean batch size)",
            null, this::ringEntries);
        counter(s, "followermaze.pipeline.exceptions", "Failures inside the pipeline (logged, survived)", null,
            this::processorExceptions);
        gauge(s, "followermaze.clients.connected", "Client connections registered", this::connectedSessions);
        gauge(s, "followermaze.graph.users", "Users in the follow graph (bounded by max-users)", this::graphUsers);
        gauge(s, "followermaze.graph.follows", "Follow edges in the graph (bounded by max-follows)", this::graphFollows);
        gauge(s, "followermaze.resequencer.pending", "Events held back waiting for an earlier seq", this::pending);
        gauge(s, "followermaze.resequencer.next", "Next sequence number awaited (2^63 once 2^63-1 is released)",
            this::nextSeqExpected);
        gauge(s, "followermaze.ring.remaining", "Free ingress ring entries", ring::ringRemainingCapacity);
        final SnapshotSchedule snapshots = stage.snapshotSchedule();
        if (snapshots != null) {
            counter(s, "followermaze.snapshots.taken", "Snapshots captured (written by the snapshot thread)", null,
                snapshots.taken::get);
            gauge(s, "followermaze.snapshot.pause.last.micros", "The pipeline's pause for the last snapshot's capture",
                snapshots.lastPauseMicros::get);
            gauge(s, "followermaze.snapshot.pause.max.micros", "The pipeline's longest pause for a snapshot's capture",
                snapshots.maxPauseMicros::get);
        }
        return s;
    }

    private static void counter(List<Stat> s, String name, String help, String tag, DoubleSupplier value) {
        s.add(new Stat(name, help, Kind.COUNTER, tag, value));
    }

    private static void gauge(List<Stat> s, String name, String help, DoubleSupplier value) {
        s.add(new Stat(name, help, Kind.GAUGE, null, value));
    }

    /** Every statistic, in a stable order. */
    public List<Stat> all() {
        return all;
    }

    public long linesReceived() {
        return linesReceived.get();
    }

    /**
     * Lines received and not rejected. Rejected is read first: a line is counted as received before it can be
     * rejected, so the difference never goes negative (a Prometheus counter must not).
     */
    public long linesAccepted() {
        final long rejected = rejectedTotal();
        return linesReceived() - rejected;
    }

    /** Lines dropped for {@code reason}; every rejected line is counted here, on the pipeline thread, once. */
    public long rejected(ParseOutcome reason) {
        return rejected[reason.ordinal()].get();
    }

    public long rejectedTotal() {
        long sum = 0;
        for (Counter c : rejected) {
            sum += c.get();
        }
        return sum;
    }

    public long released() {
        return resequencer.releasedCount().get();
    }

    /**
     * Last seq released in order or skipped over (0 before the first); at most 2^63-1, never wraps. Every seq up to
     * it was either released or skipped, so it is their sum (read skipped after released: a value between the
     * cursor's at the two reads).
     */
    public long lastReleasedSeq() {
        final long released = released();
        return released + resequencer.seqsSkipped().get();
    }

    /**
     * The next seq awaited, {@link #lastReleasedSeq()} + 1, as a double: after seq 2^63-1 it is 2^63 (nothing can
     * follow; every later seq is late), where a long would wrap to a negative.
     */
    public double nextSeqExpected() {
        return lastReleasedSeq() + 1.0;
    }

    public long duplicatesDropped() {
        return resequencer.duplicatesDropped().get();
    }

    public long gapsSkipped() {
        return resequencer.gapsSkipped().get();
    }

    public long seqsSkipped() {
        return resequencer.seqsSkipped().get();
    }

    public long pending() {
        return resequencer.pendingGauge().get();
    }

    /** Users in the follow graph (at most {@code maxUsers}; connection-only records are not counted). */
    public long graphUsers() {
        return graph.usersGauge().get();
    }

    /** Follow edges in the graph (at most {@code maxFollows}). */
    public long graphFollows() {
        return graph.edgesGauge().get();
    }

    /**
     * Follows the graph's budget refused (still released and delivered; only the edge is not stored).
     *
     * @param reason {@link FollowResult#REJECTED_MAX_USERS} or {@code REJECTED_MAX_FOLLOWS}
     */
    public long followsRejected(FollowResult reason) {
        return graph.rejected(reason).get();
    }

    public long notificationsDelivered() {
        return router.notificationsDelivered().get();
    }

    public long notificationsUndeliverable() {
        return router.notificationsUndeliverable().get();
    }

    public long registrations() {
        return registrations.get();
    }

    /** Client connections in the session table now. */
    public long connectedSessions() {
        return connectedSessions.get();
    }

    /** Disruptor batches processed; {@link #ringEntries()} / batches is the mean batch size. */
    public long batches() {
        return batches.get();
    }

    /** Ring entries processed (chunks of event lines and registrations). */
    public long ringEntries() {
        return entries.get();
    }

    public long processorExceptions() {
        return processorExceptions.get();
    }
}
