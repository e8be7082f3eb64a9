package io.followermaze.journal;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.Sequence;
import io.followermaze.pipeline.IngressEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * The journal stage: sees every ring entry before the sequence-route stage (which is gated on it), appends each
 * event-lines entry's bytes as one record and writes the batch at its end, so that nothing is routed before it is
 * written (to the OS; to disk as well under {@code fsync batch}). Registrations and ticks are not journaled.
 * <p>
 * A failed write is fatal ({@link JournalWriteError}): see there. Runs on its own Disruptor thread; allocates
 * nothing per entry or batch.
 */
public final class Journaller implements EventHandler<IngressEntry> {
    private static final Logger LOG = LoggerFactory.getLogger(Journaller.class);

    /** The stage's name in the pipeline topology. */
    public static final String STAGE = "journal";

    // Set once by attach(), on the thread that builds the pipeline, before the stage's thread starts.
    private JournalWriter writer;
    private JournalSyncer syncer;
    private AutoCloseable onClose;

    /** A stage that writes nothing until {@link #attach} gives it its writer (before the pipeline starts). */
    public Journaller() {
    }

    public Journaller(JournalWriter writer) {
        attach(writer, null);
    }

    /**
     * Gives the stage its writer: after recovery, before the pipeline starts (the start publishes it).
     *
     * @param onClose closed after the writer when the stage shuts down (the directory lock), or null
     */
    public void attach(JournalWriter writer, AutoCloseable onClose) {
        if (this.writer != null) {
            throw new IllegalStateException("journal writer already attached");
        }
        this.writer = writer;
        this.onClose = onClose;
        this.releaseEarly = early != null && writer.fsync().mode() != FsyncPolicy.Mode.BATCH;
        this.syncer = writer.fsync().mode() == FsyncPolicy.Mode.INTERVAL
            ? new JournalSyncer(writer, writer.fsync().intervalMillis()) : null;
    }

    /**
     * Set by the Disruptor before the stage starts: moving it lets the stage behind start on entries before the end of
     * this stage's batch. Moved only past entries whose records have been written (to the OS), and only when the
     * fsync policy does not promise more ({@code batch} forces first, at the batch end).
     */
    private Sequence early;
    private boolean releaseEarly;

    @Override
    public void setSequenceCallback(Sequence sequenceCallback) {
        this.early = sequenceCallback;
        this.releaseEarly = writer != null && writer.fsync().mode() != FsyncPolicy.Mode.BATCH;
    }

    @Override
    public void onEvent(IngressEntry entry, long sequence, boolean endOfBatch) {
        try {
            if (entry.kind() == IngressEntry.Kind.EVENT_LINES) {
                final boolean wroteEarlier = writer.append(entry.bytes(), 0, entry.length());
                // where replay resumes after a snapshot that includes this entry (read by sequence-route)
                entry.journaled(writer.segmentIndex(), writer.segmentBytes(), writer.records());
                if (wroteEarlier && releaseEarly) {
                    early.set(sequence - 1); // every entry before this one is written
                }
            }
            if (endOfBatch) {
                writer.endBatch();
            }
        } catch (IOException e) {
            throw new JournalWriteError("journal write failed at " + writer.position(), e);
        }
    }

    /** The pipeline stops (drained): the last batch is on disk, the segment closed. */
    @Override
    public void onShutdown() {
        if (writer == null) {
            return;
        }
        if (syncer != null) {
            syncer.close();
        }
        try {
            writer.close();
            LOG.info("Journal closed at {} ({} bytes written, {} writes, {} fsyncs)", writer.position(),
                writer.bytesWritten(), writer.writes(), writer.forces());
        } catch (IOException e) {
            LOG.error("Journal: closing failed: {}", e.toString());
        } finally {
            if (onClose != null) {
                try {
                    onClose.close();
                } catch (Exception e) {
                    LOG.warn("Journal: releasing the directory lock failed: {}", e.toString());
                }
            }
        }
    }

    public JournalWriter writer() {
        return writer;
    }
}
