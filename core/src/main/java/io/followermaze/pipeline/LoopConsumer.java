package io.followermaze.pipeline;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.RingBuffer;

import java.lang.invoke.VarHandle;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the sequence-route stage as tasks of an executor the caller owns (the server's event loop) instead of on a
 * Disruptor thread of its own ({@code --pipeline-thread event-loop}). The ring stays: producers publish into it as
 * before, and a Disruptor {@link EventPoller} takes what is published in the loop's own turn. An event read from the
 * source is then resequenced, routed and written to its clients by one thread, with no wake-up of a second thread
 * and no hand-back: the two thread hops per event (each a wake-up that may wait for a CPU) are gone.
 * <p>
 * Since the stage now shares its thread with the sockets it writes to, it must never wait for them: where the
 * pipeline thread would park until congested clients drain ({@link EgressListener#holdsBack()}), this consumer
 * leaves the rest of the ring unread and looks again shortly. The ring then fills and the sources are paused, as
 * before.
 * <p>
 * Threads: producers (any thread) call {@link #published()}; everything else runs on the loop. {@code queued} is
 * written by both, by compare-and-set; {@code stopping} and {@code halted} once each by the thread that stops the
 * pipeline; the rest is the loop's.
 */
final class LoopConsumer implements Runnable {
    /** Most ring entries one task takes before it lets the loop do its I/O; the rest go in the next task. */
    static final int MAX_ENTRIES_PER_TASK = 64;
    /** How soon a consumer held back by congested clients looks again. */
    static final long HOLD_BACK_MICROS = 50;

    private final RingBuffer<IngressEntry> ring;
    private final EventPoller<IngressEntry> poller;
    private final SequenceRouteStage stage;
    private final EgressListener egress;
    private final ExceptionHandler<IngressEntry> exceptions;
    private final ScheduledExecutorService loop;
    private final EventPoller.Handler<IngressEntry> handler = this::onEntry;
    /** A task of this consumer is queued on the loop (any producer sets it by CAS; the task clears it). */
    private final AtomicBoolean queued = new AtomicBoolean();

    // ---- the loop's ----
    private int takenInTask;
    /** After the last task: no entry is taken any more, the stage has shut down. */
    private boolean ended;
    /** Set by {@link #stop()} (any thread): end once the ring is empty. */
    private volatile boolean stopping;
    /** Set by {@link #halt()} (any thread): end at the next task, whatever is left. */
    private volatile boolean halted;

    LoopConsumer(RingBuffer<IngressEntry> ring, SequenceRouteStage stage, EgressListener egress,
                 ExceptionHandler<IngressEntry> exceptions, ScheduledExecutorService loop) {
        this.ring = ring;
        this.poller = ring.newPoller();
        ring.addGatingSequences(poller.getSequence());
        this.stage = stage;
        this.egress = egress;
        this.exceptions = exceptions;
        this.loop = loop;
    }

    /**
     * Any thread, after each publish: queues a task unless one is queued that will see the entry. The fence orders
     * the publish before the read of {@code queued}; the task clears {@code queued} and fences before it polls
     * (Dekker): either this producer sees the flag clear and queues a task, or the queued task sees the entry.
     */
    void published() {
        VarHandle.fullFence();
        if (!queued.get() && queued.compareAndSet(false, true)) {
            loop.execute(this);
        }
    }

    /** Any thread: take what is published, then end (the stage's {@code onShutdown} runs on the loop). */
    void stop() {
        stopping = true;
        published();
    }

    /** Any thread: end at the next task without taking what is left (a drain that timed out). */
    void halt() {
        halted = true;
        stop();
    }

    /** One task on the loop: up to {@value #MAX_ENTRIES_PER_TASK} entries, or none while clients hold it back. */
    @Override
    public void run() {
        queued.set(false);
        VarHandle.fullFence();
        if (ended) {
            return;
        }
        if (halted) {
            end();
            return;
        }
        if (heldBack()) {
            if (queued.compareAndSet(false, true)) {
                loop.schedule(this, HOLD_BACK_MICROS, TimeUnit.MICROSECONDS);
            }
            return;
        }
        takenInTask = 0;
        try {
            poller.poll(handler);
        } catch (Error fatal) {
            end(); // the exception handler has logged it, marked the pipeline failed and told the server
            return;
        } catch (Exception cannotHappen) { // onEntry hands every exception to the handler
            throw new IllegalStateException(cannotHappen);
        }
        if (ring.getCursor() > poller.getSequence().get()) {
            published(); // more than one task's worth, or claimed and still being published: look again
        } else if (stopping) {
            end();
        }
    }

    /** The egress's answer; should it throw, that is logged and counted and the input is taken (never stranded). */
    private boolean heldBack() {
        try {
            return egress.holdsBack();
        } catch (RuntimeException e) {
            exceptions.handleEventException(e, poller.getSequence().get() + 1, null);
            return false;
        }
    }

    private boolean onEntry(IngressEntry entry, long sequence, boolean endOfBatch) {
        final boolean last = endOfBatch || ++takenInTask == MAX_ENTRIES_PER_TASK;
        try {
            stage.onEvent(entry, sequence, last);
        } catch (Throwable t) {
            // as the Disruptor's processor does: an exception is logged and counted and the next entry follows; an
            // Error is rethrown by the handler, and then this entry counts as not taken
            exceptions.handleEventException(t, sequence, entry);
        }
        return !last;
    }

    private void end() {
        ended = true;
        stage.onShutdown();
    }
}
