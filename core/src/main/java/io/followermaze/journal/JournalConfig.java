package io.followermaze.journal;

import java.nio.file.Path;

/**
 * Where and how the input journal is kept. Immutable; off ({@link #enabled()} false) unless a directory is set.
 *
 * @param dir          the journal directory (created if missing); null: no journal
 * @param segmentBytes a segment is closed and the next one started before it would grow past this many bytes (a
 *                     record larger than a whole segment still gets a segment of its own)
 * @param fsync        when written bytes are forced to disk (see {@link FsyncPolicy})
 * @param repair       at start, truncate the journal at the first damaged record (and drop every later segment)
 *                     instead of refusing to start
 * @param snapshotEvery a snapshot every this many released events (and at a graceful shutdown); 0: none
 */
public record JournalConfig(Path dir, long segmentBytes, FsyncPolicy fsync, boolean repair, long snapshotEvery) {

    /** 64 MiB. */
    public static final long DEFAULT_SEGMENT_BYTES = 64L * 1024 * 1024;
    /** Forced once a second: a process crash loses nothing, an OS crash at most the last second. */
    public static final FsyncPolicy DEFAULT_FSYNC = FsyncPolicy.interval(1000);
    public static final boolean DEFAULT_REPAIR = false;
    /** Ten million released events between snapshots. */
    public static final long DEFAULT_SNAPSHOT_EVERY = 10_000_000;
    /** The smallest segment limit accepted (a header and a little more). */
    public static final long MIN_SEGMENT_BYTES = 4096;
    /** The largest segment limit accepted: offsets within a segment stay below 2^31. */
    public static final long MAX_SEGMENT_BYTES = 1L << 30;

    /** No journal. */
    public static final JournalConfig OFF = builder().build();

    public JournalConfig {
        if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("journal segment bytes must be " + MIN_SEGMENT_BYTES + ".."
                + MAX_SEGMENT_BYTES + ": " + segmentBytes);
        }
        if (snapshotEvery < 0) {
            throw new IllegalArgumentException("snapshot-every must be >= 0 (0: no snapshots): " + snapshotEvery);
        }
        if (fsync == null) {
            throw new IllegalArgumentException("journal fsync must be set");
        }
    }

    public boolean enabled() {
        return dir != null;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Mutable builder; starts from the defaults (no directory: off). */
    public static final class Builder {
        private Path dir;
        private long segmentBytes = DEFAULT_SEGMENT_BYTES;
        private FsyncPolicy fsync = DEFAULT_FSYNC;
        private boolean repair = DEFAULT_REPAIR;
        private long snapshotEvery = DEFAULT_SNAPSHOT_EVERY;

        private Builder() {
        }

        private Builder(JournalConfig c) {
            dir = c.dir;
            segmentBytes = c.segmentBytes;
            fsync = c.fsync;
            repair = c.repair;
            snapshotEvery = c.snapshotEvery;
        }

        public Builder dir(Path v) { dir = v; return this; }
        public Builder segmentBytes(long v) { segmentBytes = v; return this; }
        public Builder fsync(FsyncPolicy v) { fsync = v; return this; }
        public Builder repair(boolean v) { repair = v; return this; }
        public Builder snapshotEvery(long v) { snapshotEvery = v; return this; }

        public JournalConfig build() {
            return new JournalConfig(dir, segmentBytes, fsync, repair, snapshotEvery);
        }
    }
}
