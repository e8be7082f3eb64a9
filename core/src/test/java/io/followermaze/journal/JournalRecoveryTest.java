package io.followermaze.journal;

import io.followermaze.testkit.LogCapture;
import io.followermaze.pipeline.SequenceRouteStage;
import io.followermaze.snapshot.SnapshotStore;
import io.followermaze.snapshot.SnapshotFile;
import io.followermaze.snapshot.Snapshot;
import ch.qos.logback.classic.Level;
import io.followermaze.graph.FollowerGraph;
import io.followermaze.ingress.LineFramer;
import io.followermaze.pipeline.EgressListener;
import io.followermaze.pipeline.Pipeline;
import io.followermaze.pipeline.PipelineConfig;
import io.followermaze.session.ClientSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The journal stage in a real pipeline: it gates routing, recovery rebuilds graph, cursor and held events, failures. */
class JournalRecoveryTest {
    private static final PipelineConfig SMALL = PipelineConfig.DEFAULT.withMaxLineLength(100).withChunkBytes(512)
        .withWindowSize(64).withRingSize(16);

    @TempDir
    Path dir;

    static final class Recording extends ClientSession {
        final ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();

        Recording(long user) {
            super(user);
        }

        @Override
        public void deliver(byte[] payload, int offset, int length) {
            received.add(new String(payload, offset, length, StandardCharsets.ISO_8859_1));
        }

        List<String> list() {
            return new ArrayList<>(received);
        }
    }

    /** Without snapshots: recovery replays the whole journal (the tests of the journal itself). */
    private JournalConfig journal(FsyncPolicy fsync) {
        return JournalConfig.builder().dir(dir).segmentBytes(4096).fsync(fsync).snapshotEvery(0).build();
    }

    private static Pipeline pipeline(Journal journal, AtomicReference<Throwable> fatal) {
        return new Pipeline(SMALL, EgressListener.NONE, Thread::new, fatal::set, List.of(journal.stage()),
            journal.recovery());
    }

    private static void publish(Pipeline p, String text) {
        final byte[] wire = text.getBytes(StandardCharsets.ISO_8859_1);
        LineFramer.publishAll(p, wire, 0, wire.length);
    }

