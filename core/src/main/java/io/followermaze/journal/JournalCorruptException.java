package io.followermaze.journal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The journal is damaged before its last record (a CRC mismatch or an impossible length in the middle, a bad segment
 * header, a missing segment): replaying past it would build a wrong state, so the server refuses to start. Names the
 * segment file and the offset of the first bad byte.
 */
public final class JournalCorruptException extends IOException {
    private final Path segment;
    private final long offset;

    public JournalCorruptException(Path segment, long offset, String problem) {
        super("journal damaged in " + segment + " at offset " + offset + ": " + problem
            + " (start with --journal-repair to truncate the journal there, dropping everything after it)");
        this.segment = segment;
        this.offset = offset;
    }

    public Path segment() {
        return segment;
    }

    public long offset() {
        return offset;
    }
}
