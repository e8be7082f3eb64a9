package io.followermaze.pipeline;

import io.followermaze.snapshot.Snapshot;
import io.followermaze.snapshot.SnapshotFile;
import io.followermaze.snapshot.SnapshotStore;
import io.followermaze.snapshot.SnapshotWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotScheduleTest {
    @TempDir
    Path dir;

    /**
     * Snapshots come every N released events, at batch ends, carrying the journal position stamped on the last entry
     * taken; one more comes at shutdown.
     */
    @Test
    void everyNReleasedEventsAndAtShutdownWithTheJournalPositionOfTheLastEntryTaken() throws Exception {
        final List<Snapshot> written = new CopyOnWriteArrayList<>();
        final SnapshotStore store = new SnapshotStore(dir);
        final SequenceRouteStage stage = new SequenceRouteStage(PipelineTest.SMALL, EgressListener.NONE);
        try (SnapshotWriter writer = new SnapshotWriter(store, (s, fallback) -> written.add(copy(s)))) {
            stage.snapshotEvery(100, writer, 0, 48, 0);
            final IngressEntry entry = new IngressEntry(PipelineTest.SMALL.chunkBytes());
            long seq = 1;
            for (int record = 1; record <= 35; record++) { // entries of 10 events: one snapshot per 100 events
                final StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 10; i++) {
                    sb.append(seq++).append("|B\n");
                }
                final byte[] b = sb.toString().getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(b, 0, entry.bytes(), 0, b.length);
                entry.eventLines(b.length);
                entry.journaled(0, 48 + record * 1000L, record);
                stage.onEvent(entry, record, true);
                while (writer.tryBegin() == null) {
                    Thread.onSpinWait(); // let each snapshot be written before the next is due, so none is deferred
                }
            }
            stage.onShutdown();
            stage.onShutdown(); // nothing new: no second shutdown snapshot
        }
        assertEquals(List.of(10L, 20L, 30L, 35L), written.stream().map(s -> s.journalRecord).toList());
        assertEquals(List.of(100L, 200L, 300L, 350L), written.stream().map(s -> s.cursor).toList());
        assertEquals(48 + 20 * 1000L, written.get(1).journalOffset);
        final Snapshot newest = new Snapshot();
        assertTrue(store.loadNewestGood(newest) != null);
        assertEquals(350, newest.cursor);
        assertEquals(4, stage.snapshotSchedule().taken.get());
    }

    private static Snapshot copy(Snapshot s) {
        final Snapshot c = new Snapshot();
        c.journalRecord = s.journalRecord;
        c.journalOffset = s.journalOffset;
        c.journalSegment = s.journalSegment;
        c.cursor = s.cursor;
        return c;
    }
}
