package io.followermaze.pipeline;

import io.followermaze.testkit.LogCapture;
import ch.qos.logback.classic.Level;
import io.followermaze.graph.FollowerGraph.FollowResult;
import io.followermaze.pipeline.PipelineTest.RecordingSession;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.followermaze.pipeline.PipelineTest.await;
import static io.followermaze.pipeline.Pipelines.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The follow graph's budget, through a real pipeline (issue 8, defect 2). */
class PipelineGraphBudgetTest {
    @RegisterExtension
    final Pipelines pipelines = new Pipelines();

    /**
     * Issue 8, defect 2: follows between fresh ids grew the graph until the heap ran out inside the pipeline, which
     * then stopped for good. With a budget the graph stops growing, and every seq is still released.
     */
    @Test
    void threeMillionFollowsBetweenFreshIdsStayWithinTheBudgetAndTheStreamFlows() {
        final int follows = 3_000_000;
        final long maxUsers = 100_000;
        final Pipeline p = pipelines.start(PipelineConfig.DEFAULT.withMaxUsers(maxUsers));
        final StringBuilder sb = new StringBuilder(1 << 20);
        for (int i = 0; i < follows; i++) {
            final long follower = 10_000_000L + 2L * i;
            sb.append(i + 1).append("|F|").append(follower).append('|').append(follower + 1).append('\n');
            if (sb.length() > (1 << 20) - 64 || i == follows - 1) {
                publish(p, sb.toString());
                sb.setLength(0);
            }
        }
        await(() -> p.stats().released() == follows || !p.isRunning(),
            () -> follows + " released, have " + p.stats().released() + " (pipeline failure: " + p.failure() + ")");
        assertNull(p.failure(), "the pipeline is alive");
        assertEquals(follows, p.stats().released());
        assertEquals(follows, p.stats().lastReleasedSeq());
        assertEquals(0, p.stats().rejectedTotal(), "a follow beyond the budget is a valid line: not a rejected line");
        assertEquals(maxUsers, p.stats().graphUsers());
        assertEquals(maxUsers / 2, p.stats().graphFollows(), "each stored follow brought two fresh users");
        assertEquals(follows - maxUsers / 2, p.stats().followsRejected(FollowResult.REJECTED_MAX_USERS));
        assertEquals(0, p.stats().followsRejected(FollowResult.REJECTED_MAX_FOLLOWS));
        assertTrue(p.isRunning());
    }

    /** The other budget: many edges among few users (the second probe, scaled down). */
    @Test
    void edgesAmongFewUsersStopAtTheFollowBudget() {
        final int users = 1_000;
        final long maxFollows = 50_000;
        final Pipeline p = pipelines.start(PipelineConfig.DEFAULT.withMaxFollows(maxFollows));
        final StringBuilder sb = new StringBuilder(1 << 20);
        long seq = 0;
        for (int a = 1; a <= users; a++) {
            for (int b = 1; b <= 200; b++) {
                sb.append(++seq).append("|F|").append(a).append('|').append((a + b) % users + 1).append('\n');
            }
            if (sb.length() > (1 << 20) - 8_192 || a == users) {
                publish(p, sb.toString());
                sb.setLength(0);
            }
        }
        final long total = seq;
        await(() -> p.stats().released() == total || !p.isRunning(), () -> total + " released, have " + p.stats().released());
        assertEquals(total, p.stats().released());
        assertEquals(maxFollows, p.stats().graphFollows());
        assertEquals(total - maxFollows, p.stats().followsRejected(FollowResult.REJECTED_MAX_FOLLOWS));
        assertEquals(0, p.stats().followsRejected(FollowResult.REJECTED_MAX_USERS));
    }

    /**
     * A follow the budget rejects is still a valid, released event: the followed user is notified as usual. Only the
     * edge is not stored, so the follower gets no status updates through it. Connected users have records outside
     * the budget; they enter it with their first stored follow.
     */
    @Test
    void aFollowRejectedByTheBudgetStillNotifiesButStoresNoEdge() {
        final Pipeline p = pipelines.start(PipelineTest.SMALL.withMaxUsers(2));
        final RecordingSession one = new RecordingSession(1);
        final RecordingSession two = new RecordingSession(2);
        final RecordingSession three = new RecordingSession(3);
        p.register(one);
        p.register(two);
        p.register(three);
        publish(p, "1|F|1|2\n");                 // 1 and 2 enter the graph: the budget is full
        publish(p, "2|F|3|2\n");                 // 3 would be a third user: not stored, yet 2 is told
        publish(p, "3|S|2\n");                   // reaches 1 (follows 2), not 3 (its follow was not stored)
        publish(p, "4|F|2|1\n");                 // both in the graph already: stored
        publish(p, "5|S|1\n");                   // reaches 2
        await(() -> p.stats().released() == 5, () -> "5 released, have " + p.stats().released());
        assertTrue(p.drainAndStop(10, TimeUnit.SECONDS));
        assertEquals(List.of("1|F|1|2", "2|F|3|2", "5|S|1"), two.receivedList());
        assertEquals(List.of("3|S|2", "4|F|2|1"), one.receivedList());
        assertEquals(List.of(), three.receivedList());
        assertEquals(1, p.stats().followsRejected(FollowResult.REJECTED_MAX_USERS));
        assertEquals(2, p.stats().graphUsers());
        assertEquals(2, p.stats().graphFollows());
    }

    /** A refused follow is logged, at most once a second, however many there are. */
    @Test
    void refusedFollowsAreLoggedRateLimited() {
        final Pipeline p = pipelines.start(PipelineTest.SMALL.withMaxFollows(0));
        final long started = System.nanoTime();
        try (LogCapture log = new LogCapture("io.followermaze.pipeline")) {
            final StringBuilder sb = new StringBuilder();
            for (int seq = 1; seq <= 1_000; seq++) {
                sb.append(seq).append("|F|1|2\n");
            }
            publish(p, sb.toString());
            await(() -> p.stats().released() == 1_000, () -> "1,000 released, have " + p.stats().released());
            assertTrue(p.drainAndStop(10, TimeUnit.SECONDS));
            final List<String> lines = log.events(Level.WARN).stream().map(e -> e.getFormattedMessage())
                .filter(m -> m.startsWith("Follow not stored")).toList();
            final long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            assertTrue(lines.size() >= 1 && lines.size() <= 1 + seconds + 1, "at most one a second: " + lines.size());
            assertTrue(lines.get(0).contains("max-follows") && lines.get(0).contains("1|F|1|2"), lines.get(0));
        }
        assertEquals(1_000, p.stats().followsRejected(FollowResult.REJECTED_MAX_FOLLOWS));
    }
}
