package io.followermaze.snapshot;

import io.followermaze.graph.GraphImage;

import java.util.Arrays;

/**
 * The state a restart needs, captured at one point of the stream: where in the journal the input after it starts,
 * the resequencer's cursor with the counts that make it up, the events held back (as their verbatim lines, each
 * ending in '\n', so that they are restored by being offered again), and the follow graph. A fan-out node's snapshot
 * holds the next offset of every partition of its Kafka topic instead of a journal position. One instance is reused:
 * the pipeline thread fills it ({@code SequenceRouteStage.capture}), another thread writes it out.
 */
public final class Snapshot {
    /** Journal segment of the first entry after the snapshot. */
    public long journalSegment;
    /** Byte offset within that segment. */
    public long journalOffset;
    /**
     * Journal records before that position (a fan-out node: log records before {@link #logOffsets}, their sum):
     * snapshots are named and ordered by it.
     */
    public long journalRecord;
    /** A fan-out node's: the Kafka topic it reads; null for a journal's snapshot. */
    public String logTopic;
    /**
     * A fan-out node's: per partition (index = partition number), the offset of the first record not in the
     * snapshot, where that partition resumes; empty for a journal's snapshot.
     */
    public long[] logOffsets = new long[0];
    public long cursor;
    public long released;
    public long gapsSkipped;
    public long seqsSkipped;
    public final GraphImage graph = new GraphImage();
    private byte[] heldLines = new byte[4096];
    private int heldLength;
    private int heldCount;

    /** Empties the held lines (the rest is overwritten field by field). */
    public void clearHeld() {
        heldLength = 0;
        heldCount = 0;
    }

    /** Appends one held event's line; a '\n' is added. */
    public void addHeld(byte[] line, int offset, int length) {
        if (heldLength + length + 1 > heldLines.length) {
            heldLines = Arrays.copyOf(heldLines, Math.max(heldLines.length * 2, heldLength + length + 1));
        }
        System.arraycopy(line, offset, heldLines, heldLength, length);
        heldLength += length;
        heldLines[heldLength++] = '\n';
        heldCount++;
    }

    /** The held lines, {@code [0, heldLength())}. */
    public byte[] heldLines() {
        return heldLines;
    }

    public int heldLength() {
        return heldLength;
    }

    public int heldCount() {
        return heldCount;
    }

    @Override
    public String toString() {
        return "Snapshot{cursor=" + cursor + ", users=" + graph.userCount() + ", edges=" + graph.edgeCount()
            + ", held=" + heldCount + (logTopic == null ? ", journal=" + journalSegment + ":" + journalOffset
            : ", log=" + logTopic + " offsets " + Arrays.toString(logOffsets)) + "}";
    }
}
