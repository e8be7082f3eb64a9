package io.followermaze.loadgen;

import io.followermaze.loadgen.verify.ClientReader;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Prints one progress line every interval while a run streams: events sent and notifications verified. */
final class ProgressReporter {
    private final Thread thread;
    private volatile boolean stop;

    ProgressReporter(String label, long intervalMillis, RunControl control, List<ClientReader> readers,
                     PrintStream out) {
        thread = new Thread(() -> loop(label, intervalMillis, control, readers, out), "loadgen-progress");
        thread.setDaemon(true);
        if (intervalMillis > 0) {
            thread.start();
        }
    }

    private void loop(String label, long intervalMillis, RunControl control, List<ClientReader> readers,
                      PrintStream out) {
        final long start = System.nanoTime();
        long lastNanos = start;
        long lastEvents = 0;
        long lastLines = 0;
        while (!stop) {
            try {
                Thread.sleep(intervalMillis);
            } catch (InterruptedException e) {
                return;
            }
            if (stop) {
                return;
            }
            final long now = System.nanoTime();
            final long events = control.eventsSent();
            long lines = 0;
            for (ClientReader r : readers) {
                lines += r.linesVerified();
            }
            final double dt = (now - lastNanos) / 1e9;
            out.printf(Locale.ROOT, "[%s %6.1fs] events %,d (%,.0f/s)  notifications %,d (%,.0f/s)%n", label,
                (now - start) / 1e9, events, (events - lastEvents) / dt, lines, (lines - lastLines) / dt);
            lastNanos = now;
            lastEvents = events;
            lastLines = lines;
        }
    }

    void stop() throws InterruptedException {
        stop = true;
        thread.interrupt();
        if (thread.isAlive()) {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
    }
}
