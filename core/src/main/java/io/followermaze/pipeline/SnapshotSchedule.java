package io.followermaze.pipeline;

import io.followermaze.metrics.Counter;
import io.followermaze.snapshot.Snapshot;
import io.followermaze.snapshot.SnapshotWriter;

/**
 * When the sequence-route stage takes a snapshot: every {@code every} released events (checked at batch ends, so the
 * state is between entries) and once more at a graceful shutdown. The stage pauses only for the capture
 * ({@link SequenceRouteStage#capture}); the {@link SnapshotWriter}'s thread writes it. The journal position stamped on
 * the last event-lines entry taken is where replay resumes after this snapshot. On a fan-out node the entries carry
 * log positions instead: the schedule keeps the next offset of every partition, and takes no snapshot while the last
 * entry taken is part of a record split over several entries (resuming at that record would apply its first part
 * twice). Owned by the pipeline thread.
 */
final class SnapshotSchedule {
    private static final long[] NO_OFFSETS = new long[0];
    private final SnapshotWriter writer;
    private final long every;
    private long releasedAtLast;
    /** The journal record of the last snapshot, or -1 before the first. */
    private long recordAtLast = -1;
    private long segment;
    private long offset;
    private long record;
    /** Fan-out node: the log's topic and the next offset of each partition; null with a journal. */
    private final String logTopic;
    private final long[] logOffsets;
    /** Fan-out node: the last entry taken was part of a record, not its end. */
    private boolean midRecord;
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
        this(writer, every, released, null, null);
        this.segment = startSegment;
        this.offset = startOffset;
        this.record = startRecord;
    }

    /**
     * A fan-out node's schedule.
     *
     * @param released   released events in the newest snapshot on disk (a long catch-up since then makes the first
     *                   batch end take one)
     * @param logOffsets the next offset of every partition where the stage stands now (after catch-up); copied
     */
    SnapshotSchedule(SnapshotWriter writer, long every, long released, String logTopic, long[] logOffsets) {
        if (every < 1) {
            throw new IllegalArgumentException("snapshot interval must be >= 1: " + every);
        }
        this.writer = writer;
        this.every = every;
        this.releasedAtLast = released;
        this.logTopic = logTopic;
        this.logOffsets = logOffsets == null ? null : logOffsets.clone();
        if (logOffsets != null) {
            for (long o : logOffsets) {
                record += o;
            }
        }
    }

    /** An event-lines entry was taken: its state will be in the next snapshot. */
    void taken(IngressEntry entry) {
        if (entry.journalSegment() >= 0) {
            segment = entry.journalSegment();
            offset = entry.journalOffset();
            record = entry.journalRecord();
        } else if (logOffsets != null) {
            final int partition = entry.logPartition();
            midRecord = partition == IngressEntry.MID_RECORD;
            if (partition >= 0 && partition < logOffsets.length) {
                record += entry.logNextOffset() - logOffsets[partition];
                logOffsets[partition] = entry.logNextOffset();
            }
        }
    }

    /** At a batch end: a snapshot if one is due and the writer is free (else at a later batch end). */
    void atBatchEnd(SequenceRouteStage stage, long released) {
        if (released - releasedAtLast >= every && !midRecord) {
            final Snapshot s = writer.tryBegin();
            if (s != null) {
                take(stage, s, released);
            }
        }
    }

    /** The pipeline stops after draining: one last snapshot, so a restart replays nothing. */
    void atShutdown(SequenceRouteStage stage, long released) {
        if (record == recordAtLast && released == releasedAtLast || midRecord) {
            return; // nothing since the last snapshot, or (stopped inside a record) no place to resume from
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
        s.logTopic = logTopic;
        if (logOffsets != null) {
            if (s.logOffsets.length != logOffsets.length) {
                s.logOffsets = new long[logOffsets.length]; // once: the buffer is reused
            }
            System.arraycopy(logOffsets, 0, s.logOffsets, 0, logOffsets.length);
        } else {
            s.logOffsets = NO_OFFSETS;
        }
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
