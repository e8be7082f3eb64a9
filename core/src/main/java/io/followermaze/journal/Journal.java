package io.followermaze.journal;

import io.followermaze.pipeline.SequenceRouteStage;
import io.followermaze.pipeline.PipelineConfig;
import io.followermaze.pipeline.PipelineTopology;
import io.followermaze.snapshot.Snapshot;
import io.followermaze.snapshot.SnapshotStore;
import io.followermaze.snapshot.SnapshotWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The input journal of one server: its pipeline stage ({@link #stage()}, put ahead of sequence-route) and its
 * recovery ({@link #recoverInto}, run by the pipeline before it starts). Recovery reads the journal directory
 * ({@link JournalReader}: a torn tail is truncated, damage in the middle refuses the start unless
 * {@link JournalConfig#repair()}), replays every record through the sequence-route stage with the egress off, then
 * opens the writer at the end of the last good record, so that new input continues the same journal. Replayed
 * records do not pass the ring, so they are never journaled twice.
 */
public final class Journal {
    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

    /**
     * What recovery found and rebuilt.
     *
     * @param nextSeq the resequencer's cursor after the replay: the next seq awaited
     * @param digest  {@link io.followermaze.graph.FollowerGraph#digest()} of the rebuilt graph
     */
    public record Recovery(JournalReader.Result read, long released, long users, long edges,
                           long held, long nextSeq, long digest, long nanos) {
    }

    private final JournalConfig config;
    private final int bufferBytes;
    private final JournalWriter.ChannelOpener opener;
    private final Journaller journaller = new Journaller();
    private final SnapshotStore snapshots;
    /** Set by recovery (the constructing thread, before the pipeline starts); null when snapshots are off. */
    private volatile SnapshotWriter snapshotWriter;
    private volatile Recovery recovery;

    public Journal(JournalConfig config, PipelineConfig pipeline) {
        this(config, pipeline, JournalWriter.ChannelOpener.DEFAULT);
    }

    /** @param opener opens segment files for writing (tests inject failures here) */
    public Journal(JournalConfig config, PipelineConfig pipeline, JournalWriter.ChannelOpener opener) {
        if (!config.enabled()) {
            throw new IllegalArgumentException("no journal directory set");
        }
        this.config = config;
        this.bufferBytes = JournalWriter.bufferBytesFor(pipeline.chunkBytes());
        this.opener = opener;
        this.snapshots = new SnapshotStore(config.dir());
    }

    /** The journal stage, to be put ahead of sequence-route. */
    public PipelineTopology.Stage stage() {
        return new PipelineTopology.Stage(Journaller.STAGE, journaller);
    }

    /** For {@code Pipeline}'s {@code beforeStart}: {@code journal::recoverInto}. */
    public Consumer<SequenceRouteStage> recovery() {
        return this::recoverInto;
    }

    /**
     * Replays the journal into {@code stage} and attaches the writer. On the thread that builds the pipeline, before
     * it starts.
     *
     * @throws UncheckedIOException with a {@link JournalCorruptException} when the journal is damaged in the middle
     *                              (and repair is off), or with the I/O error that stopped the reading or opening
     */
    public void recoverInto(SequenceRouteStage stage) {
        final long start = System.nanoTime();
        final FileChannel lockFile;
        try {
            lockFile = lock();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            final JournalReader.Result read = rebuild(config.dir(),
                config.repair() ? JournalReader.Mode.REPAIR : JournalReader.Mode.RECOVER, stage).read();
            journaller.attach(new JournalWriter(config, read, bufferBytes, opener), lockFile);
            if (config.snapshotEvery() > 0) {
                snapshotWriter = new SnapshotWriter(snapshots, this::dropSegmentsBefore);
                final JournalPosition end = read.end();
                stage.snapshotEvery(config.snapshotEvery(), snapshotWriter, end.segmentIndex(), end.offset(),
                    end.record());
            }
            final long nanos = System.nanoTime() - start;
            final long released = stage.resequencer().releasedCount().get();
            final long skipped = stage.resequencer().seqsSkipped().get();
            final Recovery r = new Recovery(read, released, stage.graph().userCount(),
                stage.graph().edgeCount(), stage.resequencer().pending(), released + skipped + 1, stage.graph().digest(),
                nanos);
            recovery = r;
            LOG.info("Journal recovered from {}: {} records ({} bytes) in {} segment(s) replayed in {} ms: {} events "
                    + "released, {} users, {} edges, {} events held, next seq {}, graph digest {}{}", config.dir(),
                read.records(), read.payloadBytes(), read.segments().size(), nanos / 1_000_000, released, r.users(),
                r.edges(), r.held(), r.nextSeq(), Long.toHexString(r.digest()), read.bytesDropped() > 0 ? ", " + read.bytesDropped() + " bytes dropped" : "");
        } catch (IOException | RuntimeException e) {
            try {
                lockFile.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /**
     * After a snapshot is written (on its thread): segments wholly before the fallback snapshot's position go, so the
     * journal holds what the two kept snapshots need and no more. Only closed segments are deleted; the writer's is
     * at or after the newest snapshot's position.
     */
    private void dropSegmentsBefore(Snapshot newest, Snapshot fallback) {
        if (fallback == null) {
            return; // no fallback yet: keep everything, the one snapshot might be damaged
        }
        try {
            for (Path segment : JournalReader.segmentFiles(config.dir())) {
                final long index = JournalFormat.segmentIndex(segment);
                if (index >= 0 && index < fallback.journalSegment) {
                    Files.deleteIfExists(segment);
                    LOG.info("Journal segment {} deleted: wholly before snapshot {} (the fallback)",
                        segment.getFileName(), fallback.journalRecord);
                }
            }
        } catch (IOException e) {
            LOG.warn("Journal: deleting segments before {} failed ({}); they stay", fallback.journalSegment, e.toString());
        }
    }

    /** Snapshots written so far (0 when off). */
    public long snapshotsWritten() {
        final SnapshotWriter w = snapshotWriter;
        return w == null ? 0 : w.written();
    }

    /** What {@link #rebuild} found: the snapshot it started from (null: none) and the journal read after it. */
    public record Rebuilt(Path snapshotFile, Snapshot snapshot, JournalReader.Result read) {
    }

    /**
     * Rebuilds state into a fresh {@code stage} from {@code dir}: the newest good snapshot (if any), then every
     * journal record after its position. The one way recovery, the replay tool and tests rebuild.
     */
    public static Rebuilt rebuild(Path dir, JournalReader.Mode mode, SequenceRouteStage stage) throws IOException {
        final Snapshot snapshot = new Snapshot();
        final Path snapshotFile = new SnapshotStore(dir).loadNewestGood(snapshot);
        JournalPosition from = null;
        if (snapshotFile != null) {
            stage.restore(snapshot);
            from = new JournalPosition(snapshot.journalSegment, snapshot.journalOffset, snapshot.journalRecord);
            LOG.info("Snapshot {} loaded: {}; replaying the journal from {}", snapshotFile.getFileName(), snapshot,
                from);
        }
        final JournalReader.Result read = JournalReader.read(dir, mode, from,
            (payload, offset, length, at) -> stage.replay(payload, offset, length));
        return new Rebuilt(snapshotFile, snapshotFile == null ? null : snapshot, read);
    }

    /** The name of the lock file in the journal directory. */
    public static final String LOCK_FILE = SnapshotStore.LOCK_FILE;

    /** Two servers appending to one journal would interleave records: see {@link SnapshotStore#lock}. */
    private FileChannel lock() throws IOException {
        return snapshots.lock("journal");
    }

    /** What recovery did, or null before it ran. */
    public Recovery lastRecovery() {
        return recovery;
    }

    public JournalConfig config() {
        return config;
    }

    /** The stage's writer (null before recovery). */
    public JournalWriter writer() {
        return journaller.writer();
    }
}
