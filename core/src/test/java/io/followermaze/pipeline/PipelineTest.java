package io.followermaze.pipeline;

import io.followermaze.testkit.LogCapture;
import com.lmax.disruptor.EventTranslatorOneArg;
import io.followermaze.ingress.LineFramer;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.followermaze.protocol.ParseOutcome;
import io.followermaze.session.ClientSession;
import io.followermaze.testkit.EventStreamGenerator;
import io.followermaze.testkit.NaiveFollowerModel;
import io.followermaze.testkit.Seeds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real {@link Pipeline} (Disruptor thread and all), fed the way the Netty ingress feeds it.
 * Sessions are called on the pipeline thread; the test thread reads them through concurrent collections.
 */
class PipelineTest {
    /** Small everything, so that chunks split, the window overflows into the spill and the ring wraps. */
    static final PipelineConfig SMALL = PipelineConfig.DEFAULT
        .withMaxLineLength(100)
        .withChunkBytes(512)
        .withWindowSize(64)
        .withRingSize(16);

    private static final long TIMEOUT_MILLIS = 20_000;

    /** Records payloads on the pipeline thread; safe to read from the test thread. */
    static class RecordingSession extends ClientSession {
        final ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
        final AtomicInteger unregisteredCalls = new AtomicInteger();

        RecordingSession(long userId) {
            super(userId);
        }

        @Override
        public void deliver(byte[] payload, int offset, int length) {
            received.add(new String(payload, offset, length, StandardCharsets.ISO_8859_1));
        }

        @Override
        protected void onUnregistered() {
            unregisteredCalls.incrementAndGet();
        }

        List<String> receivedList() {
            return new ArrayList<>(received);
        }
    }

    private final List<Pipeline> pipelines = new ArrayList<>();
    private final AtomicLong batchEnds = new AtomicLong();

    private Pipeline newPipeline(PipelineConfig config) {
        final Pipeline p = new Pipeline(config, batchEnds::incrementAndGet);
        pipelines.add(p);
        return p;
    }

    @AfterEach
    void closePipelines() {
        for (Pipeline p : pipelines) {
            p.close();
        }
    }

