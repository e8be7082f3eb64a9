package io.followermaze.pipeline;

import io.followermaze.pipeline.PipelineTest.RecordingSession;
import io.followermaze.protocol.ParseOutcome;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.followermaze.pipeline.PipelineTest.await;
import static io.followermaze.pipeline.Pipelines.broadcasts;
import static io.followermaze.pipeline.Pipelines.publish;
import static io.followermaze.pipeline.Pipelines.publishLines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How far ahead of the cursor a seq may be, and the top of the seq range (issue 8, defect 4). */
class PipelineSeqBoundTest {
    private static final long MAX = Long.MAX_VALUE;

    @RegisterExtension
    final Pipelines pipelines = new Pipelines();

    // ---- how far ahead a seq may be, and the top of the range ----

    /**
     * Issue 8, defect 4: one valid-looking line at seq 2^63-1 with a gap timeout made the skip jump to it; the
     * cursor then wrapped and every later stream was dropped as duplicates.
     */
    @Test
    void aSeqAtMaxValueWithAGapTimeoutIsRejectedAndALaterStreamFlows() {
        final Pipeline p = pipelines.start(PipelineTest.SMALL.withGapTimeoutMillis(20));
        final RecordingSession s = new RecordingSession(1);
        p.register(s);
        publish(p, MAX + "|B\n");
        await(() -> p.stats().rejectedTotal() == 1 && p.stats().linesReceived() == 1 || p.stats().released() == 1,
            () -> "the line to be rejected (or, before the fix, released by a gap skip)");
        assertEquals(0, p.stats().released(), "the absurd seq is never released");
        assertEquals(0, p.stats().lastReleasedSeq(), "the cursor has not moved");
        assertEquals(0, p.stats().pending(), "nor is it held");
        assertEquals(0, p.stats().gapsSkipped());
        assertEquals(1, p.stats().rejected(ParseOutcome.SEQ_TOO_FAR_AHEAD));
        assertEquals(1, p.stats().linesReceived());

        // In order: with a 20 ms gap timeout a shuffled stream would have its gaps skipped whenever the publisher
        // is descheduled for 20 ms (a loaded machine), and the late events then count as duplicates.
        final List<String> stream = broadcasts(1, 1_000);
        publishLines(p, stream);
        await(() -> p.stats().released() == 1_000, () -> "1,000 released, have " + p.stats().released() + ", duplicates "
            + p.stats().duplicatesDropped());
        assertTrue(p.drainAndStop(10, TimeUnit.SECONDS));
        assertEquals(stream, s.receivedList());
        assertEquals(0, p.stats().duplicatesDropped());
        assertEquals(1_000, p.stats().lastReleasedSeq());
    }

    /** Issue 8, defect 4: a seq absurdly far ahead (10^15) sat in the spill for ever. */
    @Test
    void aSeqFarAheadIsRejectedNotHeld() {
        final Pipeline p = pipelines.start(PipelineTest.SMALL);
        publish(p, "1000000000000000|B\n");
        await(() -> p.stats().linesReceived() == 1 && p.stats().rejectedTotal() == 1,
            () -> "the line to reach the pipeline and be rejected");
        assertEquals(0, p.stats().pending(), "not held in the spill");
        assertEquals(1, p.stats().rejectedTotal());
        assertEquals(1, p.stats().rejected(ParseOutcome.SEQ_TOO_FAR_AHEAD));
        publishLines(p, broadcasts(1, 100));
        await(() -> p.stats().released() == 100 && p.stats().pending() == 0,
            () -> "100 released and none pending, have " + p.stats().released() + " and " + p.stats().pending());
    }

    /** The bound is exact: {@code seq - next == maxSeqAhead} is held, one more is rejected. */
    @Test
    void aSeqExactlyMaxSeqAheadIsHeldAndOneFurtherIsRejected() {
        final Pipeline p = pipelines.start(PipelineTest.SMALL.withMaxSeqAhead(1_000));
        publish(p, "1002|B\n1001|B\n");          // next is 1: 1001 is 1,000 ahead, 1002 is 1,001 ahead
        // received is counted before a line is offered or rejected: wait for what the assertions read
        await(() -> p.stats().linesReceived() == 2 && p.stats().pending() == 1 && p.stats().rejectedTotal() == 1,
            () -> "both lines to reach the pipeline, one held and one rejected");
        assertEquals(1, p.stats().pending());
        assertEquals(1, p.stats().rejectedTotal());
        final List<String> stream = broadcasts(1, 1_000);
        Collections.reverse(stream);             // each one is within the bound when it arrives
        publishLines(p, stream);
        // the pending gauge is set after the run it releases: wait for both, not for one and read the other
        await(() -> p.stats().released() == 1_001 && p.stats().pending() == 0,
            () -> "1,001 released and none pending, have " + p.stats().released() + " and " + p.stats().pending());
        assertEquals(1_001, p.stats().lastReleasedSeq());
        assertEquals(1, p.stats().rejectedTotal());
        assertEquals(1, p.stats().rejected(ParseOutcome.SEQ_TOO_FAR_AHEAD));
    }

    /** With the bound lifted, the top seqs release through a gap skip and the cursor stays at the top. */
    @Test
    void theTopSeqsReleaseWithoutWrappingWhenTheBoundAllowsThem() {
        final Pipeline p = pipelines.start(PipelineTest.SMALL.withMaxSeqAhead(MAX).withGapTimeoutMillis(20));
        final RecordingSession s = new RecordingSession(1);
        p.register(s);
        publish(p, (MAX - 2) + "|B\n");
        await(() -> p.stats().released() == 1, () -> "the gap below MAX - 2 to be skipped");
        // The two top seqs in one piece and in order: no gap to time out, however slowly this thread runs.
        publish(p, (MAX - 1) + "|B\n" + MAX + "|B\n");
        await(() -> p.stats().released() == 3, () -> "the top three released, have " + p.stats().released());
        assertEquals(MAX, p.stats().lastReleasedSeq());
        assertEquals(0x1p63, p.stats().nextSeqExpected());
        publish(p, "1|B\n" + MAX + "|B\n");
        await(() -> p.stats().duplicatesDropped() == 2, () -> "two late seqs dropped");
        assertTrue(p.drainAndStop(10, TimeUnit.SECONDS));
        assertEquals(List.of((MAX - 2) + "|B", (MAX - 1) + "|B", MAX + "|B"), s.receivedList());
        assertEquals(MAX, p.stats().lastReleasedSeq());
        assertEquals(0, p.stats().pending());
    }
}
