package io.followermaze.bench;

import io.followermaze.ingress.ByteArrayInput;
import io.followermaze.ingress.LineFramer;
import io.followermaze.pipeline.EgressListener;
import io.followermaze.pipeline.Pipeline;
import io.followermaze.pipeline.PipelineConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What: the real {@link Pipeline} with its stage on an event loop ({@code --pipeline-thread event-loop}), the
 * benchmark thread being that loop: it frames {@value #EVENTS} reference-like event lines into the ring as the
 * event-source handler does ({@link LineFramer#frame}, never waiting), and whenever the ring is full, and at the end,
 * runs the one task the pipeline queued on its loop (the Disruptor {@code EventPoller} that resequences and routes
 * up to 64 entries per task). One op = one event; secondary {@code notifications} = notifications/s.
 * <p>
 * So it measures what the event-loop mode adds to the stage's work ({@link PipelineBenchmark}, the baseline): the
 * claim and publish of each entry, the producer's fence and compare-and-set that queue a task, the poller, and
 * the per-task batch ends; and with {@code -prof gc} that none of it allocates. Not included: Netty's task queue
 * (here a field holding the one pending task) and sockets. Same input and sessions as {@link PipelineBenchmark}:
 * 1000 users, 100 connected {@link CountingSession}s, the reference arrival order, {@link PipelineConfig#DEFAULT}
 * sizes, no egress.
 * <pre>
 *   benchmark thread = the event loop
 *   LineFramer.frame ─► ingress ring (256 x 16 KiB) ─► published(): queue the loop task (once)
 *        │ ring full / input done
 *        └─► run the task: EventPoller ─► split ─► parse ─► resequence ─► route (64 entries, then a batch end)
 * </pre>
 */
public class PipelineOnLoopBenchmark extends MixBenchmark {
    static final int EVENTS = 1 << 20;
    static final int CONNECTED = 100;

    private ReferenceStream stream;
    private int[] arrival;
    private byte[] bytes;
    private int length;
    private long seqBase;
    private final InlineLoop loop = new InlineLoop();
    private final ByteArrayInput input = new ByteArrayInput();
    private Pipeline pipeline;
    private LineFramer framer;
    private CountingSession[] sessions;

    @Setup(Level.Trial)
    public void setUp() {
        stream = stream(EVENTS);
        arrival = ReferenceStream.referenceArrival(EVENTS);
        bytes = new byte[stream.maxEncodedLength()];
        pipeline = new Pipeline(PipelineConfig.DEFAULT, EgressListener.NONE, r -> {
            throw new IllegalStateException("a pipeline on a loop starts no thread");
        }, ex -> { }, List.of(), stage -> { }, loop);
        framer = new LineFramer(pipeline);
        sessions = CountingSession.connected(CONNECTED);
        for (CountingSession s : sessions) {
            pipeline.tryRegister(s);
        }
        while (loop.runPending()) {
            // the registrations
        }
        if (pipeline.stats().registrations() != CONNECTED) {
            throw new IllegalStateException("sessions not registered: " + pipeline.stats().registrations());
        }
    }

    /** Un-timed: the same events with the next seqs, re-encoded in place. */
    @Setup(Level.Invocation)
    public void nextLines() {
        length = stream.encode(seqBase, arrival, bytes, null, null);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long frameAndRunTheLoopTask(Notifications n) {
        final Pipeline p = pipeline;
        final long notificationsBefore = p.stats().notificationsDelivered();
        final ByteArrayInput in = input.wrap(bytes, 0, length);
        while (!framer.frame(in, Integer.MAX_VALUE)) { // the ring is full: the loop's task makes room
            if (!loop.runPending()) {
                throw new IllegalStateException("the ring is full and no task is queued");
            }
        }
        final long target = seqBase + EVENTS;
        while (loop.runPending()) {
            // the rest of the ring, 64 entries per task
        }
        final long released = p.stats().released();
        if (released != target) {
            throw new IllegalStateException("released " + released + " of " + target);
        }
        seqBase = target;
        n.notifications += p.stats().notificationsDelivered() - notificationsBefore;
        return released;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (pipeline.stats().rejectedTotal() != 0 || pipeline.stats().seqsSkipped() != 0
            || CountingSession.totalNotifications(sessions) != pipeline.stats().notificationsDelivered()) {
            throw new IllegalStateException("pipeline check failed: released " + pipeline.stats().released() + " of "
                + seqBase + ", rejected " + pipeline.stats().rejectedTotal() + ", skipped " + pipeline.stats().seqsSkipped());
        }
        System.out.printf("%n[pipeline-on-loop] %d events released in order in %d batches (%.1f entries per batch)%n",
            pipeline.stats().released(), pipeline.stats().batches(),
            (double) pipeline.stats().ringEntries() / Math.max(1, pipeline.stats().batches()));
    }

    /**
     * The benchmark thread as the event loop: {@code execute} keeps the one task the pipeline queues (it never
     * queues a second before the first has run), {@link #runPending} runs it. No hold-back without an egress, so
     * nothing is scheduled.
     */
    static final class InlineLoop extends AbstractExecutorService implements ScheduledExecutorService {
        private Runnable pending;

        @Override
        public void execute(Runnable task) {
            if (pending != null) {
                throw new IllegalStateException("a second task queued before the first ran");
            }
            pending = task;
        }

        boolean runPending() {
            final Runnable task = pending;
            if (task == null) {
                return false;
            }
            pending = null;
            task.run();
            return true;
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            throw new UnsupportedOperationException("nothing holds the pipeline back here");
        }

        @Override
        public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
                                                         TimeUnit unit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void shutdown() {
        }

        @Override
        public List<Runnable> shutdownNow() {
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }
}
