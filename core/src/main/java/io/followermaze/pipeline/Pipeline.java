package io.followermaze.pipeline;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.EventTranslatorOneArg;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Disruptor pipeline's lifecycle: it builds the ingress ring (multi-producer), wires the stages of its
 * {@link PipelineTopology} behind it, starts them, and stops them: drained at shutdown, for good on a fatal error.
 * Producers publish through {@link IngressPublisher}; what the stages count is read through {@link #stats()}.
 */
public final class Pipeline implements IngressPublisher, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    private final PipelineConfig config;
    /** Null when the stage runs on an event loop ({@link #onLoop}). */
    private final Disruptor<IngressEntry> disruptor;
    /** Null when the stage has a Disruptor thread of its own. */
    private final LoopConsumer onLoop;
    private final RingBuffer<IngressEntry> ring;
    private final SequenceRouteStage sequenceRoute;
    private final PipelineStats stats;
    private final PipelineTopology topology;
    private final ScheduledExecutorService ticker;
    /** Written by the thread that closes the pipeline ({@link #drainAndStop}), once; read by producers. */
    private volatile boolean closing;
    /** Written by the closing thread once the ring is drained (or given up on); read by producers and health. */
    private volatile boolean stopped;
    /** Written once by the pipeline thread when an {@link Error} ends it; read by producers, health and shutdown. */
    private volatile Throwable failure;
    private final Consumer<Throwable> onFatal;
    private final EgressListener egress;
    /** Heap given back when a fatal error strikes, so the last log line and the exit can still allocate. */
    @SuppressWarnings("unused")
    private volatile byte[] emergencyReserve = new byte[256 * 1024];

    /** A pipeline whose thread is a plain daemon thread. */
    public Pipeline(PipelineConfig config, EgressListener egress) {
        this(config, egress, r -> {
            final Thread t = new Thread(r, "followermaze-pipeline");
            t.setDaemon(true);
            return t;
        });
    }

    /** A pipeline that only logs a fatal error (see {@link #Pipeline(PipelineConfig, EgressListener, ThreadFactory, Consumer)}). */
    public Pipeline(PipelineConfig config, EgressListener egress, ThreadFactory threadFactory) {
        this(config, egress, threadFactory, ex -> { });
    }

    /**
     * @param threadFactory makes the one pipeline thread; the server passes one that makes Netty
     *                      {@code FastThreadLocalThread}s so that buffer allocation there uses thread caches
     * @param onFatal       told (on the pipeline thread, after one ERROR line) when an {@link Error} such as
     *                      {@code OutOfMemoryError} ends the pipeline: its state can no longer be trusted, so the
     *                      pipeline stops for good and the process should exit (crash-only; see the server)
     */
    public Pipeline(PipelineConfig config, EgressListener egress, ThreadFactory threadFactory,
                    Consumer<Throwable> onFatal) {
        this(config, egress, threadFactory, onFatal, List.of());
    }

    /**
     * @param upstream stages that see every entry, in this order, before the sequence-route stage does (see
     *                 {@link PipelineTopology}); each runs on its own thread from {@code threadFactory}
     */
    public Pipeline(PipelineConfig config, EgressListener egress, ThreadFactory threadFactory,
                    Consumer<Throwable> onFatal, List<PipelineTopology.Stage> upstream) {
        this(config, egress, threadFactory, onFatal, upstream, stage -> { });
    }

    /**
     * @param beforeStart runs on the calling thread once the stages are built and wired, before any of them starts:
     *                    recovery replays the journal into the sequence-route stage here ({@link
     *                    SequenceRouteStage#replay}), with no client connected and nothing on the ring. Starting the
     *                    Disruptor afterwards starts the stage threads, which is what makes everything it did visible
     *                    to them. If it throws, nothing was started and the exception propagates.
     */
    public Pipeline(PipelineConfig config, EgressListener egress, ThreadFactory threadFactory,
                    Consumer<Throwable> onFatal, List<PipelineTopology.Stage> upstream,
                    Consumer<SequenceRouteStage> beforeStart) {
        this(config, egress, threadFactory, onFatal, upstream, beforeStart, null);
    }

    /**
     * @param eventLoop where the sequence-route stage runs, as tasks ({@link LoopConsumer}); null: on a Disruptor
     *                  thread of its own from {@code threadFactory}. On a loop the wait strategy is not used, and
     *                  no upstream stage is allowed (it would need a thread of its own, and a hop back to the loop).
     */
    public Pipeline(PipelineConfig config, EgressListener egress, ThreadFactory threadFactory,
                    Consumer<Throwable> onFatal, List<PipelineTopology.Stage> upstream,
                    Consumer<SequenceRouteStage> beforeStart, ScheduledExecutorService eventLoop) {
        if (eventLoop != null && !upstream.isEmpty()) {
            throw new IllegalArgumentException("a pipeline on an event loop takes no upstream stage: " + upstream);
        }
        this.config = config;
        this.onFatal = onFatal;
        this.egress = egress;
        this.sequenceRoute = new SequenceRouteStage(config, egress);
        sequenceRoute.pipelineFailedWhen(() -> failure != null);
        PipelineTopology chain = PipelineTopology.of(new PipelineTopology.Stage(PipelineTopology.SEQUENCE_ROUTE, sequenceRoute));
        this.upstreamShutDown = new CountDownLatch(upstream.size());
        for (int i = upstream.size() - 1; i >= 0; i--) {
            final PipelineTopology.Stage stage = upstream.get(i);
            chain = chain.before(new PipelineTopology.Stage(stage.name(),
                new ShutdownCounted(stage.handler(), upstreamShutDown)));
        }
        this.topology = chain;

        final int chunkBytes = config.chunkBytes();
        if (eventLoop == null) {
            this.disruptor = new Disruptor<>(() -> new IngressEntry(chunkBytes), config.ringSize(), threadFactory,
                ProducerType.MULTI, config.newWaitStrategy());
            topology.wire(disruptor);
            disruptor.setDefaultExceptionHandler(new KeepAliveExceptionHandler());
            beforeStart.accept(sequenceRoute);
            this.ring = disruptor.start();
            this.onLoop = null;
        } else {
            // Nobody waits on this ring (the loop polls it), so its wait strategy's signal must cost nothing: the
            // busy-spin strategy's is empty (the blocking one's takes a lock on every publish).
            this.disruptor = null;
            this.ring = RingBuffer.createMultiProducer(() -> new IngressEntry(chunkBytes), config.ringSize(),
                new BusySpinWaitStrategy());
            this.onLoop = new LoopConsumer(ring, sequenceRoute, egress, new KeepAliveExceptionHandler(), eventLoop);
            // Every task of the consumer is queued after this point, and the queue's hand-over makes what the
            // replay did visible on the loop.
            beforeStart.accept(sequenceRoute);
        }
        this.stats = new PipelineStats(sequenceRoute, this);
        this.ticker = config.gapTimeoutMillis() > 0 ? startTicker(Math.max(1, config.gapTimeoutMillis() / 4)) : null;
    }

    /** While a gap timeout is set, wakes the pipeline now and then so the timeout fires even without input. */
    private ScheduledExecutorService startTicker(long periodMillis) {
        final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "followermaze-pipeline-tick");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> {
            tryPublish(TICK, null); // a full ring needs no tick: the pipeline is busy and checks at every batch end
        }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        return timer;
    }

    /**
     * An exception in one entry is logged and counted, and the pipeline goes on with the next entry. An
     * {@link Error} (out of memory, a JVM fault) is fatal: half-applied state can not be trusted, so the pipeline
     * stops taking input, reports DOWN ({@link #isRunning()}), tells {@code onFatal} and ends its thread.
     */
    private final class KeepAliveExceptionHandler implements ExceptionHandler<IngressEntry> {
        @Override
        public void handleEventException(Throwable ex, long sequence, IngressEntry entry) {
            if (ex instanceof Error error) {
                // The heap may be exhausted: give back the reserve first, so that logging and exiting can allocate.
                emergencyReserve = null;
                failure = error;
                try {
                    LOG.error("FATAL: the pipeline failed on ring entry {} ({}): {}; it has stopped and takes no more "
                        + "input", sequence, entry == null ? "?" : entry.kind(), error.toString());
                } catch (Throwable ignored) {
                    // nothing more to do about a log line; onFatal must still run
                }
                try {
                    onFatal.accept(error);
                } catch (Throwable t) {
                    error.addSuppressed(t);
                }
                throw error; // ends the processor thread
            }
            sequenceRoute.processorExceptions.increment();
            LOG.error("Pipeline failed on ring entry {} ({}); continuing with the next entry", sequence,
                entry == null ? "?" : entry.kind(), ex);
        }

        @Override
        public void handleOnStartException(Throwable ex) {
            LOG.error("Pipeline failed to start", ex);
        }

        @Override
        public void handleOnShutdownException(Throwable ex) {
            LOG.error("Pipeline failed while shutting down", ex);
        }
    }

    /** Counted down by each upstream stage's onShutdown, on its own thread. */
    private final CountDownLatch upstreamShutDown;

    /** An upstream stage as given, whose {@code onShutdown} also counts down a latch the closing thread waits on. */
    private static final class ShutdownCounted implements EventHandler<IngressEntry> {
        private final EventHandler<IngressEntry> stage;
        private final CountDownLatch done;

        ShutdownCounted(EventHandler<IngressEntry> stage, CountDownLatch done) {
            this.stage = stage;
            this.done = done;
        }

        @Override
        public void onEvent(IngressEntry entry, long sequence, boolean endOfBatch) throws Exception {
            stage.onEvent(entry, sequence, endOfBatch);
        }

        @Override
        public void onBatchStart(long batchSize, long queueDepth) {
            stage.onBatchStart(batchSize, queueDepth);
        }

        @Override
        public void onStart() {
            stage.onStart();
        }

        @Override
        public void onShutdown() {
            try {
                stage.onShutdown();
            } finally {
                done.countDown();
            }
        }

        @Override
        public void onTimeout(long sequence) throws Exception {
            stage.onTimeout(sequence);
        }

        @Override
        public void setSequenceCallback(Sequence sequenceCallback) {
            stage.setSequenceCallback(sequenceCallback);
        }
    }

    // ---- producers (any thread) ----

    private static final EventTranslatorOneArg<IngressEntry, Void> TICK = (entry, sequence, unused) -> entry.clear();

    @Override
    public <A> Outcome tryPublish(EventTranslatorOneArg<IngressEntry, A> translator, A arg) {
        if (stopped || failure != null) {
            return Outcome.STOPPED;
        }
        final long sequence;
        try {
            sequence = ring.tryNext();
        } catch (InsufficientCapacityException full) {
            return Outcome.RING_FULL;
        }
        final IngressEntry entry = ring.get(sequence);
        entry.clear(); // should the translator fail, an empty entry goes on, never the slot's previous content
        try {
            translator.translateTo(entry, sequence, arg);
        } finally {
            ring.publish(sequence); // always: an unpublished claim would stall every stage behind it
        }
        if (onLoop != null) {
            onLoop.published();
        }
        return Outcome.PUBLISHED;
    }

    /**
     * Processes everything already published, then stops the pipeline thread.
     *
     * @return false if it did not drain within the timeout (it is halted anyway)
     */
    public boolean drainAndStop(long timeout, TimeUnit unit) {
        if (closing) {
            return true;
        }
        closing = true;
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (failure != null) { // nothing will ever consume the ring again
            if (disruptor != null) {
                disruptor.halt();
            }
            return false;
        }
        if (onLoop != null) {
            return stopOnLoop(timeout, unit);
        }
        try {
            try {
                disruptor.shutdown(timeout, unit);
            } catch (TimeoutException heldBack) {
                stopWaitingForCongestedClients(timeout, unit);
                disruptor.shutdown(timeout, unit);
            }
            // shutdown() returns once the ring is drained; each stage's onShutdown runs after, on its own thread (the
            // journal closes its segment there)
            return sequenceRoute.awaitShutdown(timeout, unit) && upstreamShutDown.await(timeout, unit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (TimeoutException e) {
            disruptor.halt();
            return false;
        } finally {
            stopped = true;
        }
    }

    /** The loop takes what is published, then runs the stage's onShutdown; the loop itself is the caller's. */
    private boolean stopOnLoop(long timeout, TimeUnit unit) {
        onLoop.stop();
        try {
            if (sequenceRoute.awaitShutdown(timeout, unit)) {
                return true;
            }
            stopWaitingForCongestedClients(timeout, unit);
            if (sequenceRoute.awaitShutdown(timeout, unit)) {
                return true;
            }
            onLoop.halt();
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            onLoop.halt();
            return false;
        } finally {
            stopped = true;
        }
    }

    /**
     * The drain has waited its time, held back by congested clients: stop waiting for them, so that what is in the
     * ring still reaches the clients that read (before, a halt here left events counted as released undelivered).
     */
    private void stopWaitingForCongestedClients(long timeout, TimeUnit unit) {
        LOG.warn("The pipeline has not drained within {} ms at stop: no longer waiting for congested clients",
            unit.toMillis(timeout));
        egress.stopWaitingForCongestedClients();
    }

    @Override
    public void close() {
        drainAndStop(10, TimeUnit.SECONDS);
    }

    // ---- observation (any thread) ----

    @Override
    public PipelineConfig config() {
        return config;
    }

    /** Every statistic the pipeline keeps, read-only. */
    public PipelineStats stats() {
        return stats;
    }

    /** The stages as wired. */
    public PipelineTopology topology() {
        return topology;
    }

    /** True until {@link #drainAndStop} has finished or a fatal error stopped the pipeline. */
    public boolean isRunning() {
        return !stopped && failure == null;
    }

    /** The {@link Error} that stopped the pipeline, or null. */
    public Throwable failure() {
        return failure;
    }

    long ringRemainingCapacity() {
        return ring.remainingCapacity();
    }

    @Override
    public long remainingCapacity() {
        return stopped || failure != null ? Long.MAX_VALUE : ring.remainingCapacity();
    }
}
