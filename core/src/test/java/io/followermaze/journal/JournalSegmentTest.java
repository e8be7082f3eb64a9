package io.followermaze.journal;

import io.followermaze.testkit.LogCapture;
import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The segment writer and reader: round trip, roll-over, CRCs, a torn tail, damage in the middle, a missing segment. */
class JournalSegmentTest {
    @TempDir
    Path dir;

    private JournalConfig config(long segmentBytes) {
        return JournalConfig.builder().dir(dir).segmentBytes(segmentBytes).fsync(FsyncPolicy.NEVER).build();
    }

    private static String record(int i) {
        return i + "|B\n" + (i + 1) + "|P|" + i + "|" + (i * 7 % 13) + "\n";
    }

    /** Writes {@code count} records, a batch end every {@code perBatch}, and closes; returns what was written. */
    private List<String> write(JournalConfig config, int first, int count, int perBatch) throws IOException {
        final JournalReader.Result end = JournalReader.read(dir, JournalReader.Mode.RECOVER, (p, o, l, at) -> { });
        final List<String> written = new ArrayList<>();
        try (JournalWriter w = new JournalWriter(config, end, 1 << 16, JournalWriter.ChannelOpener.DEFAULT)) {
            for (int i = first; i < first + count; i++) {
                final byte[] b = record(i).getBytes(StandardCharsets.US_ASCII);
                w.append(b, 0, b.length);
                written.add(record(i));
                if (i % perBatch == 0) {
                    w.endBatch();
                }
            }
            w.endBatch();
        }
        return written;
    }

    private List<String> readAll(JournalReader.Mode mode) throws IOException {
        final List<String> out = new ArrayList<>();
        JournalReader.read(dir, mode, (p, o, l, at) -> out.add(new String(p, o, l, StandardCharsets.US_ASCII)));
        return out;
    }

    private List<Path> segments() throws IOException {
        return JournalReader.segmentFiles(dir);
    }

    @Test
    void recordsComeBackInOrderAcrossSegmentsAndRestarts() throws IOException {
        final List<String> written = new ArrayList<>(write(config(4096), 1, 500, 7));
        assertTrue(segments().size() > 3, "rolled: " + segments());
        for (Path s : segments()) {
            assertTrue(Files.size(s) <= 4096, s + " within the limit");
        }
        written.addAll(write(config(4096), 501, 300, 11)); // a restart continues the last segment
        assertEquals(written, readAll(JournalReader.Mode.RECOVER));
        final JournalReader.Result r = JournalReader.read(dir, JournalReader.Mode.INSPECT, (p, o, l, at) -> { });
        assertTrue(r.clean(), r.problems().toString());
        assertEquals(800, r.records());
        for (int i = 0; i < r.segments().size(); i++) {
            assertEquals(i, r.segments().get(i).index());
        }
    }

    @Test
    void replayStartsFromARecordedPosition() throws IOException {
        final List<String> written = write(config(4096), 1, 300, 5);
        final List<JournalPosition> positions = new ArrayList<>();
        JournalReader.read(dir, JournalReader.Mode.INSPECT, (p, o, l, at) -> positions.add(at));
        final JournalPosition from = positions.get(200);
        assertEquals(200, from.record());
        final List<String> tail = new ArrayList<>();
        JournalReader.read(dir, JournalReader.Mode.RECOVER, from,
            (p, o, l, at) -> tail.add(new String(p, o, l, StandardCharsets.US_ASCII)));
        assertEquals(written.subList(200, 300), tail);
    }

