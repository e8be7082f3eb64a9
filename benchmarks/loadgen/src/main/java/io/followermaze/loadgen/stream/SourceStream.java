package io.followermaze.loadgen.stream;

import io.followermaze.loadgen.RunControl;
import io.followermaze.loadgen.pace.PaceClock;
import io.followermaze.loadgen.pace.Schedule;
import io.followermaze.loadgen.verify.Expectation;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.locks.LockSupport;

/**
 * The event source: cuts the generated stream into batches of {@code 1..maxBatch} consecutive seqs, shuffles
 * each batch, and writes the lines ({@code \n}-terminated) to the server, several batches per write.
 * <p>
 * While generating, it appends each notification to its recipients' {@link Expectation}s; before any write
 * it publishes them, so a reader always knows what to expect before the server can have sent it. When a
 * client's expectation is full (the server lags behind on that client) it first writes what is buffered,
 * then waits: this bounds memory, and cannot deadlock because a ring holds at least two batches' worth.
 * <p>
 * Batch sizes and shuffles come from their own random stream, so a seed fixes the events independently of
 * the batching. Single-threaded: runs on the source thread.
 * <p>
 * Paced ({@link #pace}): each batch is written alone at its {@link Schedule due time}, whatever the server
 * does; when the source is late (the next batch is already due too) it keeps appending and writes the overdue
 * batches together as soon as it can, skipping none. No latency marks then: the readers time every
 * notification against the schedule.
 */
public final class SourceStream {
    private static final long BATCH_STREAM_SALT = 0xA4093822299F31D0L;
    /** A paced source wakes at least this often to notice a failed run. */
    private static final long MAX_SLEEP_NANOS = 10_000_000;

    private final EventGenerator generator;
    private final long totalEvents;
    private final int maxBatch;
    private final int latencySampleMask;
    private final Expectation[] expectations;
    private final RunControl control;
    private final SplitMix64 batchRng;

    private final byte[] scratch;
    private final int[] lineStart;
    private final int[] lineLength;
    private final int[] order;
    private final int maxWireLine;
    private final byte[] send;
    private int sendLength;

    private Expectation[] dirty;
    private int dirtyCount;
    private long batch;
    private long eventsBuffered;
    private long notificationsAppended;
    private long bytesWritten;
    private long backpressureWaits;
    private WritableByteChannel out;
    private final RecipientSink expect = this::expect;
    private Schedule schedule;
    private PaceClock clock;
    private long pacedWrites;
    private long lateBatches;

    /**
     * @param expectations per client, or null to generate without expecting anything (null-server runs)
     * @param latencySample every this-many notifications get a latency mark (a power of two)
     * @param sendBufferBytes bytes buffered before a write (at least one batch is always buffered)
     */
    public SourceStream(EventGenerator generator, long totalEvents, int maxBatch, long seed, int users,
                        Expectation[] expectations, int latencySample, int sendBufferBytes, RunControl control) {
        if (Integer.bitCount(latencySample) != 1) {
            throw new IllegalArgumentException("latencySample must be a power of two: " + latencySample);
        }
        this.generator = generator;
        this.totalEvents = totalEvents;
        this.maxBatch = maxBatch;
        this.latencySampleMask = latencySample - 1;
        this.expectations = expectations;
        this.control = control;
        this.batchRng = new SplitMix64(seed ^ BATCH_STREAM_SALT);
        final int maxLine = EventGenerator.maxLineBytes(totalEvents, users);
        this.maxWireLine = maxLine - 1;
        this.scratch = new byte[maxBatch * maxLine];
        this.lineStart = new int[maxBatch];
        this.lineLength = new int[maxBatch];
        this.order = new int[maxBatch];
        this.send = new byte[Math.max(sendBufferBytes, maxBatch * maxWireLine)];
        this.dirty = new Expectation[expectations == null ? 0 : expectations.length];
    }

    /**
     * Makes this an open-loop source: each batch is due at {@code schedule}'s time (whose start must be set
     * before {@link #run}), measured and waited for with {@code clock}.
     */
    public SourceStream pace(Schedule schedule, PaceClock clock) {
        this.schedule = schedule;
        this.clock = clock;
        return this;
    }

