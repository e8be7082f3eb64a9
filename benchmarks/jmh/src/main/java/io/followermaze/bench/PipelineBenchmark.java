package io.followermaze.bench;

import io.followermaze.ingress.LineFramer;
import io.followermaze.pipeline.EgressListener;
import io.followermaze.pipeline.SequenceRouteStage;
import io.followermaze.pipeline.IngressEntry;
import io.followermaze.pipeline.PipelineConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;


/**
 * What: the pipeline thread's whole job on ONE thread, no Disruptor, no sockets: the production
 * {@link SequenceRouteStage} takes ring entries holding 16 KiB chunks of wire lines and splits + parses them in one
 * pass, resequences, applies the graph and routes to 100 {@link CountingSession}s. One op = one event line;
 * secondary result {@code notifications} = notifications/s.
 * <p>
 * Not included: copying a socket read into the ring entry (the event loop's job), the ring hand-off (see
 * {@link PipelineDisruptorBenchmark}), and the egress copy of each notification into a client buffer
 * ({@link CountingSession} counts bytes instead).
 * <p>
 * Input: {@value #EVENTS} events of the {@code mix} parameter (default {@code reference}: the load generator's
 * reference-program mix, 1000 users, see {@link ReferenceStream}) in the reference arrival order (batches of
 * 1..100, each shuffled), framed into ring entries by the server's {@code LineFramer}. The
 * resequencer only moves forward, so each invocation needs fresh seqs: an un-timed {@code @Setup(Level.Invocation)}
 * re-encodes the same events with the seq base advanced into the same preallocated entries (no allocation).
 * <p>
 * Goal: >= 20M events/s single-threaded and ~0 B/op (check with {@code -prof gc}).
 * <pre>
 *   IngressEntry[] (16 KiB chunks, whole lines)
 *        │  SequenceRouteStage.onEvent, one thread
 *        ▼
 *   EventParser.parseNextLine ─► Resequencer ─► Router ─► FollowerGraph (F/U; connected-follower index)
 *   (one pass, flyweight Event)  (window, spill)     └─► SessionTable ─► CountingSession x 100
 * </pre>
 * Tear-down checks that every event was released in order, none rejected, no gap skipped.
 */
public class PipelineBenchmark extends MixBenchmark {
    static final int EVENTS = 1 << 20;
    static final int CONNECTED = 100;
    /** A Disruptor batch ends every this many entries (about the batch sizes seen under load). */
    static final int ENTRIES_PER_BATCH = 16;

    /** Resequencer window; default {@link PipelineConfig#DEFAULT}'s. */
    @Param({"131072"})
    public int windowSize;

    private ReferenceStream stream;
    private int[] arrival;
    private byte[] bytes;
    private EntryArray entries;
    private long seqBase;
    private long ringSequence;
    private SequenceRouteStage stage;
    private CountingSession[] sessions;

    @Setup(Level.Trial)
    public void setUp() {
        stream = stream(EVENTS);
        arrival = ReferenceStream.referenceArrival(EVENTS);
        bytes = new byte[stream.maxEncodedLength()];
        final PipelineConfig config = PipelineConfig.DEFAULT.withWindowSize(windowSize);
        // every entry but the last is full to within one line (< 128 bytes)
        entries = new EntryArray(config, bytes.length / (config.chunkBytes() - 128) + 2);
        stage = new SequenceRouteStage(config, EgressListener.NONE);
        sessions = CountingSession.connected(CONNECTED);
        final IngressEntry registration = new IngressEntry(config.chunkBytes());
        for (CountingSession s : sessions) { // as the ring delivers REGISTER entries
            registration.registration(IngressEntry.Kind.REGISTER, s);
            stage.onEvent(registration, ringSequence++, true);
        }
    }

    /** Un-timed: the same events with the next seqs, re-encoded and framed into ring entries as the server does. */
    @Setup(Level.Invocation)
    public void nextEntries() {
        final int length = stream.encode(seqBase, arrival, bytes, null, null);
        entries.clear();
        LineFramer.publishAll(entries, bytes, 0, length);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long parseResequenceRoute(Notifications n) {
        final long before = stage.router().notificationsDelivered().get();
        final int count = entries.count();
        for (int c = 0; c < count; c++) {
            stage.onEvent(entries.get(c), ringSequence++, c % ENTRIES_PER_BATCH == ENTRIES_PER_BATCH - 1 || c == count - 1);
        }
        seqBase += EVENTS;
        n.notifications += stage.router().notificationsDelivered().get() - before;
        return stage.resequencer().releasedCount().get();
    }

    @TearDown(Level.Trial)
    public void check() {
        final long released = stage.resequencer().releasedCount().get();
        if (released != seqBase || stage.resequencer().seqsSkipped().get() != 0 || stage.resequencer().pending() != 0
            || CountingSession.totalNotifications(sessions) != stage.router().notificationsDelivered().get()) {
            throw new IllegalStateException("pipeline check failed: released " + released + " of " + seqBase
                + ", skipped " + stage.resequencer().seqsSkipped() + ", pending " + stage.resequencer().pending());
        }
        System.out.printf("%n[pipeline %s] %d events released in order, %.2f notifications and %.1f bytes out per event%n",
            mix, released, stage.router().notificationsDelivered().get() / (double) released,
            CountingSession.totalBytes(sessions) / (double) released);
    }
}
