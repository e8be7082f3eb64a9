package io.followermaze.pipeline;

import io.followermaze.metrics.Counter;
import io.followermaze.snapshot.Snapshot;
import io.followermaze.snapshot.SnapshotWriter;

/**
 * When the sequence-route stage takes a snapshot: every {@code every} released events (checked at batch ends, so the
 * state is between entries) and once more at a graceful shutdown. The stage pauses only for the capture
 * ({@link SequenceRouteStage#capture}); the {@link SnapshotWriter}'s thread writes it. The journal position stamped on
 * the last event-lines entry taken is where replay resumes after this snapshot. Owned by the pipeline thread.
 */
final class SnapshotSchedule {
    private final SnapshotWriter writer;
    private final long every;
    private long releasedAtLast;
    /** The journal record of the last snapshot, or -1 before the first. */
    private long recordAtLast = -1;
    private long segment;
    private long offset;
    private long record;
    /** Snapshots captured; written by the pipeline thread only. */
    final Counter taken = new Counter();
    /** The longest capture pause so far, microseconds; pipeline thread only. */
    final Counter maxPauseMicros = new Counter();
    /** The last capture pause, microseconds; pipeline thread only. */
    final Counter lastPauseMicros = new Counter();

    /**
     * @param start where the journal stood when the stage started (after recovery): the position of a snapshot taken
     *              before any new input
     */
    SnapshotSchedule(SnapshotWriter writer, long every, long released, long startSegment, long startOffset,
                     long startRecord) {
        if (every < 1) {
            throw new IllegalArgumentException("snapshot interval must be >= 1: " + every);
        }
        this.writer = writer;
        this.every = every;
        this.releasedAtLast = released;
        this.segment = startSegment;
        this.offset = startOffset;
        this.record = startRecord;
    }

    /** An event-lines entry was taken: its state will be in the next snapshot. */
    void taken(IngressEntry entry) {
        if (entry.journalSegment() >= 0) {
            segment = entry.journalSegment();
            offset = entry.journalOffset();
            record = entry.journalRecord();
        }
    }

    /** At a batch end: a snapshot if one is due and the writer is free (else at a later batch end). */
    void atBatchEnd(SequenceRouteStage stage, long released) {
        if (released - releasedAtLast >= every) {
            final Snapshot s = writer.tryBegin();
            if (s != null) {
                take(stage, s, released);
            }
        }
    }

    /** The pipeline stops after draining: one last snapshot, so a restart replays nothing. */
    void atShutdown(SequenceRouteStage stage, long released) {
        if (record == recordAtLast && released == releasedAtLast) {
            return; // nothing since the last snapshot
        }
        Snapshot s;
        while ((s = writer.tryBegin()) == null) {
            Thread.onSpinWait(); // the previous snapshot is still being written: shutdown may wait for it
        }
        take(stage, s, released);
    }

    /** Waits for the snapshot in flight and ends the writer's thread. */
    void closeWriter() {
        writer.close();
    }

    private void take(SequenceRouteStage stage, Snapshot s, long released) {
        final long started = System.nanoTime();
        stage.capture(s);
        s.journalSegment = segment;
        s.journalOffset = offset;
        s.journalRecord = record;
        final long micros = (System.nanoTime() - started) / 1_000;
        lastPauseMicros.set(micros);
        if (micros > maxPauseMicros.get()) {
            maxPauseMicros.set(micros);
        }
        taken.increment();
        releasedAtLast = released;
        recordAtLast = record;
        writer.submit();
    }
}
