package io.followermaze.snapshot;

import io.followermaze.graph.GraphImage;

import java.util.Arrays;

/**
 * The state a restart needs, captured at one point of the stream: where in the journal the input after it starts,
 * the resequencer's cursor with the counts that make it up, the events held back (as their verbatim lines, each
 * ending in '\n', so that they are restored by being offered again), and the follow graph. One instance is reused:
 * the pipeline thread fills it ({@code SequenceRouteStage.capture}), another thread writes it out.
 */
public final class Snapshot {
    /** Journal segment of the first entry after the snapshot. */
    public long journalSegment;
    /** Byte offset within that segment. */
    public long journalOffset;
    /** Journal records before that position: snapshots are named and ordered by it. */
    public long journalRecord;
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
            + ", held=" + heldCount + ", journal=" + journalSegment + ":" + journalOffset + "}";
    }
}
