package io.followermaze.server.hostile;

import io.followermaze.pipeline.SequenceRouteStage;
import io.followermaze.pipeline.PipelineStats;
import io.followermaze.protocol.ParseOutcome;
import ch.qos.logback.classic.Level;
import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.ingress.ClientRegistrationHandler;
import io.followermaze.server.ingress.EventSourceHandler;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.EventSource;
import io.followermaze.server.testing.LogCapture;
import io.followermaze.server.testing.RawClient;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Defect 6 of issue 8: a flood of bad connections must cost a counter increment each, not a log line each.
 * Every per-connection line is rate-limited (at most one a second per kind) and a later line says how many
 * were suppressed. The rate limiters are per process, so these tests bound lines from above and suppressed
 * counts from below (an earlier test may have left suppressed lines of the same kind to report).
 */
class ConnectionLogFloodTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final int CLOSE_WAIT_MS = 30_000;
    private static final int FLOOD = 200;
    /** Sources here connect back to back: a closed one may still hold its slot when the next one connects. */
    private static final ServerConfig MANY_SOURCES = ServerConfig.ephemeral().toBuilder().maxEventSources(1_000).build();
    /** A line's report of suppressed ones: "(N similar lines suppressed)", or the timer's "N more similar lines …". */
    private static final Pattern SUPPRESSED = Pattern.compile("(\\d+) (more )?similar lines suppressed");

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** @return the number of events the lines stand for: each line itself plus the suppressed ones it reports */
    private static long represented(List<String> lines) {
        long n = 0;
        for (String line : lines) {
            final Matcher m = SUPPRESSED.matcher(line);
            if (!m.find()) {
                n += 1;
            } else { // the timer's line ("more") reports suppressed lines and is not one itself
                n += (m.group(2) != null ? 0 : 1) + Long.parseLong(m.group(1));
            }
        }
        return n;
    }

    private static boolean anyReportsSuppressed(List<String> lines) {
        return lines.stream().anyMatch(l -> SUPPRESSED.matcher(l).find());
    }

    @Test
    void clientsThatNeverSendAnIdLogAHandfulOfWarnings() throws Exception {
        final ServerConfig config = ServerConfig.ephemeral().toBuilder().clientIdTimeoutMillis(20).build();
        final String kind = "sent no user id";
        try (LogCapture log = new LogCapture(ClientRegistrationHandler.class);
             FollowerMazeServer server = new FollowerMazeServer(config).start()) {
            final long started = System.nanoTime();
            final List<RawClient> silent = new ArrayList<>();
            for (int i = 0; i < FLOOD; i++) {
                silent.add(new RawClient(server.clientPort()));
            }
            for (RawClient c : silent) {
                c.awaitClosedByServer(CLOSE_WAIT_MS);
                c.close();
            }
            LogCapture.assertAtMostOneASecond(log.messages(Level.WARN, kind), started, "silent-client warning");

            // One more silent client at a time until a line reports the ones suppressed (the interval has passed).
            int more = 0;
            while (!anyReportsSuppressed(log.messages(Level.WARN, kind))) {
                try (RawClient c = new RawClient(server.clientPort())) {
                    c.awaitClosedByServer(CLOSE_WAIT_MS);
                }
                more++;
                assertTrue(more < 100_000, "no line ever reported the suppressed warnings");
            }
            final List<String> lines = log.messages(Level.WARN, kind);
            LogCapture.assertAtMostOneASecond(lines, started, "silent-client warning");
            final int total = FLOOD + more;
            Conditions.await("every timeout logged or counted", LIMIT, () -> represented(log.messages(Level.WARN, kind)) >= total,
                () -> "lines " + log.messages(Level.WARN, kind));
        }
    }

    @Test
    void clientsWithBadIdsLogAHandfulOfWarnings() throws Exception {
        final String kind = "rejected:";
        try (LogCapture log = new LogCapture(ClientRegistrationHandler.class);
             FollowerMazeServer server = new FollowerMazeServer(ServerConfig.ephemeral()).start()) {
            final long started = System.nanoTime();
            for (int i = 0; i < FLOOD; i++) {
                try (RawClient c = new RawClient(server.clientPort())) {
                    c.send(ascii(i % 2 == 0 ? "x" + i + "\n" : "0\n")).awaitClosedByServer(CLOSE_WAIT_MS);
                }
            }
            LogCapture.assertAtMostOneASecond(log.messages(Level.WARN, kind), started, "bad-id warning");
        }
    }

    @Test
    void eventSourceConnectionsLogAHandfulOfLines() throws Exception {
        try (LogCapture log = new LogCapture(EventSourceHandler.class, Level.INFO);
             FollowerMazeServer server = new FollowerMazeServer(MANY_SOURCES).start()) {
            final long started = System.nanoTime();
            for (int i = 1; i <= FLOOD; i++) {
                EventSource.send(server.eventPort(), ascii(i + "|B\n"));
            }
            Conditions.await("all released", LIMIT, () -> server.pipeline().stats().lastReleasedSeq() == FLOOD,
                () -> "released=" + server.pipeline().stats().lastReleasedSeq());
            Conditions.await("all sources gone", LIMIT, () -> server.openEventSources() == 0, () -> "");
            final List<String> connected = log.messages(Level.INFO, "Event source connected");
            final List<String> disconnected = log.messages(Level.INFO, "Event source disconnected");
            LogCapture.assertAtMostOneASecond(connected, started, "source-connected");
            LogCapture.assertAtMostOneASecond(disconnected, started, "source-disconnected");

            int more = 0;
            while (!anyReportsSuppressed(log.messages(Level.INFO, "Event source disconnected"))) {
                EventSource.send(server.eventPort(), new byte[0]);
                more++;
                final long accepted = FLOOD + more;
                Conditions.await("source accepted and gone", LIMIT,
                    () -> server.eventSourceConnections() == accepted && server.openEventSources() == 0,
                    () -> "accepted " + server.eventSourceConnections());
                assertTrue(more < 100_000, "no line ever reported the suppressed lines");
            }
            final long total = FLOOD + more;
            Conditions.await("every disconnect logged or counted", LIMIT,
                () -> represented(log.messages(Level.INFO, "Event source disconnected")) >= total,
                () -> "lines " + log.messages(Level.INFO, "Event source disconnected"));
        }
    }

    @Test
    void overlongLinesFromManySourcesLogAHandfulOfWarnings() throws Exception {
        // Longer than a ring entry without a line end: the connection's framer passes on only its start.
        final byte[] overlong = new byte[20_000];
        java.util.Arrays.fill(overlong, (byte) '7');
        overlong[overlong.length - 1] = '\n';
        try (LogCapture log = new LogCapture(SequenceRouteStage.class);
             FollowerMazeServer server = new FollowerMazeServer(MANY_SOURCES).start()) {
            final long started = System.nanoTime();
            for (int i = 0; i < FLOOD; i++) {
                EventSource.send(server.eventPort(), overlong);
            }
            final PipelineStats stats = server.pipeline().stats();
            Conditions.await("all counted", LIMIT, () -> stats.rejected(ParseOutcome.LINE_TOO_LONG) == FLOOD,
                () -> "too long: " + stats.rejected(ParseOutcome.LINE_TOO_LONG));
            LogCapture.assertAtMostOneASecond(log.messages(Level.WARN, "longer than"), started, "over-long-line warning");
        }
    }
}
