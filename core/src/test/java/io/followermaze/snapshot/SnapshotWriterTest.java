package io.followermaze.snapshot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotWriterTest {
    @TempDir
    Path dir;

    @Test
    void snapshotsAreWrittenOffThePipelineThreadAndTheNewestTwoKept() throws Exception {
        final SnapshotStore store = new SnapshotStore(dir);
        final List<String> told = new CopyOnWriteArrayList<>();
        try (SnapshotWriter writer = new SnapshotWriter(store, (s, fallback) ->
            told.add(s.journalRecord + "/" + (fallback == null ? "-" : fallback.journalRecord)))) {
            for (long record = 100; record <= 300; record += 100) {
                Snapshot s;
                while ((s = writer.tryBegin()) == null) {
                    Thread.onSpinWait(); // the previous one is still being written
                }
                fill(s, record);
                writer.submit();
            }
            final long deadline = System.nanoTime() + 20_000_000_000L;
            while (writer.written() < 3 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(3, writer.written());
        }
        assertEquals(List.of("100/-", "200/100", "300/200"), told);
        assertEquals(List.of("snapshot-00000000000000000300.snap", "snapshot-00000000000000000200.snap"),
            store.newestFirst().stream().map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void aDamagedNewestSnapshotFallsBackToTheOneBefore() throws IOException {
        final SnapshotStore store = new SnapshotStore(dir);
        for (long record : new long[] {10, 20}) {
            final Snapshot s = new Snapshot();
            fill(s, record);
            SnapshotFile.write(s, store.pathFor(s));
        }
        final Path newest = store.newestFirst().get(0);
        final byte[] bytes = Files.readAllBytes(newest);
        bytes[40] ^= 1;
        Files.write(newest, bytes);
        final Snapshot into = new Snapshot();
        assertEquals(store.newestFirst().get(1), store.loadNewestGood(into));
        assertEquals(10, into.journalRecord);
        assertEquals(10 * 7, into.cursor);

        Files.write(store.newestFirst().get(1), new byte[] {1, 2, 3});
        assertNull(store.loadNewestGood(new Snapshot()), "no good snapshot: replay the whole journal");
        assertTrue(Files.exists(newest), "damaged snapshots are left for inspection");
    }

    /**
     * A process killed while writing a snapshot leaves at most a temporary file (the final name appears only by an
     * atomic rename): it is never loaded, and the next write replaces it.
     */
    @Test
    void aSnapshotCutShortByACrashIsNeverLoaded() throws IOException {
        final SnapshotStore store = new SnapshotStore(dir);
        final Snapshot good = new Snapshot();
        fill(good, 10);
        SnapshotFile.write(good, store.pathFor(good));
        final Snapshot newer = new Snapshot();
        fill(newer, 20);
        final Path temp = store.pathFor(newer).resolveSibling(store.pathFor(newer).getFileName() + ".tmp");
        Files.write(temp, java.util.Arrays.copyOf(Files.readAllBytes(store.pathFor(good)), 17)); // cut short
        assertEquals(List.of(store.pathFor(good)), store.newestFirst());
        final Snapshot into = new Snapshot();
        assertEquals(store.pathFor(good), store.loadNewestGood(into));
        assertEquals(10, into.journalRecord);
        SnapshotFile.write(newer, store.pathFor(newer));
        assertTrue(Files.notExists(temp), "the temporary file was replaced and renamed");
        assertEquals(store.pathFor(newer), store.loadNewestGood(into));
    }

    private static void fill(Snapshot s, long record) {
        s.journalRecord = record;
        s.journalSegment = record / 100;
        s.journalOffset = record;
        s.cursor = record * 7;
        s.released = record * 7;
        s.graph.clear();
        s.graph.addUser(1);
        s.graph.addUser(2);
        s.graph.addEdge(1, 2);
        s.clearHeld();
        final byte[] line = ((record * 7 + 2) + "|B").getBytes();
        s.addHeld(line, 0, line.length);
    }
}
