package io.followermaze.bench;

import io.followermaze.ingress.LineFramer;
import io.followermaze.journal.FsyncPolicy;
import io.followermaze.journal.Journal;
import io.followermaze.journal.JournalConfig;
import io.followermaze.pipeline.EgressListener;
import io.followermaze.pipeline.Pipeline;
import io.followermaze.pipeline.PipelineConfig;
import io.followermaze.pipeline.WaitStrategyKind;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What: the real {@link Pipeline}, end to end in memory and CROSS-THREAD: the benchmark thread publishes
 * {@value #EVENTS} reference-like event lines through the server's framing ({@link LineFramer#publishAll}: copied
 * into 16 KiB ring entries, waiting while the 256-entry ring is full) and then waits until the pipeline thread has
 * released all of them in order ({@code pipeline.stats().released()}). One op = one event; secondary {@code notifications} = notifications/s.
 * Time is wall-clock from the first publish to the last release, so it includes the ring hand-off, the wait
 * strategy's wake-ups and the drain of the last ~256 chunks after the producer is done.
 * <p>
 * Same input and sessions as {@link PipelineBenchmark} (its single-threaded counterpart, which is the baseline
 * here): 1000 users, 100 connected {@link CountingSession}s registered through the ring, the reference arrival order,
 * {@link PipelineConfig#DEFAULT} sizes, {@link EgressListener#NONE} (no egress). Each invocation re-encodes the
 * events with fresh seqs into a preallocated buffer in an un-timed {@code @Setup(Level.Invocation)}.
 * <p>
 * Two threads on a 2-core box: the producer and the pipeline thread each want a core; anything else running
 * (JIT, GC, other processes) shows up here first. The waiting producer yields rather than spins. Try other wait
 * strategies with {@code -p waitStrategy=yielding,busy-spin,...}.
 * <pre>
 *   benchmark thread                              pipeline thread (Disruptor consumer)
 *   LineFramer.publishAll ─► ingress ring (256 x 16 KiB, MULTI producer) ─► split ─► parse ─► resequence ─► route
 *        │                                                                                   │
 *        └── yield until stats().released() == target ◄──── Counter (release/acquire) ◄──────┘
 * </pre>
 */
public class PipelineDisruptorBenchmark extends MixBenchmark {
    static final int EVENTS = 1 << 20;
    static final int CONNECTED = 100;

    /** A {@link WaitStrategyKind} by its configuration name ({@code -p waitStrategy=busy-spin}). */
    @Param({"blocking"})
    public String waitStrategy;

    /**
     * {@code off}: no journal; {@code never}: the journal stage ahead of sequence-route ({@code --journal-fsync never},
     * into a temporary directory that is deleted at the end). Compare the two for the journal's cost.
     */
    @Param({"off", "never"})
    public String journal;

    private Path journalDir;
    private Journal journalStage;

    private ReferenceStream stream;
    private int[] arrival;
    private byte[] bytes;
    private int length;
    private long seqBase;
    private Pipeline pipeline;
    private CountingSession[] sessions;

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException, IOException {
        stream = stream(EVENTS);
        arrival = ReferenceStream.referenceArrival(EVENTS);
        bytes = new byte[stream.maxEncodedLength()];
        final PipelineConfig config = PipelineConfig.DEFAULT.withWaitStrategy(WaitStrategyKind.parse(waitStrategy));
        if (journal.equals("off")) {
            pipeline = new Pipeline(config, EgressListener.NONE);
        } else {
            journalDir = Files.createTempDirectory("followermaze-jmh-journal");
            journalStage = new Journal(JournalConfig.builder().dir(journalDir).fsync(FsyncPolicy.parse(journal)).build(),
                config);
            pipeline = new Pipeline(config, EgressListener.NONE, Thread::new, ex -> { }, List.of(journalStage.stage()),
                journalStage.recovery());
        }
        sessions = CountingSession.connected(CONNECTED);
        for (CountingSession s : sessions) {
            pipeline.register(s);
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pipeline.stats().registrations() < CONNECTED) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("sessions not registered: " + pipeline.stats().registrations());
            }
            Thread.sleep(1);
        }
    }

    /** Un-timed: the same events with the next seqs, re-encoded in place. */
    @Setup(Level.Invocation)
    public void nextLines() {
        length = stream.encode(seqBase, arrival, bytes, null, null);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long publishAndAwaitRelease(Notifications n) {
        final Pipeline p = pipeline;
        final long notificationsBefore = p.stats().notificationsDelivered();
        LineFramer.publishAll(p, bytes, 0, length);
        final long target = seqBase + EVENTS;
        long released;
        while ((released = p.stats().released()) < target) {
            if (p.stats().processorExceptions() != 0) {
                throw new IllegalStateException("pipeline thread failed; released " + released + " of " + target);
            }
            Thread.yield();
        }
        seqBase = target;
        n.notifications += p.stats().notificationsDelivered() - notificationsBefore;
        return released;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        final boolean drained = pipeline.drainAndStop(10, TimeUnit.SECONDS);
        if (journalDir != null) {
            System.out.printf("%n[pipeline-disruptor] journal: %d bytes for %d events (%.2f bytes/event), %d writes%n",
                journalStage.writer().bytesWritten(), seqBase,
                (double) journalStage.writer().bytesWritten() / Math.max(1, seqBase), journalStage.writer().writes());
            try (var files = Files.list(journalDir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(journalDir);
        }
        if (!drained || pipeline.stats().released() != seqBase || pipeline.stats().rejectedTotal() != 0 || pipeline.stats().seqsSkipped() != 0
            || CountingSession.totalNotifications(sessions) != pipeline.stats().notificationsDelivered()) {
            throw new IllegalStateException("pipeline check failed: drained " + drained + ", released "
                + pipeline.stats().released() + " of " + seqBase + ", rejected " + pipeline.stats().rejectedTotal() + ", skipped "
                + pipeline.stats().seqsSkipped());
        }
        System.out.printf("%n[pipeline-disruptor] %d events released in order in %d Disruptor batches (%.1f chunks per batch)%n",
            pipeline.stats().released(), pipeline.stats().batches(), pipeline.stats().linesReceived() > 0
                ? (double) (pipeline.stats().ringEntries()) / Math.max(1, pipeline.stats().batches()) : 0.0);
    }
}
