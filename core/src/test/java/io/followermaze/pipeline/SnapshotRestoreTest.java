package io.followermaze.pipeline;

import io.followermaze.graph.GraphImage;
import io.followermaze.snapshot.Snapshot;
import io.followermaze.snapshot.SnapshotFile;
import io.followermaze.testkit.EventStreamGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stage restored from a snapshot (captured mid-stream with events held back behind a gap, written to disk and read
 * back) is the same as the stage it was captured from: same graph, cursor and held events, and from then on the same
 * notifications for the same input.
 */
class SnapshotRestoreTest {
    private static final int USERS = 30;

    @TempDir
    Path dir;

    @Test
    void aRestoredStageGoesOnExactlyAsTheOriginal() throws IOException {
        final List<String> inOrder = new EventStreamGenerator(7, USERS).next(6_000);
        final List<String> arrival = new ArrayList<>(EventStreamGenerator.shuffleInBatches(inOrder, 50, new Random(7)));
        // A gap at the capture: seq 3001 comes only after it, so what follows it is held back.
        final String late = arrival.remove(arrival.indexOf(inOrder.get(3_000)));
        final int cut = arrival.indexOf(inOrder.get(3_400)) + 1;

        final SequenceRouteStage original = new SequenceRouteStage(PipelineTest.SMALL.withWindowSize(256), EgressListener.NONE);
        feed(original, arrival.subList(0, cut));
        assertTrue(original.resequencer().pending() > 0, "events are held behind the gap");

        final Snapshot captured = new Snapshot();
        captured.journalSegment = 3;
        captured.journalOffset = 12_345;
        original.capture(captured);
        final Path file = dir.resolve("snapshot");
        SnapshotFile.write(captured, file);
        final Snapshot read = new Snapshot();
        SnapshotFile.read(file, read);
        assertEquals(3, read.journalSegment);
        assertEquals(12_345, read.journalOffset);
        assertEquals(captured.graph.digest(), read.graph.digest());
        assertEquals(original.graph().digest(), read.graph.digest(), "the image's digest is the graph's");

        final SequenceRouteStage restored = new SequenceRouteStage(PipelineTest.SMALL.withWindowSize(256), EgressListener.NONE);
        restored.restore(read);
        assertEquals(original.resequencer().lastReleased(), restored.resequencer().lastReleased());
        assertEquals(original.resequencer().pending(), restored.resequencer().pending());
        assertEquals(original.resequencer().releasedCount().get(), restored.resequencer().releasedCount().get());
        assertEquals(digest(original), digest(restored));

        // Everyone connects now; the rest of the stream, the late seq first, reaches both the same way.
        final List<String> rest = new ArrayList<>(List.of(late));
        rest.addAll(arrival.subList(cut, arrival.size()));
        final List<List<String>> fromOriginal = connectAllAndFeed(original, rest);
        final List<List<String>> fromRestored = connectAllAndFeed(restored, rest);
        assertEquals(fromOriginal, fromRestored);
        assertEquals(6_000, restored.resequencer().lastReleased());
        assertTrue(fromRestored.stream().mapToInt(List::size).sum() > 1_000, "the test delivers something");
    }

    @Test
    void aDamagedSnapshotIsRefused() throws IOException {
        final SequenceRouteStage stage = new SequenceRouteStage(PipelineTest.SMALL, EgressListener.NONE);
        feed(stage, new EventStreamGenerator(3, USERS).next(500));
        final Snapshot s = new Snapshot();
        stage.capture(s);
        final Path file = dir.resolve("snapshot");
        SnapshotFile.write(s, file);
        final byte[] good = Files.readAllBytes(file);

        final byte[] flipped = good.clone();
        flipped[flipped.length / 2] ^= 0x10;
        Files.write(file, flipped);
        assertThrows(SnapshotFile.CorruptSnapshotException.class, () -> SnapshotFile.read(file, new Snapshot()));

        Files.write(file, java.util.Arrays.copyOf(good, good.length - 3));
        assertThrows(SnapshotFile.CorruptSnapshotException.class, () -> SnapshotFile.read(file, new Snapshot()));

        Files.write(file, good);
        final Snapshot back = new Snapshot();
        SnapshotFile.read(file, back);
        assertEquals(s.cursor, back.cursor);
        assertArrayEquals(java.util.Arrays.copyOf(s.heldLines(), s.heldLength()),
            java.util.Arrays.copyOf(back.heldLines(), back.heldLength()));
    }

    private static long digest(SequenceRouteStage stage) {
        final Snapshot s = new Snapshot();
        stage.capture(s);
        final GraphImage g = s.graph;
        return (g.digest() * 31 + g.userCount()) * 31 + s.heldCount();
    }

    private static long ringSequence;

    private static void feed(SequenceRouteStage stage, List<String> lines) {
        final StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        final byte[] all = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        final IngressEntry entry = new IngressEntry(PipelineTest.SMALL.chunkBytes());
        int start = 0;
        while (start < all.length) { // whole lines, at most a chunk at a time
            int end = Math.min(all.length, start + entry.bytes().length);
            while (all[end - 1] != '\n') {
                end--;
            }
            System.arraycopy(all, start, entry.bytes(), 0, end - start);
            entry.eventLines(end - start);
            stage.onEvent(entry, ringSequence++, true);
            start = end;
        }
    }

    private static List<List<String>> connectAllAndFeed(SequenceRouteStage stage, List<String> lines) {
        final List<PipelineTest.RecordingSession> sessions = new ArrayList<>();
        final IngressEntry entry = new IngressEntry(PipelineTest.SMALL.chunkBytes());
        for (long u = 1; u <= USERS; u++) {
            final PipelineTest.RecordingSession s = new PipelineTest.RecordingSession(u);
            sessions.add(s);
            entry.registration(IngressEntry.Kind.REGISTER, s);
            stage.onEvent(entry, ringSequence++, true);
        }
        feed(stage, lines);
        final List<List<String>> out = new ArrayList<>();
        for (PipelineTest.RecordingSession s : sessions) {
            out.add(s.receivedList());
        }
        return out;
    }
}
