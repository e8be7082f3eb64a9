package io.followermaze.loadgen.stream;

import io.followermaze.loadgen.RunControl;
import io.followermaze.loadgen.pace.FakeClock;
import io.followermaze.loadgen.pace.Schedule;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The open-loop source on a fake clock: each batch at its due time, and a stall caught up, skipping nothing. */
class PacedSourceStreamTest {
    private static final long START = 1_000_000_000L;
    private static final int RATE = 100_000;

    /** One write: when it happened and the seqs in it. */
    private record Write(long at, long[] seqs) {
        long minSeq() {
            long min = Long.MAX_VALUE;
            for (long s : seqs) {
                min = Math.min(min, s);
            }
            return min;
        }
    }

    /** Records every write with the clock's time; write number {@code stallAt} takes {@code stallNanos}. */
    private static final class RecordingChannel implements WritableByteChannel {
        final List<Write> writes = new ArrayList<>();
        final FakeClock clock;
        final int stallAt;
        final long stallNanos;

        RecordingChannel(FakeClock clock, int stallAt, long stallNanos) {
            this.clock = clock;
            this.stallAt = stallAt;
            this.stallNanos = stallNanos;
        }

        @Override
        public int write(ByteBuffer src) {
            final int n = src.remaining();
            final byte[] b = new byte[n];
            src.get(b);
            final String[] lines = new String(b, StandardCharsets.US_ASCII).split("\n");
            final long[] seqs = new long[lines.length];
            for (int i = 0; i < lines.length; i++) {
                seqs[i] = Long.parseLong(lines[i].substring(0, lines[i].indexOf('|')));
            }
            writes.add(new Write(clock.nanoTime(), seqs));
            if (writes.size() == stallAt) {
                clock.advance(stallNanos); // the write blocked: the server stopped reading
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    private static RecordingChannel run(int events, int stallAt, long stallNanos, Schedule schedule, FakeClock clock)
        throws IOException {
        final int[] connected = EventGenerator.chooseConnectedUsers(1000, 100, 5);
        final SourceStream stream = new SourceStream(new EventGenerator(Mix.REFERENCE, 1000, connected, 5), events,
            100, 5, 1000, null, 16, 64 << 10, new RunControl(1)).pace(schedule, clock);
        schedule.start(START);
        final RecordingChannel channel = new RecordingChannel(clock, stallAt, stallNanos);
        stream.run(channel);
        final BitSet seen = new BitSet();
        for (Write w : channel.writes) {
            for (long s : w.seqs) {
                assertTrue(!seen.get((int) s), "seq twice: " + s);
                seen.set((int) s);
            }
        }
        assertEquals(events, seen.cardinality(), "every event written once, none skipped");
        return channel;
    }

    @Test
    void onScheduleEveryBatchIsWrittenAloneAtItsDueTime() throws IOException {
        final FakeClock clock = new FakeClock(START);
        final Schedule schedule = new Schedule(RATE, 20_000, 0);
        final RecordingChannel ch = run(20_000, -1, 0, schedule, clock);
        long nextSeq = 1;
        for (Write w : ch.writes) {
            assertEquals(nextSeq, w.minSeq(), "one whole batch per write, in order");
            assertEquals(START + (nextSeq - 1) * 1_000_000_000L / RATE, w.at(),
                "batch starting at seq " + nextSeq + " is due at start + (seq - 1) / rate");
            assertEquals(schedule.dueNanos(nextSeq), w.at());
            for (long s : w.seqs) {
                assertEquals(w.at(), schedule.scheduledNanos(s), "its events are scheduled at the write");
            }
            nextSeq += w.seqs.length;
        }
        assertEquals(20_001, nextSeq);
        assertTrue(ch.writes.size() > 20_000 / 100, "batches of 1..100: " + ch.writes.size());
        assertEquals(ch.writes.size() - 1, clock.sleeps(), "waited for every batch but the first (due at the start)"
            + " and none after the last");
    }

    @Test
    void afterAStallTheSourceCatchesUpAtOnceWithoutSkipping() throws IOException {
        final FakeClock clock = new FakeClock(START);
        final Schedule schedule = new Schedule(RATE, 50_000, 0);
        final long stall = 100_000_000; // 100 ms: 10,000 events fall due meanwhile
        final RecordingChannel ch = run(50_000, 20, stall, schedule, clock);
        final long stallEnd = ch.writes.get(19).at() + stall;
        int catchUpWrites = 0;
        boolean caughtUp = false;
        for (int i = 20; i < ch.writes.size(); i++) {
            final Write w = ch.writes.get(i);
            final long due = schedule.dueNanos(w.minSeq());
            assertTrue(w.at() >= due, "never early");
            if (!caughtUp && w.at() == stallEnd) {
                catchUpWrites++;
                assertTrue(due < stallEnd, "overdue batches go out at once, at the stall's end");
            } else {
                caughtUp = true;
                assertEquals(due, w.at(), "back on schedule: batch at its due time");
                for (long s : w.seqs) {
                    assertEquals(due, schedule.scheduledNanos(s), "one batch per write again");
                }
            }
        }
        assertTrue(catchUpWrites >= 1, "caught up");
        final long overdueEvents = ch.writes.subList(20, 20 + catchUpWrites).stream().mapToLong(w -> w.seqs.length).sum();
        assertTrue(overdueEvents >= 9_900 && overdueEvents <= 10_100,
            "the ~10,000 events due during the stall went out together: " + overdueEvents);
        assertTrue(catchUpWrites < overdueEvents / 100, "several batches per catch-up write: " + catchUpWrites);
    }
}