    static void await(BooleanSupplier condition, Supplier<String> what) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for " + what.get());
            }
            LockSupport.parkNanos(200_000);
        }
    }

    @Test
    void nothingIsRoutedBeforeItIsWritten() throws Exception {
        final CountDownLatch writing = new CountDownLatch(1);
        final CountDownLatch letGo = new CountDownLatch(1);
        final JournalWriter.ChannelOpener opener = (file, options) -> new FaultyChannel(FileChannel.open(file, options),
            src -> {
                if (src.remaining() > JournalFormat.HEADER_BYTES) { // a batch of records, not only a header
                    writing.countDown();
                    try {
                        letGo.await();
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                }
            });
        final AtomicReference<Throwable> fatal = new AtomicReference<>();
        final Recording session = new Recording(1);
        final Journal journal = new Journal(journal(FsyncPolicy.NEVER), SMALL, opener);
        try (Pipeline p = pipeline(journal, fatal)) {
            assertEquals("ingress ring ─► journal ─► sequence-route ─► egress", p.topology().picture());
            p.register(session);
            publish(p, "1|B\n");
            assertTrue(writing.await(20, TimeUnit.SECONDS), "the journal writes");
            // the write is in progress: sequence-route has not seen the entry
            assertEquals(0, p.stats().released());
            assertTrue(session.list().isEmpty());
            letGo.countDown();
            await(() -> p.stats().released() == 1, () -> "seq 1 released once written");
            assertEquals(List.of("1|B"), session.list());
        }
        final List<String> journaled = new ArrayList<>();
        JournalReader.read(dir, JournalReader.Mode.INSPECT,
            (b, o, l, at) -> journaled.add(new String(b, o, l, StandardCharsets.US_ASCII)));
        assertEquals(List.of("1|B\n"), journaled, "the event lines, not the registration");
    }

    @Test
    void recoveryRebuildsGraphCursorAndHeldEvents() throws Exception {
        final AtomicReference<Throwable> fatal = new AtomicReference<>();
        final StringBuilder first = new StringBuilder();
        first.append("1|F|2|1\n3|F|3|1\n2|F|4|1\n4|U|3|1\n5|F|1|9\n6|P|2|1\n");
        first.append("8|S|2\n9|S|1\n10|B\n"); // 7 missing: a gap open at the crash
        first.append("garbage\n11|F|5|"); // a rejected line and a trailing fragment: replayed, counted the same
        try (Pipeline p = pipeline(new Journal(journal(FsyncPolicy.BATCH), SMALL), fatal)) {
            publish(p, first.toString());
            await(() -> p.stats().released() == 6 && p.stats().pending() == 3, () -> "6 released, 3 held");
            assertEquals(3, p.stats().graphFollows());
        }
        // 2 -> 1, 4 -> 1 and 1 -> 9 (3 -> 1 was undone)
        final long digest = FollowerGraph.edgeHash(2, 1) + FollowerGraph.edgeHash(4, 1) + FollowerGraph.edgeHash(1, 9);

        final Journal again = new Journal(journal(FsyncPolicy.BATCH), SMALL);
        final Recording follower = new Recording(1); // follows 9
        final Recording followerOf2 = new Recording(4); // follows 1
        try (LogCapture log = new LogCapture(Journal.class.getName());
             Pipeline p = pipeline(again, fatal)) {
            final Journal.Recovery r = again.lastRecovery();
            assertNotNull(r);
            assertEquals(6, r.released());
            assertEquals(3, r.held());
            assertEquals(7, r.nextSeq());
            assertEquals(3, r.edges());
            assertEquals(7, p.stats().lastReleasedSeq() + 1);
            assertEquals(2, p.stats().rejectedTotal(), "the garbage line and the fragment, as the first time");
            final String info = log.events(Level.INFO).get(0).getFormattedMessage();
            assertTrue(info.contains("6 events released") && info.contains("3 events held")
                && info.contains("next seq 7"), info);

            p.register(follower);
            p.register(followerOf2);
            // the source resends everything from seq 1, now with 7: 1..6 and 8..10 are duplicates
            publish(p, "1|F|2|1\n2|F|4|1\n3|F|3|1\n4|U|3|1\n5|F|1|9\n6|P|2|1\n7|S|9\n8|S|2\n9|S|1\n10|B\n11|P|4|1\n");
            await(() -> p.stats().released() == 11, () -> "released through 11, was " + p.stats().released());
            assertEquals(9, p.stats().duplicatesDropped());
            // 7|S|9 goes to 1 (follows 9); 8|S|2 to nobody; 9|S|1 to 2 and 4 (4 connected); 10|B to both; 11|P to 1
            await(() -> follower.list().size() == 3, () -> "user 1's three: " + follower.list());
            assertEquals(List.of("7|S|9", "10|B", "11|P|4|1"), follower.list());
            assertEquals(List.of("9|S|1", "10|B"), followerOf2.list());
            assertEquals(digest, r.digest());
        }
    }

    @Test
    void aFailedWriteIsFatalAndNothingIsRouted() throws Exception {
        final JournalWriter.ChannelOpener full = (file, options) -> new FaultyChannel(FileChannel.open(file, options),
            src -> {
                throw new IOException("No space left on device");
            });
        final AtomicReference<Throwable> fatal = new AtomicReference<>();
        final Recording session = new Recording(1);
        try (LogCapture log = new LogCapture(Pipeline.class.getName());
             Pipeline p = pipeline(new Journal(journal(FsyncPolicy.NEVER), SMALL, full), fatal)) {
            p.register(session);
            publish(p, "1|B\n");
            await(() -> fatal.get() != null, () -> "the fatal error");
            assertInstanceOf(JournalWriteError.class, fatal.get());
            assertTrue(fatal.get().getMessage().contains("No space left on device"), fatal.get().getMessage());
            assertEquals(0, p.stats().released());
            assertTrue(session.list().isEmpty());
            assertTrue(!p.isRunning());
            assertTrue(log.events(Level.ERROR).get(0).getFormattedMessage().contains("FATAL"));
        }
    }

    @Test
    void oneServerAtATimePerJournal() {
        final AtomicReference<Throwable> fatal = new AtomicReference<>();
        try (Pipeline p = pipeline(new Journal(journal(FsyncPolicy.NEVER), SMALL), fatal)) {
            final UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> pipeline(new Journal(journal(FsyncPolicy.NEVER), SMALL), fatal).close());
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
        // released at shutdown
        pipeline(new Journal(journal(FsyncPolicy.NEVER), SMALL), fatal).close();
    }

    @Test
    void damageInTheMiddleStopsThePipelineFromStarting() throws Exception {
        final AtomicReference<Throwable> fatal = new AtomicReference<>();
        try (Pipeline p = pipeline(new Journal(journal(FsyncPolicy.NEVER), SMALL), fatal)) {
            for (int i = 1; i <= 1000; i++) {
                publish(p, i + "|B\n");
            }
            final long target = 1000;
            await(() -> p.stats().released() == target, () -> "1000 released");
        }
        final List<Path> segments = JournalReader.segmentFiles(dir);
        assertTrue(segments.size() > 2);
        JournalSegmentTest.flip(segments.get(0), JournalFormat.HEADER_BYTES + 10);
        final UncheckedIOException e = assertThrows(UncheckedIOException.class,
            () -> pipeline(new Journal(journal(FsyncPolicy.NEVER), SMALL), fatal).close());
        assertInstanceOf(JournalCorruptException.class, e.getCause());
        // with repair it starts, from what came before the damage
        final Journal repaired = new Journal(journal(FsyncPolicy.NEVER).toBuilder().repair(true).build(), SMALL);
        try (Pipeline p = pipeline(repaired, fatal)) {
            assertEquals(0, repaired.lastRecovery().released());
            assertTrue(repaired.lastRecovery().read().bytesDropped() > 0);
            publish(p, "1|B\n");
            await(() -> p.stats().released() == 1, () -> "a fresh start");
        }
    }

    /**
     * With snapshots: recovery loads the newest good snapshot and replays only the journal after it; segments before
     * the fallback snapshot are deleted; a damaged newest snapshot falls back to the one before; with no good snapshot
     * left, a journal whose start was deleted refuses the start rather than rebuild a wrong state.
     */
    @Test
    void recoveryStartsFromTheNewestGoodSnapshotFallsBackAndNeverRebuildsFromAPartialJournal() throws Exception {
        final JournalConfig config = JournalConfig.builder().dir(dir).segmentBytes(4096).fsync(FsyncPolicy.NEVER)
            .snapshotEvery(200).build();
        final AtomicReference<Throwable> fatal = new AtomicReference<>();
        final long digest;
        final Journal first = new Journal(config, SMALL);
        try (Pipeline p = pipeline(first, fatal)) {
            // 200 events at a time, each time until its snapshot is written: five snapshots, whatever the timing
            // (a due snapshot waits for a batch end with the writer free)
            for (int step = 1; step <= 5; step++) {
                for (int i = (step - 1) * 200 + 1; i <= step * 200; i++) {
                    publish(p, i + "|F|" + (i % 50 + 1) + "|" + (i * 7 % 50 + 1) + "\n");
                }
                final long released = step * 200L;
                final long snapshots = step;
                await(() -> p.stats().released() == released && first.snapshotsWritten() == snapshots,
                    () -> released + " released and " + snapshots + " snapshots written");
            }
            p.drainAndStop(10, java.util.concurrent.TimeUnit.SECONDS); // nothing new since: no shutdown snapshot
            digest = digestOf(config);
        }
        final SnapshotStore store = new SnapshotStore(dir);
        assertEquals(SnapshotStore.KEEP, store.newestFirst().size(), "the newest two snapshots are kept");
        assertTrue(JournalFormat.segmentIndex(JournalReader.segmentFiles(dir).get(0)) > 0,
            "segments before the fallback snapshot are deleted");

        final Journal fromNewest = new Journal(config, SMALL);
        try (Pipeline p = pipeline(fromNewest, fatal)) {
            assertEquals(0, fromNewest.lastRecovery().read().records() - snapshotRecord(store, 0),
                "nothing after the shutdown snapshot to replay");
            assertEquals(1000, fromNewest.lastRecovery().released());
            assertEquals(digest, fromNewest.lastRecovery().digest());
        }

        JournalSegmentTest.flip(store.newestFirst().get(0), 30);
        final Journal fromFallback = new Journal(config, SMALL);
        try (Pipeline p = pipeline(fromFallback, fatal)) {
            assertEquals(1000, fromFallback.lastRecovery().released(), "the fallback plus the journal after it");
            assertEquals(digest, fromFallback.lastRecovery().digest());
        }

        for (Path snapshot : store.newestFirst()) {
            JournalSegmentTest.flip(snapshot, 30);
        }
        final UncheckedIOException e = assertThrows(UncheckedIOException.class,
            () -> pipeline(new Journal(config, SMALL), fatal).close());
        assertInstanceOf(JournalCorruptException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("no good snapshot"), e.getCause().getMessage());
        assertEquals(null, fatal.get());
    }

    private static long snapshotRecord(SnapshotStore store, int i) throws java.io.IOException {
        final Snapshot s = new Snapshot();
        SnapshotFile.read(store.newestFirst().get(i), s);
        return s.journalRecord;
    }

    /** The graph digest of a whole-journal-free replay: the newest snapshot plus what follows, as the tool does. */
    private static long digestOf(JournalConfig config) throws java.io.IOException {
        final SequenceRouteStage stage = new SequenceRouteStage(SMALL, EgressListener.NONE);
        Journal.rebuild(config.dir(), JournalReader.Mode.INSPECT, stage);
        return stage.graph().digest();
    }
}