    @Test
    void aTornLastRecordIsTruncatedAndLogged() throws IOException {
        final List<String> written = write(config(4096), 1, 100, 10);
        final Path last = segments().get(segments().size() - 1);
        final long size = Files.size(last);
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
            ch.truncate(size - 5); // the crash cut the last record's payload short
        }
        try (LogCapture log = new LogCapture(JournalReader.class.getName())) {
            assertEquals(written.subList(0, 99), readAll(JournalReader.Mode.RECOVER));
            final String warn = log.events(Level.WARN).get(0).getFormattedMessage();
            assertTrue(warn.contains(last.toString()) && warn.contains("torn"), warn);
        }
        final long lastRecordBytes = JournalFormat.RECORD_HEADER_BYTES + record(100).length();
        assertEquals(size - lastRecordBytes, Files.size(last), "truncated at the torn record");
        // and the journal goes on from there
        final List<String> more = write(config(4096), 200, 3, 1);
        final List<String> expected = new ArrayList<>(written.subList(0, 99));
        expected.addAll(more);
        assertEquals(expected, readAll(JournalReader.Mode.RECOVER));
    }

    @Test
    void aCrcMismatchInTheLastRecordIsATornTail() throws IOException {
        final List<String> written = write(config(4096), 1, 50, 10);
        final Path last = segments().get(segments().size() - 1);
        flip(last, Files.size(last) - 2);
        assertEquals(written.subList(0, 49), readAll(JournalReader.Mode.RECOVER));
    }

    @Test
    void zerosWhereTheNextRecordShouldStartAreATornTail() throws IOException {
        final List<String> written = write(config(1 << 20), 1, 50, 10);
        final Path last = segments().get(0);
        final long size = Files.size(last);
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.allocate(300));
        }
        final JournalReader.Result r = JournalReader.read(dir, JournalReader.Mode.RECOVER, (p, o, l, at) -> { });
        assertEquals(50, r.records());
        assertEquals(300, r.bytesDropped());
        assertEquals(size, Files.size(last));
        assertEquals(written, readAll(JournalReader.Mode.RECOVER));
    }

    @Test
    void damageInTheMiddleRefusesAndRepairTruncatesThere() throws IOException {
        final List<String> written = write(config(4096), 1, 400, 10);
        final int segmentCount = segments().size();
        final Path second = segments().get(1);
        // the third record of the second segment
        final JournalReader.Segment s = JournalReader.read(dir, JournalReader.Mode.INSPECT, (p, o, l, at) -> { })
            .segments().get(1);
        final List<JournalPosition> positions = new ArrayList<>();
        JournalReader.read(dir, JournalReader.Mode.INSPECT, (p, o, l, at) -> positions.add(at));
        final JournalPosition bad = positions.get((int) s.firstRecord() + 2);
        flip(second, bad.offset() + JournalFormat.RECORD_HEADER_BYTES + 1);

        final JournalCorruptException e = assertThrows(JournalCorruptException.class,
            () -> readAll(JournalReader.Mode.RECOVER));
        assertEquals(second, e.segment());
        assertEquals(bad.offset(), e.offset());
        assertTrue(e.getMessage().contains("--journal-repair"), e.getMessage());
        assertEquals(segmentCount, segments().size(), "refusing changes nothing");

        final JournalReader.Result inspected = JournalReader.read(dir, JournalReader.Mode.INSPECT, (p, o, l, at) -> { });
        assertEquals(1, inspected.problems().size(), inspected.problems().toString());
        assertTrue(inspected.problems().get(0).contains("CRC"), inspected.problems().toString());

        try (LogCapture log = new LogCapture(JournalReader.class.getName())) {
            assertEquals(written.subList(0, (int) bad.record()), readAll(JournalReader.Mode.REPAIR));
            final String warn = log.events(Level.WARN).get(0).getFormattedMessage();
            assertTrue(warn.contains("bytes dropped"), warn);
        }
        assertEquals(2, segments().size(), "later segments deleted");
        assertEquals(bad.offset(), Files.size(second));
        assertEquals(written.subList(0, (int) bad.record()), readAll(JournalReader.Mode.RECOVER));
    }

    @Test
    void aMissingSegmentRefusesAndRepairDropsEverythingAfterTheGap() throws IOException {
        final List<String> written = write(config(4096), 1, 1000, 10);
        final List<Path> before = segments();
        assertTrue(before.size() >= 5, before.toString());
        final JournalReader.Result full = JournalReader.read(dir, JournalReader.Mode.INSPECT, (p, o, l, at) -> { });
        Files.delete(before.get(2));
        final JournalCorruptException e = assertThrows(JournalCorruptException.class,
            () -> readAll(JournalReader.Mode.RECOVER));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
        assertEquals(dir.resolve(JournalFormat.segmentName(2)), e.segment());
        final long kept = full.segments().get(2).firstRecord();
        assertEquals(written.subList(0, (int) kept), readAll(JournalReader.Mode.REPAIR));
        assertEquals(2, segments().size());
    }

    @Test
    void aSegmentShorterThanItsHeaderAtTheEndIsDropped() throws IOException {
        final List<String> written = write(config(4096), 1, 100, 10);
        final Path next = dir.resolve(JournalFormat.segmentName(segments().size()));
        Files.write(next, new byte[10]);
        assertEquals(written, readAll(JournalReader.Mode.RECOVER));
        assertTrue(Files.notExists(next));
    }

    @Test
    void aBadHeaderInTheMiddleRefuses() throws IOException {
        write(config(4096), 1, 400, 10);
        flip(segments().get(1), 3);
        final JournalCorruptException e = assertThrows(JournalCorruptException.class,
            () -> readAll(JournalReader.Mode.RECOVER));
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
    }

    @Test
    void repairingABadHeaderDropsThatSegmentAndTheJournalGoesOn() throws IOException {
        final List<String> written = write(config(4096), 1, 400, 10);
        final JournalReader.Result full = JournalReader.read(dir, JournalReader.Mode.INSPECT, (p, o, l, at) -> { });
        flip(segments().get(1), 20);
        final int kept = (int) full.segments().get(1).firstRecord();
        assertEquals(written.subList(0, kept), readAll(JournalReader.Mode.REPAIR));
        assertEquals(1, segments().size());
        final List<String> more = write(config(4096), 1000, 200, 10);
        final List<String> expected = new ArrayList<>(written.subList(0, kept));
        expected.addAll(more);
        assertEquals(expected, readAll(JournalReader.Mode.RECOVER));
    }

    @Test
    void fsyncPolicySpellings() {
        assertEquals(FsyncPolicy.NEVER, FsyncPolicy.parse("never"));
        assertEquals(FsyncPolicy.BATCH, FsyncPolicy.parse("BATCH"));
        assertEquals(FsyncPolicy.interval(250), FsyncPolicy.parse("interval:250"));
        assertEquals("interval:1000", JournalConfig.DEFAULT_FSYNC.toString());
        assertThrows(IllegalArgumentException.class, () -> FsyncPolicy.parse("interval:0"));
        assertThrows(IllegalArgumentException.class, () -> FsyncPolicy.parse("sometimes"));
    }

    static void flip(Path file, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x5A));
            b.rewind();
            ch.write(b, at);
        }
    }
}