    /** Generates and writes every event, then publishes the last expectations. */
    public void run(WritableByteChannel channel) throws IOException {
        this.out = channel;
        final RecipientSink sink = expectations == null ? RecipientSink.NONE : expect;
        long seq = 1;
        while (seq <= totalEvents) {
            control.checkNotFailed();
            final int n = (int) Math.min(1 + batchRng.nextInt(maxBatch), totalEvents - seq + 1);
            if (sendLength + n * maxWireLine > send.length) {
                flush();
            }
            if (schedule != null) {
                schedule.batch(seq, n);
            }
            int pos = 0;
            for (int i = 0; i < n; i++) {
                lineStart[i] = pos;
                final int len = generator.next(seq + i, scratch, pos, sink);
                lineLength[i] = len;
                pos += len + 2;
            }
            shuffle(n);
            for (int i = 0; i < n; i++) {
                final int k = order[i];
                System.arraycopy(scratch, lineStart[k], send, sendLength, lineLength[k]);
                sendLength += lineLength[k];
                send[sendLength++] = '\n';
            }
            seq += n;
            eventsBuffered = seq - 1;
            batch++;
            if (schedule != null) {
                writeWhenDue(seq - n, seq);
            }
        }
        flush();
        control.generationDone();
    }

    /**
     * Paced: writes the batch starting at {@code firstSeq} (and any overdue ones buffered before it) at its due
     * time; if the next batch ({@code nextSeq}) is due already, leaves it buffered to go with that one.
     */
    private void writeWhenDue(long firstSeq, long nextSeq) throws IOException {
        final long due = schedule.dueNanos(firstSeq);
        long now = clock.nanoTime();
        if (nextSeq <= totalEvents && now >= schedule.dueNanos(nextSeq)) {
            lateBatches++;
            return;
        }
        while (now < due) {
            control.checkNotFailed();
            clock.sleepUntil(Math.min(due, now + MAX_SLEEP_NANOS));
            now = clock.nanoTime();
        }
        pacedWrites++;
        flush();
    }

    private void shuffle(int n) {
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            final int j = batchRng.nextInt(i + 1);
            final int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    private void expect(int client, byte[] line, int offset, int length) {
        final Expectation e = expectations[client];
        if (!e.hasRoom(length)) {
            awaitRoom(e, length);
        }
        e.append(line, offset, length);
        if (e.markDirty()) {
            dirty[dirtyCount++] = e;
        }
        if ((++notificationsAppended & latencySampleMask) == 0 && schedule == null) {
            e.mark(batch);
        }
    }

    /**
     * Writes what is buffered, then waits until a quarter of the ring is free, not just one line: clients fill
     * up together (a broadcast reaches all), so waiting for more at once saves a wait per client per event.
     * A quarter is always reachable: the batch being generated occupies less than half a ring.
     */
    private void awaitRoom(Expectation e, int length) {
        backpressureWaits++;
        try {
            flush();
        } catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
        final int room = Math.max(length, e.capacity() / 4);
        while (!e.hasRoom(room)) {
            control.checkNotFailed();
            LockSupport.parkNanos(20_000);
        }
    }

    /**
     * Publishes expectations, stamps latency marks of the complete batches, and writes them. A ring whose marks
     * belong to the batch still being generated stays listed, to be stamped when that batch is written.
     */
    private void flush() throws IOException {
        final long now = System.nanoTime();
        int kept = 0;
        for (int i = 0; i < dirtyCount; i++) {
            final Expectation e = dirty[i];
            dirty[i] = null;
            final boolean unstamped = e.stampMarks(batch, now);
            e.publish();
            if (unstamped && e.markDirty()) {
                dirty[kept++] = e;
            }
        }
        dirtyCount = kept;
        if (sendLength == 0) {
            return;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(send, 0, sendLength);
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
        bytesWritten += sendLength;
        sendLength = 0;
        control.eventsSent(eventsBuffered);
    }

    public long bytesWritten() {
        return bytesWritten;
    }

    public long notificationsExpected() {
        return notificationsAppended;
    }

    /** Paced: writes made at (or after) a batch's due time. */
    public long pacedWrites() {
        return pacedWrites;
    }

    /** Paced: batches generated when the next one was already due, so written together with later ones. */
    public long lateBatches() {
        return lateBatches;
    }

    /** Times the source had to wait for a client to catch up before it could expect more of it. */
    public long backpressureWaits() {
        return backpressureWaits;
    }
}
