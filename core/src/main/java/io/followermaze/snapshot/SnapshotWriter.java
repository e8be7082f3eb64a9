package io.followermaze.snapshot;

import io.followermaze.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes snapshots on its own thread, so that the pipeline pauses only for the capture. One snapshot is in flight at
 * a time: the pipeline thread asks for the buffer ({@link #tryBegin}, null while the last one is still being
 * written: it tries again later), fills it, and {@link #submit}s it; this thread writes the file, prunes old
 * snapshots and tells {@code onWritten}. The hand-over is two counters, each with one writer.
 */
public final class SnapshotWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotWriter.class);

    /** Told on the writer thread after a snapshot is durable and old ones are pruned. */
    @FunctionalInterface
    public interface Written {
        /**
         * @param snapshot the snapshot written
         * @param fallback the older snapshot kept as fallback (read back), or null: the journal may drop what comes
         *                 wholly before the fallback's position (or before {@code snapshot}'s when there is none)
         */
        void after(Snapshot snapshot, Snapshot fallback);
    }

    private final Snapshot buffer = new Snapshot();
    private final SnapshotStore store;
    private final Written onWritten;
    private final Thread thread;
    /** Snapshots handed over. Written by the pipeline thread only. */
    private volatile long submitted;
    /** Snapshots written or failed. Written by the writer thread only. */
    private volatile long finished;
    /** Written by the thread that closes this writer, once. */
    private volatile boolean closing;
    /** Written by the writer thread only. */
    private final Counter written = new Counter();
    private final Counter failed = new Counter();

    public SnapshotWriter(SnapshotStore store, Written onWritten) {
        this.store = store;
        this.onWritten = onWritten;
        this.thread = new Thread(this::run, "followermaze-snapshot");
        thread.setDaemon(true);
        thread.start();
    }

    /** Pipeline thread: the buffer to capture into, or null while the previous snapshot is still being written. */
    public Snapshot tryBegin() {
        return submitted == finished ? buffer : null;
    }

    /** Pipeline thread: the buffer from {@link #tryBegin} is filled; write it. */
    public void submit() {
        submitted = submitted + 1;
        LockSupport.unpark(thread);
    }

    private void run() {
        while (true) {
            final long target = submitted;
            if (finished < target) {
                final boolean ok = write();
                finished = target;
                // counted after the buffer is free again: whoever sees the count can take the next snapshot at once
                (ok ? written : failed).increment();
            } else if (closing) {
                return;
            } else {
                LockSupport.park(this);
            }
        }
    }

    /** @return false when the write failed (logged) */
    private boolean write() {
        final long started = System.nanoTime();
        final Path file = store.pathFor(buffer);
        try {
            SnapshotFile.write(buffer, file);
            final Path fallbackFile = store.prune();
            Snapshot fallback = null;
            if (fallbackFile != null && !fallbackFile.equals(file)) {
                fallback = new Snapshot();
                SnapshotFile.read(fallbackFile, fallback);
            }
            LOG.info("Snapshot written: {} ({}; {} ms)", file.getFileName(), buffer,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            onWritten.after(buffer, fallback);
            return true;
        } catch (IOException | RuntimeException e) {
            // The journal still holds everything since the last good snapshot: nothing is lost, recovery is longer.
            LOG.error("Snapshot {} could not be written ({}); the journal is kept whole until one is", file, e.toString());
            return false;
        }
    }

    /** Snapshots written so far (any thread). */
    public long written() {
        return written.get();
    }

    /** Snapshots that failed (any thread). */
    public long failed() {
        return failed.get();
    }

    /** Waits for the snapshot in flight (if any) to be written, then ends the thread. */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
