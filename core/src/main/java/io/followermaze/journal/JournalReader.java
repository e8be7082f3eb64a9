package io.followermaze.journal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Reads a journal directory front to back, checks every segment header and record CRC, and hands each good record's
 * payload to a {@link RecordVisitor} in order. What it does about damage depends on the {@link Mode}:
 * <ul>
 *   <li>A <b>torn tail</b>, what a crash in the middle of a write leaves: the last record of the last segment is short
 *       (header or payload cut off), fails its CRC while ending exactly at the end of the file, or the file ends in
 *       zeros where a record should start; or the last segment is shorter than its header. {@link Mode#RECOVER} and
 *       {@link Mode#REPAIR} truncate it (a WARN line names segment, offset and bytes dropped).</li>
 *   <li><b>Damage in the middle</b>: a CRC mismatch or an impossible length with good-looking bytes after it, a bad
 *       header, a short segment that is not the last, a gap in the segment indices, a segment whose first-record
 *       number does not follow on. {@link Mode#RECOVER} throws {@link JournalCorruptException} (naming file and
 *       offset); {@link Mode#REPAIR} truncates there, deletes every later segment and logs the bytes dropped.</li>
 * </ul>
 * {@link Mode#INSPECT} changes nothing: it notes each problem, skips to the next segment after one and goes on, so
 * that a tool can report them all; it stops handing records to the visitor at the first problem.
 */
public final class JournalReader {
    private static final Logger LOG = LoggerFactory.getLogger(JournalReader.class);

    public enum Mode { INSPECT, RECOVER, REPAIR }

    /** Receives each good record, in journal order. The payload array is reused: copy what must be kept. */
    @FunctionalInterface
    public interface RecordVisitor {
        void onRecord(byte[] payload, int offset, int length, JournalPosition at) throws IOException;
    }

    /** One segment as read. */
    public record Segment(Path file, long index, long firstRecord, long records, long validBytes, long fileBytes) {
    }

    /**
     * What was read.
     *
     * @param end          where the next record goes: the end of the last good record (a fresh journal: segment 0
     *                     offset 0, which means "no segment yet")
     * @param records      good records handed to the visitor
     * @param payloadBytes their payload bytes
     * @param problems     what was wrong, one line each, in order (empty for a clean journal)
     * @param bytesDropped bytes truncated or deleted (RECOVER, REPAIR)
     */
    public record Result(List<Segment> segments, JournalPosition end, long records, long payloadBytes,
                         List<String> problems, long bytesDropped) {
        public boolean clean() {
            return problems.isEmpty();
        }
    }

    private final Path dir;
    private final Mode mode;
    private final CRC32C crc = new CRC32C();
    private byte[] buf = new byte[1 << 20];
    private final List<String> problems = new ArrayList<>();
    private long bytesDropped;
    /** Set once a problem is found: no more records go to the visitor. */
    private boolean stopped;

    private JournalReader(Path dir, Mode mode) {
        this.dir = dir;
        this.mode = mode;
    }

    /** Reads the whole journal in {@code dir} (which need not exist: then it is empty). */
    public static Result read(Path dir, Mode mode, RecordVisitor visitor) throws IOException {
        return read(dir, mode, null, visitor);
    }

    /**
     * @param from where to start handing records to the visitor (a snapshot's position), or null for the start;
     *             segments before it are not read at all
     */
    public static Result read(Path dir, Mode mode, JournalPosition from, RecordVisitor visitor) throws IOException {
        return new JournalReader(dir, mode).run(from, visitor);
    }

    /** The segment files in {@code dir} sorted by index (other files are left alone). */
    public static List<Path> segmentFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> JournalFormat.segmentIndex(f) >= 0)
                .sorted((a, b) -> Long.compare(JournalFormat.segmentIndex(a), JournalFormat.segmentIndex(b)))
                .toList();
        }
    }

    private Result run(JournalPosition from, RecordVisitor visitor) throws IOException {
        final List<Path> files = new ArrayList<>(segmentFiles(dir));
        final List<Segment> segments = new ArrayList<>();
        long records = from == null ? 0 : from.record();
        long payloadBytes = 0;
        JournalPosition end = new JournalPosition(0, 0, records);
        long expectedFirst = -1;
        if (from != null) {
            files.removeIf(f -> JournalFormat.segmentIndex(f) < from.segmentIndex());
            if (files.isEmpty() || JournalFormat.segmentIndex(files.get(0)) != from.segmentIndex()) {
                throw new JournalCorruptException(dir.resolve(JournalFormat.segmentName(from.segmentIndex())),
                    from.offset(), "segment of the start position " + from + " is missing");
            }
        }
        if (from == null && !files.isEmpty()) {
            // Segments wholly before the fallback snapshot are deleted once snapshots exist: a journal that no longer
            // starts at record 0 can be read from its first segment, but not replayed into a fresh state.
            final long firstRecord = firstRecordOf(files.get(0));
            if (firstRecord > 0) {
                if (mode != Mode.INSPECT) {
                    throw new JournalCorruptException(files.get(0), 0, "the journal starts at record " + firstRecord
                        + " (older segments were deleted after snapshots) and no good snapshot covers what came "
                        + "before: the state can not be rebuilt from this journal alone");
                }
                records = firstRecord;
                end = new JournalPosition(0, 0, records);
            }
        }
        for (int i = 0; i < files.size(); i++) {
            final Path file = files.get(i);
            final long index = JournalFormat.segmentIndex(file);
            final boolean last = i == files.size() - 1;
            if (i > 0 && index != JournalFormat.segmentIndex(files.get(i - 1)) + 1) {
                final long previous = JournalFormat.segmentIndex(files.get(i - 1));
                final String problem = "segment file(s) " + (previous + 1) + ".." + (index - 1) + " missing, "
                    + (files.size() - i) + " later segment(s) present";
                if (damage(dir.resolve(JournalFormat.segmentName(previous + 1)), 0, problem,
                    files.subList(i, files.size()), null, 0)) {
                    break;
                }
            }
            final int problemsBefore = problems.size();
            final SegmentRead r = readSegment(file, index, last, i == 0 ? from : null, expectedFirst, records,
                visitor, files.subList(i + 1, files.size()));
            if (r == null || r.truncatedAfter && Files.notExists(file)) { // deleted: a torn or damaged header
                break;
            }
            segments.add(r.segment);
            // a segment's count includes its records before a start position: the total is its first record + count
            records = (r.segment.firstRecord >= 0 ? r.segment.firstRecord : records) + r.segment.records;
            payloadBytes += r.payload;
            end = new JournalPosition(index, r.segment.validBytes, records);
            // after damage (INSPECT goes on) the record count is not known: the next segment's is not checked
            expectedFirst = problems.size() > problemsBefore ? -1 : r.segment.firstRecord + r.segment.records;
            if (r.truncatedAfter) {
                break; // REPAIR dropped every later segment
            }
        }
        return new Result(List.copyOf(segments), end, records, payloadBytes, List.copyOf(problems), bytesDropped);
    }

    /** The first record number in a segment's header, or 0 when the header can not be read (the reading reports it). */
    private static long firstRecordOf(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            final ByteBuffer header = ByteBuffer.allocate(JournalFormat.HEADER_BYTES);
            while (header.hasRemaining() && ch.read(header) > 0) {
                // read the whole header
            }
            if (header.hasRemaining()) {
                return 0;
            }
            header.flip();
            final JournalFormat.Header h = JournalFormat.readHeader(header, new String[1]);
            return h == null ? 0 : h.firstRecord();
        }
    }

    private record SegmentRead(Segment segment, long payload, boolean truncatedAfter) {
    }

    private SegmentRead readSegment(Path file, long index, boolean last, JournalPosition from, long expectedFirst,
                                    long recordsBefore, RecordVisitor visitor, List<Path> later) throws IOException {
        try (FileChannel ch = FileChannel.open(file, mode == Mode.INSPECT
            ? new StandardOpenOption[] {StandardOpenOption.READ}
            : new StandardOpenOption[] {StandardOpenOption.READ, StandardOpenOption.WRITE})) {
            final long size = ch.size();
            if (size < JournalFormat.HEADER_BYTES) {
                final String problem = "segment shorter than its header (" + size + " bytes)";
                if (last) {
                    torn(file, 0, size, problem);
                    if (mode != Mode.INSPECT) {
                        ch.close();
                        Files.delete(file);
                        return null;
                    }
                    return new SegmentRead(new Segment(file, index, -1, 0, 0, size), 0, false);
                }
                final boolean dropped = damage(file, 0, problem, later, ch, size);
                return new SegmentRead(new Segment(file, index, -1, 0, 0, size), 0, dropped);
            }
            final ByteBuffer header = ByteBuffer.allocate(JournalFormat.HEADER_BYTES);
            readFully(ch, header, 0);
            header.flip();
            final String[] why = new String[1];
            final JournalFormat.Header h = JournalFormat.readHeader(header, why);
            String headerProblem = why[0];
            if (h != null && h.index() != index) {
                headerProblem = "header says segment " + h.index() + ", the file name " + index;
            } else if (h != null && expectedFirst >= 0 && h.firstRecord() != expectedFirst) {
                headerProblem = "segment starts at record " + h.firstRecord() + ", the one before ended at "
                    + expectedFirst;
            }
            if (headerProblem != null && last && allZeros(ch, 0, size)) { // made, never written
                torn(file, 0, size, "segment header never written (zeros)");
                if (mode != Mode.INSPECT) {
                    ch.close();
                    Files.delete(file);
                    return null;
                }
                return new SegmentRead(new Segment(file, index, -1, 0, 0, size), 0, false);
            }
            if (headerProblem != null) {
                final boolean dropped = damage(file, 0, headerProblem, later, ch, size);
                return new SegmentRead(new Segment(file, index, h == null ? -1 : h.firstRecord(), 0, 0, size), 0,
                    dropped);
            }
            long offset = JournalFormat.HEADER_BYTES;
            long record = h.firstRecord();
            if (from != null) {
                if (from.offset() < JournalFormat.HEADER_BYTES || from.offset() > size) {
                    throw new JournalCorruptException(file, from.offset(), "start position " + from
                        + " is outside the segment (" + size + " bytes)");
                }
                offset = from.offset();
                record = from.record();
            }
            final long firstRecord = h.firstRecord();
            long payload = 0;
            long count = from == null ? 0 : from.record() - firstRecord;
            final Input in = new Input(ch, offset, size);
            while (offset < size) {
                String problem = null;
                boolean tornLike = false;
                int length = 0;
                if (!in.ensure(JournalFormat.RECORD_HEADER_BYTES)) {
                    problem = "record header cut short (" + (size - offset) + " bytes left)";
                    tornLike = true;
                } else {
                    final int storedCrc = in.intAt(0);
                    length = in.intAt(4);
                    if (length < 1 || length > JournalFormat.MAX_PAYLOAD) {
                        problem = "impossible record length " + length;
                        tornLike = allZeros(ch, offset, size);
                    } else if (!in.ensure(JournalFormat.RECORD_HEADER_BYTES + length)) {
                        problem = "record payload cut short (" + length + " bytes announced, "
                            + (size - offset - JournalFormat.RECORD_HEADER_BYTES) + " there)";
                        tornLike = true;
                    } else if (JournalFormat.recordCrc(crc, buf, in.pos + JournalFormat.RECORD_HEADER_BYTES, length)
                        != storedCrc) {
                        problem = "record CRC mismatch";
                        tornLike = offset + JournalFormat.RECORD_HEADER_BYTES + length == size;
                    }
                }
                if (problem != null) {
                    if (last && tornLike) {
                        torn(file, offset, size - offset, problem);
                        if (mode != Mode.INSPECT) {
                            ch.truncate(offset);
                            ch.force(true);
                        }
                        return new SegmentRead(new Segment(file, index, firstRecord, count, offset, size), payload,
                            false);
                    }
                    final boolean dropped = damage(file, offset, problem, later, ch, size);
                    return new SegmentRead(new Segment(file, index, firstRecord, count, offset, size), payload,
                        dropped);
                }
                if (!stopped) {
                    visitor.onRecord(buf, in.pos + JournalFormat.RECORD_HEADER_BYTES, length,
                        new JournalPosition(index, offset, record));
                }
                final int recordBytes = JournalFormat.RECORD_HEADER_BYTES + length;
                in.skip(recordBytes);
                offset += recordBytes;
                payload += length;
                count++;
                record++;
            }
            return new SegmentRead(new Segment(file, index, firstRecord, count, offset, size), payload, false);
        }
    }

    /** A torn tail: logged; truncated by the caller unless inspecting. */
    private void torn(Path file, long offset, long dropped, String problem) {
        problems.add("torn tail in " + file.getFileName() + " at offset " + offset + ": " + problem + " ("
            + dropped + " bytes" + (mode == Mode.INSPECT ? ", would be truncated at start)" : " dropped)"));
        stopped = true;
        if (mode != Mode.INSPECT) {
            bytesDropped += dropped;
            LOG.warn("Journal: torn last record in {} at offset {} ({}): truncated, {} bytes dropped (a crash during "
                + "a write; nothing routed is lost)", file, offset, problem, dropped);
        }
    }

    /**
     * Damage in the middle: RECOVER throws; REPAIR truncates {@code file} at {@code offset} (deleting it when at 0)
     * and deletes {@code later}; INSPECT notes it.
     *
     * @return true if the journal was cut here (nothing after it remains)
     */
    private boolean damage(Path file, long offset, String problem, List<Path> later, FileChannel ch, long size)
        throws IOException {
        final String line = "damage in " + file.getFileName() + " at offset " + offset + ": " + problem;
        problems.add(line);
        stopped = true;
        switch (mode) {
            case RECOVER:
                throw new JournalCorruptException(file, offset, problem);
            case REPAIR: {
                long dropped = size - offset;
                if (ch != null) {
                    if (offset <= 0) {
                        ch.close();
                        Files.delete(file);
                    } else {
                        ch.truncate(offset);
                        ch.force(true);
                    }
                }
                for (Path p : later) {
                    dropped += Files.size(p);
                    Files.delete(p);
                }
                bytesDropped += dropped;
                LOG.warn("Journal repaired: {}; truncated there, {} bytes dropped ({} later segment file(s) deleted)",
                    line, dropped, later.size());
                return true;
            }
            default:
                return false;
        }
    }

    private static boolean allZeros(FileChannel ch, long from, long size) throws IOException {
        final ByteBuffer b = ByteBuffer.allocate(64 * 1024);
        long at = from;
        while (at < size) {
            b.clear();
            final int n = ch.read(b, at);
            if (n <= 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                if (b.get(i) != 0) {
                    return false;
                }
            }
            at += n;
        }
        return true;
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            final int n = ch.read(b, at + b.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    /** A window on the segment: {@code buf[pos, lim)} holds the file's bytes from the current offset. */
    private final class Input {
        private final FileChannel ch;
        private long fileAt; // file offset of buf[lim]
        private final long size;
        int pos;
        private int lim;

        Input(FileChannel ch, long offset, long size) {
            this.ch = ch;
            this.fileAt = offset;
            this.size = size;
        }

        /** @return false if the file ends before {@code n} more bytes */
        boolean ensure(int n) throws IOException {
            if (lim - pos >= n) {
                return true;
            }
            if (n > buf.length - pos) {
                final byte[] bigger = n > buf.length ? new byte[Math.max(n, buf.length * 2)] : buf;
                System.arraycopy(buf, pos, bigger, 0, lim - pos);
                buf = bigger;
                lim -= pos;
                pos = 0;
            }
            final ByteBuffer target = ByteBuffer.wrap(buf);
            while (lim - pos < n && fileAt < size) {
                target.limit(buf.length).position(lim);
                final int read = ch.read(target, fileAt);
                if (read <= 0) {
                    break;
                }
                lim += read;
                fileAt += read;
            }
            return lim - pos >= n;
        }

        int intAt(int delta) {
            final int p = pos + delta;
            return (buf[p] & 0xff) << 24 | (buf[p + 1] & 0xff) << 16 | (buf[p + 2] & 0xff) << 8 | (buf[p + 3] & 0xff);
        }

        void skip(int n) {
            pos += n;
        }
    }
}
