package io.followermaze.loadgen;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The state the threads of one run share: the first failure (which ends the run), progress of the source,
 * the moment every client was drained, and the loadgen's own CPU time. A failure releases the waiting
 * orchestrator at once and runs the registered abort actions (closing the source socket, so that a source
 * blocked in {@code write} returns).
 */
public final class RunControl {
    /** Thrown inside run threads to unwind once the run has failed. */
    public static final class Aborted extends RuntimeException {
        Aborted() {
            super("run aborted", null, false, false);
        }
    }

    private final AtomicReference<String> failure = new AtomicReference<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicInteger undrainedReaders;
    private final CopyOnWriteArrayList<Runnable> onFailure = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Runnable> onGenerationDone = new CopyOnWriteArrayList<>();
    private final LongAdder loadgenCpuNanos = new LongAdder();
    private volatile boolean generationDone;
    private volatile long eventsSent;
    private volatile long streamingStartNanos;
    private volatile long drainedAtNanos;

    public RunControl(int readers) {
        this.undrainedReaders = new AtomicInteger(readers);
    }

    /** Records the first failure; later ones are dropped (they are usually consequences of the first). */
    public void fail(String why) {
        if (failure.compareAndSet(null, why)) {
            finished.countDown();
            onFailure.forEach(Runnable::run);
        }
    }

    public String failure() {
        return failure.get();
    }

    public boolean failed() {
        return failure.get() != null;
    }

    public void checkNotFailed() {
        if (failure.get() != null) {
            throw new Aborted();
        }
    }

    public void onFailure(Runnable action) {
        onFailure.add(action);
        if (failed()) {
            action.run();
        }
    }

    public void onGenerationDone(Runnable action) {
        onGenerationDone.add(action);
    }

    public void streamingStarted(long nanos) {
        streamingStartNanos = nanos;
    }

    public long streamingStartNanos() {
        return streamingStartNanos;
    }

    public void eventsSent(long events) {
        eventsSent = events;
    }

    public long eventsSent() {
        return eventsSent;
    }

    /** The source has published every expectation and written every event. */
    public void generationDone() {
        generationDone = true;
        onGenerationDone.forEach(Runnable::run);
    }

    public boolean isGenerationDone() {
        return generationDone;
    }

    /** A reader has seen every one of its clients receive all it was sent (after generation was done). */
    public void readerDrained(long nanos) {
        if (undrainedReaders.decrementAndGet() == 0) {
            drainedAtNanos = nanos;
            finished.countDown();
        }
    }

    public long drainedAtNanos() {
        return drainedAtNanos;
    }

    /** Waits until every reader is drained or the run failed. */
    public void awaitFinished() throws InterruptedException {
        finished.await();
    }

    /** Call at the end of every loadgen thread: adds the calling thread's CPU time to the run's total. */
    public void addCurrentThreadCpu() {
        final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (mx.isCurrentThreadCpuTimeSupported()) {
            loadgenCpuNanos.add(mx.getCurrentThreadCpuTime());
        }
    }

    public long loadgenCpuNanos() {
        return loadgenCpuNanos.sum();
    }
}
