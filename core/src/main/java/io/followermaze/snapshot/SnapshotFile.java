package io.followermaze.snapshot;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * A snapshot on disk. Written to a temporary file, forced to disk, then renamed over its final name (atomic), and the
 * directory forced, so that a crash leaves either the whole new snapshot or none. Read back only when its magic,
 * version and CRC hold. Layout (big-endian):
 *
 * <pre>
 *  offset  size  field
 *  0       8     magic "FMSNAPSH"
 *  8       4     format version (2; version 1 files, without the log fields, are still read)
 *  12      8     journal segment of the first entry after the snapshot
 *  20      8     byte offset in that segment
 *  28      8     journal records before that position
 *  36      8     cursor: last seq released or skipped
 *  44      8     events released
 *  52      8     gaps skipped
 *  60      8     seqs skipped (released + skipped = cursor)
 *  68      1+    version 2: log topic (0: none, journal snapshot; 1: then modified UTF-8, 2-byte length)
 *  ..      4     version 2: P partitions, then P x 8: the next offset of each (a fan-out node's resume point)
 *  ..      4     U: users in the graph, then U x 8: their ids
 *  ..      4     E: follow edges, then E x 16: follower id, followed id
 *  ..      4     H: bytes of held events, then H bytes: their lines, each ending in '\n'
 *  end-4   4     CRC32C of every byte before it
 * </pre>
 */
public final class SnapshotFile {
    static final long MAGIC = 0x464D534E41505348L; // "FMSNAPSH"
    static final int VERSION = 2;
    /** The oldest version read: it has no log fields. */
    static final int FIRST_VERSION = 1;

    private SnapshotFile() {
    }

    /** Writes {@code s} to {@code file} atomically (temp file, force, rename, force the directory). */
    public static void write(Snapshot s, Path file) throws IOException {
        final Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            final CRC32C crc = new CRC32C();
            final DataOutputStream out = new DataOutputStream(new CheckedOutputStream(
                new BufferedOutputStream(unclosable(java.nio.channels.Channels.newOutputStream(channel)), 1 << 16), crc));
            out.writeLong(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(s.journalSegment);
            out.writeLong(s.journalOffset);
            out.writeLong(s.journalRecord);
            out.writeLong(s.cursor);
            out.writeLong(s.released);
            out.writeLong(s.gapsSkipped);
            out.writeLong(s.seqsSkipped);
            out.writeBoolean(s.logTopic != null);
            if (s.logTopic != null) {
                out.writeUTF(s.logTopic);
            }
            out.writeInt(s.logOffsets.length);
            for (long offset : s.logOffsets) {
                out.writeLong(offset);
            }
            out.writeInt(s.graph.userCount());
            for (int i = 0; i < s.graph.userCount(); i++) {
                out.writeLong(s.graph.user(i));
            }
            out.writeInt(s.graph.edgeCount());
            for (int i = 0; i < s.graph.edgeCount(); i++) {
                out.writeLong(s.graph.follower(i));
                out.writeLong(s.graph.followed(i));
            }
            out.writeInt(s.heldLength());
            out.write(s.heldLines(), 0, s.heldLength());
            out.flush();
            final int sum = (int) crc.getValue();
            out.writeInt(sum);
            out.flush();
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(file.toAbsolutePath().getParent());
    }

    /**
     * Reads {@code file} into {@code into}.
     *
     * @throws CorruptSnapshotException when the file is short, not a snapshot, of another version or fails its CRC
     */
    public static void read(Path file, Snapshot into) throws IOException {
        final CRC32C crc = new CRC32C();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            final DataInputStream in = new DataInputStream(new CheckedInputStream(raw, crc));
            if (in.readLong() != MAGIC) {
                throw new CorruptSnapshotException(file, "not a snapshot (bad magic)");
            }
            final int version = in.readInt();
            if (version < FIRST_VERSION || version > VERSION) {
                throw new CorruptSnapshotException(file, "format version " + version + ", this build reads "
                    + FIRST_VERSION + ".." + VERSION);
            }
            into.journalSegment = in.readLong();
            into.journalOffset = in.readLong();
            into.journalRecord = in.readLong();
            into.cursor = in.readLong();
            into.released = in.readLong();
            into.gapsSkipped = in.readLong();
            into.seqsSkipped = in.readLong();
            into.logTopic = null;
            into.logOffsets = new long[0];
            if (version >= 2) {
                into.logTopic = in.readBoolean() ? in.readUTF() : null;
                into.logOffsets = new long[count(in, file, 8)];
                for (int i = 0; i < into.logOffsets.length; i++) {
                    into.logOffsets[i] = in.readLong();
                }
            }
            into.graph.clear();
            final int users = count(in, file, 8);
            for (int i = 0; i < users; i++) {
                into.graph.addUser(in.readLong());
            }
            final int edges = count(in, file, 16);
            for (int i = 0; i < edges; i++) {
                into.graph.addEdge(in.readLong(), in.readLong());
            }
            final int held = count(in, file, 1);
            final byte[] lines = in.readNBytes(held);
            if (lines.length != held) {
                throw new CorruptSnapshotException(file, "truncated");
            }
            into.clearHeld();
            int start = 0;
            for (int i = 0; i < held; i++) {
                if (lines[i] == '\n') {
                    into.addHeld(lines, start, i - start);
                    start = i + 1;
                }
            }
            final int expected = (int) crc.getValue();
            final int stored = new DataInputStream(raw).readInt();
            if (stored != expected || raw.read() != -1) {
                throw new CorruptSnapshotException(file, "CRC mismatch or trailing bytes");
            }
        } catch (EOFException e) {
            throw new CorruptSnapshotException(file, "truncated");
        }
        if (into.released + into.seqsSkipped != into.cursor) {
            throw new CorruptSnapshotException(file, "cursor " + into.cursor + " is not released + skipped");
        }
    }

    private static int count(DataInputStream in, Path file, int bytesEach) throws IOException {
        final int n = in.readInt();
        if (n < 0 || (long) n * bytesEach > Files.size(file)) {
            throw new CorruptSnapshotException(file, "impossible count " + n);
        }
        return n;
    }

    private static void forceDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // some file systems can not open a directory for reading; the rename is still atomic
        }
    }

    private static OutputStream unclosable(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() {
                // the channel is closed by its owner, after force()
            }
        };
    }

    /** A snapshot that can not be trusted; recovery falls back to the one before. */
    public static final class CorruptSnapshotException extends IOException {
        CorruptSnapshotException(Path file, String why) {
            super(file + ": " + why);
        }
    }
}
