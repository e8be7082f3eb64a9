package io.followermaze.journal;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Under {@code --journal-fsync interval:MS}: forces the current segment every MS ms on a daemon thread of its own,
 * so that the pipeline never waits for a disk. A failed force is handed to the writer, whose next batch end turns it
 * into a fatal error.
 */
final class JournalSyncer implements AutoCloseable {
    private final ScheduledExecutorService timer;

    JournalSyncer(JournalWriter writer, long intervalMillis) {
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "followermaze-journal-sync");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(writer::forceFromSyncer, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdown();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
