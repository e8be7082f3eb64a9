package io.followermaze.journal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Appends records to the journal's segments (format: {@link JournalFormat}). One thread appends (the journal stage's);
 * records are gathered in a preallocated direct buffer and written with one {@code write} per batch
 * ({@link #endBatch()}), or earlier when the buffer is full. Nothing is allocated per record or per batch.
 * <p>
 * Fsync per {@link FsyncPolicy}: {@code batch} forces at every batch end; {@code interval} leaves it to a
 * {@link JournalSyncer} thread that calls {@link #forceFromSyncer()} (safe from another thread: it forces whichever
 * segment is current; a segment being closed by a roll is forced by the roll itself).
 */
public final class JournalWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JournalWriter.class);

    /** Opens segment files; tests pass one that fails on demand. */
    @FunctionalInterface
    public interface ChannelOpener {
        FileChannel open(Path file, OpenOption... options) throws IOException;

        ChannelOpener DEFAULT = FileChannel::open;
    }

    private final Path dir;
    private final long segmentLimit;
    private final FsyncPolicy fsync;
    private final ChannelOpener opener;
    private final ByteBuffer buffer;
    /**
     * A batch's records are written out once this many are buffered, not only at its end: the sequence-route stage
     * may then start on them while the rest of the batch is journaled (see {@link Journaller}).
     */
    private final int writeThreshold;
    static final int EARLY_WRITE_BYTES = 256 * 1024;
    private final CRC32C crc = new CRC32C();

    // ---- appending thread only ----
    private long segmentIndex;
    /** Bytes of the current segment in the file and in the buffer: where the next record starts. */
    private long segmentBytes;
    /** Records in earlier segments and so far in this one. */
    private long records;
    private long firstRecordOfSegment;
    /** Records in the current segment (buffered ones included). */
    private long segmentRecords;
    private boolean hasSegment;

    /** The current segment's channel: written by the appending thread, forced by the syncer. */
    private volatile FileChannel channel;
    /** A force that failed on the syncer thread; the appending thread turns it into a fatal error. */
    private volatile IOException syncFailure;

    // the syncer thread's own: what it forced last
    private FileChannel forcedChannel;
    private long forcedUpTo = -1;

    // statistics, written by the appending thread only (plain long reads from others are fine for a gauge)
    private volatile long bytesWritten;
    private volatile long writes;
    private volatile long forces;
    /** Forces by the syncer thread (its own counter: each counter has one writer). */
    private volatile long syncerForces;

    /**
     * Continues the journal at {@code end} (from {@link JournalReader}: the last segment, truncated to its last good
     * record), or starts segment 0 in an empty directory.
     *
     * @param bufferBytes the write buffer: at least the largest record ({@code chunkBytes} + 8)
     */
    public JournalWriter(JournalConfig config, JournalReader.Result end, int bufferBytes, ChannelOpener opener)
        throws IOException {
        this.dir = config.dir();
        this.segmentLimit = config.segmentBytes();
        this.fsync = config.fsync();
        this.opener = opener;
        this.buffer = ByteBuffer.allocateDirect(Math.max(bufferBytes, JournalFormat.HEADER_BYTES * 2));
        this.writeThreshold = Math.min(buffer.capacity() / 4 * 3, Math.max(EARLY_WRITE_BYTES, buffer.capacity() / 4));
        Files.createDirectories(dir);
        this.records = end.records();
        if (!end.segments().isEmpty()) {
            final JournalReader.Segment last = end.segments().get(end.segments().size() - 1);
            segmentIndex = last.index();
            segmentBytes = end.end().offset();
            firstRecordOfSegment = last.firstRecord();
            segmentRecords = records - firstRecordOfSegment;
            final FileChannel ch = opener.open(last.file(), StandardOpenOption.WRITE);
            if (ch.size() != segmentBytes) {
                ch.close();
                throw new IOException(last.file() + " is " + ch.size() + " bytes, expected " + segmentBytes);
            }
            ch.position(segmentBytes);
            channel = ch;
            hasSegment = true;
        }
    }

    /** A buffer that holds a record of any size up to {@code chunkBytes} on top of the early-write threshold. */
    public static int bufferBytesFor(int chunkBytes) {
        return Math.max(1 << 20, 4 * (chunkBytes + JournalFormat.RECORD_HEADER_BYTES));
    }

    /**
     * Appends one record (buffered; written at {@link #endBatch()}, or first, when the buffer holds
     * {@link #writeThreshold} bytes, what came before it).
     *
     * @return true if the records appended before this one were written out first (all of them are now with the OS)
     */
    public boolean append(byte[] payload, int offset, int length) throws IOException {
        if (length < 1) {
            return false;
        }
        final int recordBytes = JournalFormat.RECORD_HEADER_BYTES + length;
        if (recordBytes > buffer.capacity()) {
            throw new IOException("record of " + length + " bytes is larger than the journal's write buffer ("
                + buffer.capacity() + ")");
        }
        boolean wrote = false;
        if (!hasSegment || segmentRecords > 0 && segmentBytes + recordBytes > segmentLimit) {
            wrote = hasSegment;
            roll();
        }
        if (buffer.position() > 0 && buffer.position() + recordBytes > writeThreshold) {
            writeBuffer();
            wrote = true;
        }
        final int at = buffer.position();
        buffer.putInt(at, JournalFormat.recordCrc(crc, payload, offset, length));
        buffer.putInt(at + 4, length);
        buffer.put(at + JournalFormat.RECORD_HEADER_BYTES, payload, offset, length);
        buffer.position(at + recordBytes);
        segmentBytes += recordBytes;
        segmentRecords++;
        records++;
        return wrote;
    }

    /** Writes what the batch appended, and forces it under {@code fsync batch}. */
    public void endBatch() throws IOException {
        final IOException failed = syncFailure;
        if (failed != null) {
            throw new IOException("journal fsync failed: " + failed.getMessage(), failed);
        }
        if (buffer.position() > 0) {
            writeBuffer();
            if (fsync.mode() == FsyncPolicy.Mode.BATCH) {
                force(channel);
            }
        }
    }

    private void writeBuffer() throws IOException {
        buffer.flip();
        final FileChannel ch = channel;
        final int n = buffer.remaining();
        while (buffer.hasRemaining()) {
            ch.write(buffer);
        }
        buffer.clear();
        bytesWritten += n;
        writes++;
    }

    private void force(FileChannel ch) throws IOException {
        ch.force(false);
        forces++;
    }

    /** Closes the current segment (written and, unless {@code never}, forced) and starts the next one. */
    private void roll() throws IOException {
        final long next;
        if (hasSegment) {
            if (buffer.position() > 0) {
                writeBuffer();
            }
            final FileChannel old = channel;
            if (fsync.mode() != FsyncPolicy.Mode.NEVER) {
                force(old);
            }
            old.close();
            next = segmentIndex + 1;
        } else {
            next = 0;
        }
        final Path file = dir.resolve(JournalFormat.segmentName(next));
        final FileChannel ch = opener.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        segmentIndex = next;
        firstRecordOfSegment = records;
        segmentRecords = 0;
        hasSegment = true;
        channel = ch;
        JournalFormat.putHeader(buffer, next, records, segmentLimit, crc);
        segmentBytes = JournalFormat.HEADER_BYTES;
        if (fsync.mode() != FsyncPolicy.Mode.NEVER) {
            writeBuffer();
            force(ch);
            forceDirectory();
        }
        LOG.debug("Journal: started {}", file);
    }

    private void forceDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            LOG.debug("Journal: cannot force directory {} ({}); the file system may not support it", dir, e.toString());
        }
    }

    /** From the {@link JournalSyncer}'s thread: forces the current segment. */
    void forceFromSyncer() {
        final FileChannel ch = channel;
        final long written = bytesWritten;
        if (ch == null || ch == forcedChannel && written == forcedUpTo) {
            return; // nothing written since the last force
        }
        try {
            ch.force(false);
            forcedChannel = ch;
            forcedUpTo = written;
            syncerForces++;
        } catch (ClosedChannelException rolled) {
            // the segment was closed by a roll, which forced it first
        } catch (IOException e) {
            if (syncFailure == null) {
                LOG.error("Journal: fsync of {} failed: {}", dir, e.toString());
            }
            syncFailure = e;
        }
    }

    /** The segment the next record goes to (unless it rolls); with {@link #segmentBytes()}, allocation-free. */
    public long segmentIndex() {
        return segmentIndex;
    }

    /** Bytes in the current segment, header included: where the next record will start. */
    public long segmentBytes() {
        return segmentBytes;
    }

    /** Where the next record will start. */
    public JournalPosition position() {
        return new JournalPosition(segmentIndex, segmentBytes, records);
    }

    public long records() {
        return records;
    }

    public long bytesWritten() {
        return bytesWritten;
    }

    public long writes() {
        return writes;
    }

    /** Forces so far, by the appending thread and the syncer. */
    public long forces() {
        return forces + syncerForces;
    }

    public FsyncPolicy fsync() {
        return fsync;
    }

    /** Writes what is buffered, forces it and closes the segment. */
    @Override
    public void close() throws IOException {
        final FileChannel ch = channel;
        if (ch == null || !ch.isOpen()) {
            return;
        }
        try {
            if (buffer.position() > 0) {
                writeBuffer();
            }
            force(ch);
        } finally {
            ch.close();
        }
    }
}
