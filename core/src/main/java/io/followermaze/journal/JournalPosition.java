package io.followermaze.journal;

/**
 * A place in the journal: the byte {@code offset} within segment {@code segmentIndex} where a record starts (or where
 * the next one will), and {@code record}, how many records come before it in the whole journal. A snapshot records
 * the position up to which it has applied the journal; recovery replays from such a position.
 */
public record JournalPosition(long segmentIndex, long offset, long record) {
    @Override
    public String toString() {
        return "segment " + segmentIndex + " offset " + offset + " (record " + record + ")";
    }
}