    /** Waits, without sleeping a fixed time, until {@code condition} holds; fails after the deadline. */
    static void await(BooleanSupplier condition, Supplier<String> whatWeWaitFor) {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + TIMEOUT_MILLIS + " ms waiting for " + whatWeWaitFor.get());
            }
            LockSupport.parkNanos(200_000);
        }
    }

    private static void awaitReleased(Pipeline p, long events, long lines) {
        await(() -> p.stats().released() == events && p.stats().linesReceived() == lines,
            () -> events + " events released and " + lines + " lines received; have " + p.stats().released() + " and "
                + p.stats().linesReceived() + " (next expected " + (p.stats().lastReleasedSeq() + 1) + ", pending " + p.stats().pending()
                + ", processor exceptions " + p.stats().processorExceptions() + ")");
    }

    /** Publishes whole lines in slices of 1..maxLinesPerCall lines, as socket reads would hand them over. */
    private static void publishInSlices(Pipeline p, byte[] wire, int maxLinesPerCall, Random random) {
        int start = 0;
        while (start < wire.length) {
            int end = start;
            for (int lines = 1 + random.nextInt(maxLinesPerCall); lines > 0 && end < wire.length; lines--) {
                while (wire[end] != '\n') {
                    end++;
                }
                end++;
            }
            LineFramer.publishAll(p, wire, start, end - start);
            start = end;
        }
    }

    @Test
    void shuffledStreamWithMalformedLinesReachesEveryClientInOrder() {
        final long seed = Seeds.seed(8_080L);
        final Random random = new Random(seed);
        final String context = "seed " + seed;
        final Pipeline pipeline = newPipeline(SMALL);

        // Users 1..20 one session, 21..25 two sessions, 26..30 never connect.
        final List<RecordingSession> sessions = new ArrayList<>();
        final List<Long> connected = new ArrayList<>();
        for (long u = 1; u <= 25; u++) {
            connected.add(u);
            for (int i = 0; i < (u <= 20 ? 1 : 2); i++) {
                final RecordingSession s = new RecordingSession(u);
                sessions.add(s);
                pipeline.register(s);
            }
        }

        final int events = 40_000;
        final List<String> inOrder = new EventStreamGenerator(seed, 30).zeroPaddedIds(true).next(events);
        final List<String> lines = new ArrayList<>(EventStreamGenerator.shuffleInBatches(inOrder, 100, random));

        // Malformed lines anywhere in the stream; each must be counted under its reason and change nothing else.
        final String tooLong = "1|B" + "0".repeat(SMALL.maxLineLength());
        final Map<ParseOutcome, String> bad = new EnumMap<>(ParseOutcome.class);
        bad.put(ParseOutcome.EMPTY_LINE, "");
        bad.put(ParseOutcome.LINE_TOO_LONG, tooLong);
        bad.put(ParseOutcome.BAD_SEQUENCE, "x1|B");
        bad.put(ParseOutcome.UNKNOWN_TYPE, "17|Q|1|2");
        bad.put(ParseOutcome.WRONG_FIELD_COUNT, "18|F|1");
        bad.put(ParseOutcome.BAD_USER_ID, "19|S|0");
        final Map<ParseOutcome, Long> expectedRejects = new EnumMap<>(ParseOutcome.class);
        final List<ParseOutcome> reasons = new ArrayList<>(bad.keySet());
        for (int i = 0; i < 600; i++) {
            final ParseOutcome reason = reasons.get(random.nextInt(reasons.size()));
            lines.add(random.nextInt(lines.size() + 1), bad.get(reason));
            expectedRejects.merge(reason, 1L, Long::sum);
        }
        // (With mixed line ends, an empty line arrives both as "\n" and as "\r\n".)

        final byte[] wire = EventStreamGenerator.encodeMixedLineEnds(lines, random);
        try (LogCapture log = new LogCapture("io.followermaze.pipeline")) {
            publishInSlices(pipeline, wire, 60, random);
            awaitReleased(pipeline, events, lines.size());
            assertTrue(pipeline.drainAndStop(10, TimeUnit.SECONDS));
            assertTrue(log.events(Level.WARN).stream()
                    .anyMatch(e -> e.getFormattedMessage().startsWith("Dropped event line")),
                context + ": a rejected line is logged");
            assertTrue(log.events(Level.ERROR).isEmpty(), context + ": " + log.events(Level.ERROR));
        }

        final NaiveFollowerModel model = new NaiveFollowerModel(connected);
        model.applyAll(inOrder);
        long expectedDeliveries = 0;
        for (RecordingSession s : sessions) {
            final List<String> expected = model.expectedFor(s.userId());
            assertNull(NaiveFollowerModel.describeDifference(expected, s.receivedList()),
                context + ": user " + s.userId());
            expectedDeliveries += expected.size();
        }
        for (ParseOutcome reason : ParseOutcome.values()) {
            if (reason != ParseOutcome.ACCEPTED) {
                assertEquals(expectedRejects.getOrDefault(reason, 0L), pipeline.stats().rejected(reason),
                    context + ": rejected " + reason);
            }
        }
        assertEquals(lines.size() - events, pipeline.stats().rejectedTotal(), context);
        assertEquals(lines.size(), pipeline.stats().linesReceived(), context);
        assertEquals(events, pipeline.stats().released(), context);
        assertEquals(events, pipeline.stats().lastReleasedSeq(), context);
        assertEquals(0, pipeline.stats().duplicatesDropped(), context);
        assertEquals(0, pipeline.stats().gapsSkipped(), context);
        assertEquals(0, pipeline.stats().seqsSkipped(), context);
        assertEquals(0, pipeline.stats().pending(), context);
        assertEquals(0, pipeline.stats().processorExceptions(), context);
        assertEquals(sessions.size(), pipeline.stats().registrations(), context);
        assertEquals(expectedDeliveries, pipeline.stats().notificationsDelivered(), context);
        assertTrue(pipeline.stats().batches() > 0, context);
        assertEquals(pipeline.stats().batches(), batchEnds.get(), context + ": the listener is told at every batch end");
        assertEquals(SMALL, pipeline.config());
    }

    @ParameterizedTest(name = "chunk of {0} bytes")
    @ValueSource(ints = {128, 512, 16 * 1024})
    void duplicatesAcrossChunksAreDroppedOnce(int chunkBytes) {
        final long seed = Seeds.seed(chunkBytes);
        final Random random = new Random(seed);
        final Pipeline pipeline = newPipeline(SMALL.withMaxLineLength(100).withChunkBytes(chunkBytes));
        final RecordingSession s = new RecordingSession(1);
        pipeline.register(s);
        final List<String> inOrder = new EventStreamGenerator(seed, 3).next(5_000);
        final List<String> lines = new ArrayList<>(EventStreamGenerator.shuffleInBatches(inOrder, 300, random));
        for (int i = 0; i < 500; i++) {
            lines.add(random.nextInt(lines.size() + 1), inOrder.get(random.nextInt(inOrder.size())));
        }
        final byte[] wire = EventStreamGenerator.encode(lines, "\r\n");
        LineFramer.publishAll(pipeline, wire, 0, wire.length); // one call; the pipeline cuts it into chunks at line ends
        awaitReleased(pipeline, inOrder.size(), lines.size());
        assertTrue(pipeline.drainAndStop(10, TimeUnit.SECONDS));
        assertEquals(500, pipeline.stats().duplicatesDropped(), "seed " + seed);
        final NaiveFollowerModel model = new NaiveFollowerModel(List.of(1L));
        model.applyAll(inOrder);
        assertNull(NaiveFollowerModel.describeDifference(model.expectedFor(1), s.receivedList()), "seed " + seed);
        assertEquals(0, pipeline.stats().rejectedTotal(), "seed " + seed);
    }

    @Test
    void registrationTakesEffectBeforeLaterEventsAndUnregistrationStopsDelivery() {
        final Pipeline pipeline = newPipeline(SMALL);
        final RecordingSession early = new RecordingSession(1);
        final RecordingSession late = new RecordingSession(2);
        pipeline.register(early);
        publish(pipeline, 1, 100);
        pipeline.register(late);
        publish(pipeline, 101, 200);
        pipeline.unregister(early);
        publish(pipeline, 201, 300);
        pipeline.unregister(late);
        pipeline.unregister(late); // twice: a no-op
        publish(pipeline, 301, 400);
        awaitReleased(pipeline, 400, 400);
        assertTrue(pipeline.drainAndStop(10, TimeUnit.SECONDS));
        assertEquals(broadcasts(1, 200), early.receivedList());
        assertEquals(broadcasts(101, 300), late.receivedList());
        assertEquals(1, early.unregisteredCalls.get());
        assertEquals(1, late.unregisteredCalls.get());
        assertFalse(early.isRegistered());
        assertEquals(2, pipeline.stats().registrations());
        assertEquals(400, pipeline.stats().notificationsDelivered());
    }

    private static void publish(Pipeline p, long firstSeq, long lastSeq) {
        final byte[] wire = EventStreamGenerator.encode(broadcasts(firstSeq, lastSeq), "\n");
        LineFramer.publishAll(p, wire, 0, wire.length);
    }

    private static List<String> broadcasts(long firstSeq, long lastSeq) {
        final List<String> out = new ArrayList<>();
        for (long s = firstSeq; s <= lastSeq; s++) {
            out.add(s + "|B");
        }
        return out;
    }

    @Test
    void producersCanFillRingEntriesThroughATranslator() {
        final Pipeline pipeline = newPipeline(SMALL);
        final RecordingSession s = new RecordingSession(7);
        pipeline.register(s);
        final String[] chunks = {"2|P|1|7\n3|B\n", "1|F|9|7\r\n", "4|S|9\n"};
        final EventTranslatorOneArg<IngressEntry, String> copy = (entry, seq, chunk) -> {
            final byte[] b = chunk.getBytes(StandardCharsets.ISO_8859_1);
            System.arraycopy(b, 0, entry.bytes(), 0, b.length);
            entry.eventLines(b.length);
        };
        for (String chunk : chunks) {
            assertTrue(pipeline.publish(copy, chunk));
        }
        awaitReleased(pipeline, 4, 4);
        assertEquals(List.of("1|F|9|7", "2|P|1|7", "3|B"), s.receivedList()); // 7 does not follow 9
        assertEquals(chunks.length + 1, pipeline.stats().ringEntries());
        assertTrue(pipeline.ringRemainingCapacity() <= SMALL.ringSize());
    }

    /** Free entries for a waiting producer; once stopped, unbounded, so that it tries and learns STOPPED at once. */
    @Test
    void remainingCapacityIsTheRingsUntilStopped() {
        final Pipeline pipeline = newPipeline(SMALL);
        assertEquals(SMALL.ringSize(), pipeline.remainingCapacity()); // nothing published yet
        assertTrue(pipeline.drainAndStop(5, TimeUnit.SECONDS));
        assertEquals(Long.MAX_VALUE, pipeline.remainingCapacity());
        assertEquals(IngressPublisher.Outcome.STOPPED, pipeline.tryPublish((entry, seq, arg) -> { }, null));
        pipeline.close();
    }

    /**
     * A translator that throws leaves no hole in the ring (the claimed entry is still published) and no stale entry
     * either: the slot, last used a whole ring ago, is published empty rather than replayed.
     */
    @Test
    void aFailingTranslatorNeitherStallsNorReplays() {
        final PipelineConfig config = SMALL.withRingSize(4);
        final Pipeline pipeline = newPipeline(config);
        final RecordingSession s = new RecordingSession(7);
        pipeline.register(s); // ring slot 0
        for (int seq = 1; seq <= 3; seq++) { // slots 1..3
            Pipelines.publish(pipeline, seq + "|B\n");
        }
        awaitReleased(pipeline, 3, 3);
        final EventTranslatorOneArg<IngressEntry, String> failing = (entry, seq, chunk) -> {
            throw new IllegalStateException("translator failed");
        };
        for (int i = 0; i < 4; i++) { // every slot, each holding an earlier entry
            assertThrows(IllegalStateException.class, () -> pipeline.publish(failing, "x"));
        }
        Pipelines.publish(pipeline, "4|B\n");
        awaitReleased(pipeline, 4, 4);
        assertEquals(List.of("1|B", "2|B", "3|B", "4|B"), s.receivedList());
        assertEquals(1, pipeline.stats().registrations(), "the registration was not replayed");
    }

    /**
     * Issue 8, defect 3: a final fragment without its line end can not be told from a line cut short ({@code 2|P|9|2}
     * may be {@code 2|P|9|23} that lost its last byte): it is dropped and counted, never parsed.
     */
    @Test
    void aFinalLineWithoutLineEndIsDroppedAsTruncated() {
        final Pipeline pipeline = newPipeline(SMALL);
        final RecordingSession one = new RecordingSession(1);
        final RecordingSession two = new RecordingSession(2);
        pipeline.register(one);
        pipeline.register(two);
        final byte[] wire = "1|B\n2|P|9|2".getBytes(StandardCharsets.ISO_8859_1);
        LineFramer.publishAll(pipeline, wire, 0, wire.length);
        await(() -> pipeline.stats().linesReceived() == 2, () -> "2 lines received, have " + pipeline.stats().linesReceived());
        assertTrue(pipeline.drainAndStop(10, TimeUnit.SECONDS));
        assertEquals(List.of("1|B"), two.receivedList());
        assertEquals(List.of("1|B"), one.receivedList());
        assertEquals(1, pipeline.stats().released());
        assertEquals(1, pipeline.stats().rejectedTotal());
        assertEquals(1, pipeline.stats().rejected(ParseOutcome.TRUNCATED));
    }

    /** Every producer's fragment is judged alone: a valid-looking one is not parsed either, nor joined to the next. */
    @Test
    void aFragmentIsNeverJoinedToTheNextEntry() {
        final Pipeline pipeline = newPipeline(SMALL);
        final RecordingSession s = new RecordingSession(1);
        pipeline.register(s);
        final byte[] first = "2|B\n1|".getBytes(StandardCharsets.ISO_8859_1);
        final byte[] second = "B\n1|B\n3|B".getBytes(StandardCharsets.ISO_8859_1);
        LineFramer.publishAll(pipeline, first, 0, first.length);
        LineFramer.publishAll(pipeline, second, 0, second.length);
        await(() -> pipeline.stats().linesReceived() == 5, () -> "5 lines received, have " + pipeline.stats().linesReceived());
        assertTrue(pipeline.drainAndStop(10, TimeUnit.SECONDS));
        assertEquals(List.of("1|B", "2|B"), s.receivedList());
        assertEquals(2, pipeline.stats().rejected(ParseOutcome.TRUNCATED));
        assertEquals(1, pipeline.stats().rejected(ParseOutcome.BAD_SEQUENCE), "'B' alone");
        assertEquals(3, pipeline.stats().rejectedTotal());
    }

    /**
     * A line longer than a chunk can not be carried whole; the framer passes on only its start. The whole line must
     * then be rejected: its tail must not turn into an event of its own.
     */
    @Test
    void aLineLongerThanAChunkIsRejectedWhole() {
        final PipelineConfig config = SMALL.withMaxLineLength(100).withChunkBytes(128);
        final Pipeline pipeline = newPipeline(config);
        final RecordingSession s = new RecordingSession(1);
        pipeline.register(s);
        final String overlong = "x".repeat(config.chunkBytes()) + "4|B"; // its tail looks like an event
        final byte[] wire = ("2|B\n" + overlong + "\n1|B\n3|B\n").getBytes(StandardCharsets.ISO_8859_1);
        LineFramer.publishAll(pipeline, wire, 0, wire.length);
        await(() -> pipeline.stats().released() >= 3, () -> "3 events released, have " + pipeline.stats().released());
        assertTrue(pipeline.drainAndStop(10, TimeUnit.SECONDS));
        assertEquals(List.of("1|B", "2|B", "3|B"), s.receivedList());
        assertEquals(3, pipeline.stats().released());
        assertEquals(1, pipeline.stats().rejected(ParseOutcome.LINE_TOO_LONG));
        assertEquals(1, pipeline.stats().rejectedTotal());
    }

    @Test
    void aVeryLongLineSpanningSeveralChunksIsRejectedOnce() {
        final PipelineConfig config = SMALL.withMaxLineLength(100).withChunkBytes(128);
        final Pipeline pipeline = newPipeline(config);
        final RecordingSession s = new RecordingSession(1);
        pipeline.register(s);
        final byte[] wire = ("2|B\n" + "9".repeat(1000) + "\n1|B\n3|B\n").getBytes(StandardCharsets.ISO_8859_1);
        LineFramer.publishAll(pipeline, wire, 0, wire.length);
        await(() -> pipeline.stats().released() >= 3, () -> "3 events released, have " + pipeline.stats().released());
        assertTrue(pipeline.drainAndStop(10, TimeUnit.SECONDS));
        assertEquals(List.of("1|B", "2|B", "3|B"), s.receivedList());
        assertEquals(1, pipeline.stats().rejected(ParseOutcome.LINE_TOO_LONG));
        assertEquals(1, pipeline.stats().rejectedTotal());
    }

    /** Throws on one payload ({@code IllegalStateException}, or what {@code failure} makes); records everything else. */
    static final class FaultySession extends RecordingSession {
        private final String poison;
        private final java.util.function.Function<String, RuntimeException> runtimeFailure;
        private final java.util.function.Function<String, Error> errorFailure;

        FaultySession(long userId, String poison) {
            this(userId, poison, p -> new IllegalStateException("boom on " + p), null);
        }

        /** Throws an {@link Error} made by {@code failure}: a fatal failure. */
        static FaultySession withError(long userId, String poison, java.util.function.Function<String, Error> failure) {
            return new FaultySession(userId, poison, null, failure);
        }

        private FaultySession(long userId, String poison, java.util.function.Function<String, RuntimeException> runtime,
                              java.util.function.Function<String, Error> error) {
            super(userId);
            this.poison = poison;
            this.runtimeFailure = runtime;
            this.errorFailure = error;
        }

        @Override
        public void deliver(byte[] payload, int offset, int length) {
            final String p = new String(payload, offset, length, StandardCharsets.ISO_8859_1);
            if (p.equals(poison)) {
                if (errorFailure != null) {
                    throw errorFailure.apply(p);
                }
                throw runtimeFailure.apply(p);
            }
            super.deliver(payload, offset, length);
        }
    }

    @ParameterizedTest(name = "shuffled arrival: {0}")
    @ValueSource(booleans = {false, true})
    void anExceptionInDeliverIsLoggedAndLaterEventsStillFlow(boolean shuffled) {
        final long seed = Seeds.seed(666L);
        final Random random = new Random(seed);
        final Pipeline pipeline = newPipeline(SMALL);
        final String poison = "10|P|2|1";
        final FaultySession faulty = new FaultySession(1, poison);
        final RecordingSession healthy = new RecordingSession(2);
        pipeline.register(faulty);
        pipeline.register(healthy);

        final List<String> inOrder = new ArrayList<>();
        for (long seq = 1; seq <= 1_000; seq++) {
            inOrder.add(seq == 10 ? poison : seq % 3 == 0 ? seq + "|B" : seq + "|P|9|" + (1 + seq % 2));
        }
        final List<String> arrival = shuffled ? EventStreamGenerator.shuffleInBatches(inOrder, 50, random) : inOrder;
        final byte[] wire = EventStreamGenerator.encode(arrival, "\n");
        try (LogCapture log = new LogCapture("io.followermaze.pipeline")) {
            LineFramer.publishAll(pipeline, wire, 0, wire.length);
            awaitReleased(pipeline, 1_000, 1_000);
            assertTrue(pipeline.drainAndStop(10, TimeUnit.SECONDS));
            final List<ILoggingEvent> errors = log.events(Level.ERROR);
            assertEquals(1, errors.size(), "seed " + seed + ": " + errors);
            assertTrue(errors.get(0).getThrowableProxy() != null
                && errors.get(0).getThrowableProxy().getMessage().equals("boom on " + poison), "seed " + seed);
        }
        assertEquals(1, pipeline.stats().processorExceptions(), "seed " + seed);
        assertEquals(0, pipeline.stats().gapsSkipped(), "seed " + seed);

        final NaiveFollowerModel model = new NaiveFollowerModel(List.of(1L, 2L));
        model.applyAll(inOrder);
        final List<String> expectedByFaulty = new ArrayList<>(model.expectedFor(1));
        assertTrue(expectedByFaulty.remove(poison));
        assertNull(NaiveFollowerModel.describeDifference(expectedByFaulty, faulty.receivedList()), "seed " + seed);
        assertNull(NaiveFollowerModel.describeDifference(model.expectedFor(2), healthy.receivedList()),
            "seed " + seed);
    }

    @Test
    void drainAndStopIsIdempotent() {
        final Pipeline pipeline = newPipeline(SMALL);
        assertTrue(pipeline.drainAndStop(5, TimeUnit.SECONDS));
        assertTrue(pipeline.drainAndStop(5, TimeUnit.SECONDS));
        pipeline.close();
    }
}
