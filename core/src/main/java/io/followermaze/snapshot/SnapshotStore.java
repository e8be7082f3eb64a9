package io.followermaze.snapshot;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The snapshots in a directory, named {@code snapshot-<journal record, 20 digits>.snap} so that names sort as
 * snapshots do. The newest good one is loaded at start (a damaged one is logged and the one before it tried); after
 * each new snapshot all but the newest {@value #KEEP} are deleted, the older kept one being the fallback.
 */
public final class SnapshotStore {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotStore.class);
    /** Snapshots kept: the newest and one fallback. */
    public static final int KEEP = 2;
    private static final String PREFIX = "snapshot-";
    private static final String SUFFIX = ".snap";

    /** The name of the lock file in the directory. */
    public static final String LOCK_FILE = "lock";

    private final Path dir;

    public SnapshotStore(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Locks the directory (created if missing) for this process; the lock is released when the channel is closed,
     * or by the OS when the process dies: two servers writing to one directory would spoil each other's files.
     *
     * @param what what the directory holds, for the error ("journal", "snapshot directory")
     * @throws IOException when another process (or this one) holds it
     */
    public FileChannel lock(String what) throws IOException {
        Files.createDirectories(dir);
        final Path file = dir.resolve(LOCK_FILE);
        final FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        boolean locked = false;
        try {
            locked = ch.tryLock() != null;
        } catch (OverlappingFileLockException heldHere) {
            // held by this very process
        } finally {
            if (!locked) {
                ch.close();
            }
        }
        if (!locked) {
            throw new IOException(what + " " + dir + " is in use by another server (" + file + " is locked)");
        }
        return ch;
    }

    public Path pathFor(Snapshot s) {
        return dir.resolve(String.format("%s%020d%s", PREFIX, s.journalRecord, SUFFIX));
    }

    /** Snapshot files, newest first (temporary files of an interrupted write are not listed). */
    public List<Path> newestFirst() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> {
                final String name = f.getFileName().toString();
                return name.startsWith(PREFIX) && name.endsWith(SUFFIX);
            }).sorted(Comparator.comparing((Path f) -> f.getFileName().toString()).reversed()).toList();
        }
    }

    /**
     * Reads the newest snapshot whose checks hold into {@code into}, falling back to older ones; each damaged one is
     * logged (file and reason) and left in place for inspection.
     *
     * @return the file read, or null when there is no good snapshot (recovery then replays the whole journal)
     */
    public Path loadNewestGood(Snapshot into) throws IOException {
        for (Path file : newestFirst()) {
            try {
                SnapshotFile.read(file, into);
                return file;
            } catch (SnapshotFile.CorruptSnapshotException e) {
                LOG.error("Snapshot {} is damaged ({}); trying the one before it", file, e.getMessage());
            }
        }
        return null;
    }

    /**
     * Deletes all but the newest {@link #KEEP} snapshots.
     *
     * @return the oldest snapshot kept, read back (its journal position bounds what the journal may delete), or
     *         null when fewer than {@link #KEEP} exist
     */
    public Path prune() throws IOException {
        final List<Path> all = new ArrayList<>(newestFirst());
        for (int i = KEEP; i < all.size(); i++) {
            Files.deleteIfExists(all.get(i));
        }
        return all.size() >= KEEP ? all.get(KEEP - 1) : null;
    }
}
