package io.followermaze.pipeline;

import io.followermaze.session.ClientSession;

/**
 * One preallocated ring entry, reused forever. It carries either a chunk of complete event lines from one
 * source read (arrival order) or a client registration change; keeping both in one ring is what makes a
 * registration take effect before every event that arrives after it.
 */
public final class IngressEntry {
    public enum Kind {
        EVENT_LINES, REGISTER, UNREGISTER,
        /**
         * Carries nothing: a tick that wakes the pipeline so that time-based checks (the gap timeout) run while idle,
         * or an entry whose producer failed to fill it.
         */
        EMPTY
    }

    private Kind kind;
    private final byte[] bytes;
    private int length;
    private ClientSession session;
    /** Where the journal stood after this entry (event lines only; -1 without a journal). Written by the journal stage. */
    private long journalSegment = -1;
    private long journalOffset;
    private long journalRecord;
    /**
     * Fan-out node: the log partition whose record this entry carries, {@link #NO_LOG} (not from the log) or
     * {@link #MID_RECORD} (a piece of a record split over several entries, not its last); written by the producer.
     */
    private int logPartition = NO_LOG;
    /** With {@code logPartition >= 0}: the offset of the next record in that partition. */
    private long logNextOffset;

    /** {@link #logPartition()} of an entry that does not come from the log. */
    public static final int NO_LOG = -1;
    /** {@link #logPartition()} of an entry that holds part of a log record, not its end: no snapshot may follow it. */
    public static final int MID_RECORD = -2;

    /** @param chunkCapacity bytes of event lines the entry can carry (the ring's chunk size) */
    public IngressEntry(int chunkCapacity) {
        this.bytes = new byte[chunkCapacity];
    }

    public Kind kind() {
        return kind;
    }

    /**
     * Chunk buffer to fill with whole lines, each ending in '\n'; see {@link #eventLines(int)}. Bytes after the last
     * '\n' are taken as a source's unfinished last line: dropped and counted as truncated, never parsed.
     */
    public byte[] bytes() {
        return bytes;
    }

    public int length() {
        return length;
    }

    public ClientSession session() {
        return session;
    }

    /** Marks the entry as {@code bytes()[0, length)} of complete lines. */
    public void eventLines(int length) {
        if (length < 0 || length > bytes.length) {
            throw new IllegalArgumentException("chunk length " + length + " outside 0.." + bytes.length);
        }
        this.kind = Kind.EVENT_LINES;
        this.length = length;
        this.session = null;
    }

    /**
     * Journal stage: the journal's position after this entry's record. Stages after it read the position (the
     * Disruptor's barrier orders the write before their read), so that a snapshot knows where its input ends.
     */
    public void journaled(long segment, long offset, long record) {
        this.journalSegment = segment;
        this.journalOffset = offset;
        this.journalRecord = record;
    }

    public long journalSegment() {
        return journalSegment;
    }

    public long journalOffset() {
        return journalOffset;
    }

    public long journalRecord() {
        return journalRecord;
    }

    /**
     * Fan-out node (the producer, before publishing): this entry ends the record at {@code nextOffset - 1} of log
     * partition {@code partition}, so that a snapshot taken after it resumes the partition at {@code nextOffset}.
     */
    public void logged(int partition, long nextOffset) {
        this.logPartition = partition;
        this.logNextOffset = nextOffset;
    }

    /** Fan-out node: this entry holds part of a record whose end comes in a later entry. */
    public void loggedPart() {
        this.logPartition = MID_RECORD;
    }

    public int logPartition() {
        return logPartition;
    }

    public long logNextOffset() {
        return logNextOffset;
    }

    /** Marks the entry as carrying nothing; every publish starts from here. */
    void clear() {
        this.kind = Kind.EMPTY;
        this.journalSegment = -1;
        this.logPartition = NO_LOG;
        this.length = 0;
        this.session = null;
    }

    /** Marks the entry as a registration change ({@link Kind#REGISTER} or {@link Kind#UNREGISTER}). */
    public void registration(Kind kind, ClientSession session) {
        this.kind = kind;
        this.length = 0;
        this.session = session;
    }
}
