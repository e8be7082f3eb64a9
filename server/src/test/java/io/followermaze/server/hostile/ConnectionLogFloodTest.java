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
    /** Lines a flood may log: one a second per kind; the floods here take well under a few seconds. */
    private static final int HANDFUL = 5;
    /** Sources here connect back to back: a closed one may still hold its slot when the next one connects. */
    private static final ServerConfig MANY_SOURCES = ServerConfig.ephemeral().toBuilder().maxEventSources(1_000).build();
    private static final Pattern SUPPRESSED = Pattern.compile("\\((\\d+) similar lines suppressed\\)");

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** @return the number of events the lines stand for: each line itself plus the suppressed ones it reports */
    private static long represented(List<String> lines) {
        long n = 0;
        for (String line : lines) {
            final Matcher m = SUPPRESSED.matcher(line);
            n += 1 + (m.find() ? Long.parseLong(m.group(1)) : 0);
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
            final List<RawClient> silent = new ArrayList<>();
            for (int i = 0; i < FLOOD; i++) {
                silent.add(new RawClient(server.clientPort()));
            }
            for (RawClient c : silent) {
                c.awaitClosedByServer(CLOSE_WAIT_MS);
                c.close();
            }
            final int flood = log.messages(Level.WARN, kind).size();
            assertTrue(flood <= HANDFUL, flood + " warnings for " + FLOOD + " silent clients, first: "
                + log.messages(Level.WARN, kind).get(0));

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
            assertTrue(lines.size() <= HANDFUL + 1, lines.size() + " lines: " + lines);
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
            for (int i = 0; i < FLOOD; i++) {
                try (RawClient c = new RawClient(server.clientPort())) {
                    c.send(ascii(i % 2 == 0 ? "x" + i + "\n" : "0\n")).awaitClosedByServer(CLOSE_WAIT_MS);
                }
            }
            final List<String> lines = log.messages(Level.WARN, kind);
            assertTrue(lines.size() <= HANDFUL, lines.size() + " warnings for " + FLOOD + " bad ids, first: " + lines.get(0));
        }
    }

    @Test
    void eventSourceConnectionsLogAHandfulOfLines() throws Exception {
        try (LogCapture log = new LogCapture(EventSourceHandler.class, Level.INFO);
             FollowerMazeServer server = new FollowerMazeServer(MANY_SOURCES).start()) {
            for (int i = 1; i <= FLOOD; i++) {
                EventSource.send(server.eventPort(), ascii(i + "|B\n"));
            }
            Conditions.await("all released", LIMIT, () -> server.pipeline().stats().lastReleasedSeq() == FLOOD,
                () -> "released=" + server.pipeline().stats().lastReleasedSeq());
            Conditions.await("all sources gone", LIMIT, () -> server.openEventSources() == 0, () -> "");
            final List<String> connected = log.messages(Level.INFO, "Event source connected");
            final List<String> disconnected = log.messages(Level.INFO, "Event source disconnected");
            assertTrue(connected.size() <= HANDFUL, connected.size() + " connect lines for " + FLOOD + " sources");
            assertTrue(disconnected.size() <= HANDFUL, disconnected.size() + " disconnect lines for " + FLOOD + " sources");

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
            for (int i = 0; i < FLOOD; i++) {
                EventSource.send(server.eventPort(), overlong);
            }
            final PipelineStats stats = server.pipeline().stats();
            Conditions.await("all counted", LIMIT, () -> stats.rejected(ParseOutcome.LINE_TOO_LONG) == FLOOD,
                () -> "too long: " + stats.rejected(ParseOutcome.LINE_TOO_LONG));
            final List<String> lines = log.messages(Level.WARN, "longer than");
            assertTrue(lines.size() <= HANDFUL, lines.size() + " warnings for " + FLOOD + " over-long lines");
        }
    }
}
