package io.followermaze.server.cli;

import io.followermaze.pipeline.Pipeline;
import io.followermaze.server.FollowerMazeServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Logs one progress line every interval while events flow, so an operator at the console sees the rate. */
final class StatusReporter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusReporter.class);

    private final FollowerMazeServer server;
    /** How often a progress line is logged while events flow, unless {@code --status-interval-ms} says otherwise. */
    static final long DEFAULT_INTERVAL_MILLIS = 5_000;

    private final long intervalMillis;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread t = new Thread(r, "followermaze-status");
        t.setDaemon(true);
        return t;
    });
    /** Lines received (an ingest node: log records acknowledged) at the last report. Status thread only. */
    private long lastLines;
    private long lastNotifications;

    StatusReporter(FollowerMazeServer server, long intervalMillis) {
        this.server = server;
        this.intervalMillis = intervalMillis;
        timer.scheduleAtFixedRate(this::report, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    private void report() {
        final Pipeline p = server.pipeline();
        if (p == null) { // --role ingest
            final long acked = server.logSink().recordsAcked();
            if (acked != lastLines) {
                LOG.info("log records acknowledged/s {} | refused {}", Math.round((acked - lastLines)
                    / (intervalMillis / 1000.0)), server.logSink().recordsFailed());
                lastLines = acked;
            }
            return;
        }
        final long lines = p.stats().linesReceived();
        final long notifications = p.stats().notificationsDelivered();
        if (lines == lastLines && notifications == lastNotifications) {
            return; // idle: say nothing
        }
        final double seconds = intervalMillis / 1000.0;
        LOG.info("events/s {} | released through seq {} | pending {} | clients {} | notifications/s {} | rejected {}{}",
            Math.round((lines - lastLines) / seconds), p.stats().lastReleasedSeq(), p.stats().pending(), p.stats().connectedSessions(),
            Math.round((notifications - lastNotifications) / seconds), p.stats().rejectedTotal(),
            server.logFeed() == null ? "" : " | log lag " + server.logFeed().lagRecords() + " records");
        lastLines = lines;
        lastNotifications = notifications;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
