package io.followermaze.ingress;

import com.lmax.disruptor.EventTranslatorOneArg;
import io.followermaze.pipeline.IngressEntry;
import io.followermaze.pipeline.IngressPublisher;
import io.followermaze.pipeline.PipelineConfig;

import java.util.concurrent.locks.LockSupport;

/**
 * Frames one source's byte stream into whole lines and publishes them, as few entries as the entry size allows, into
 * the ingress ring. The one framing path: the server's event-source connections, the tests and the benchmarks all
 * feed the ring through it. Parsing, and the counting of every rejected line, happen on the pipeline thread.
 * <p>
 * Only the unfinished last line is held here, and never more than the longest line allowed plus one byte: a line
 * that grows past the limit without a line end has its first bytes published without a line end (the pipeline
 * counts them as {@code LINE_TOO_LONG}, one place for every rejection) and the rest is dropped up to the next
 * {@code '\n'}; so a source can not make a framer buffer without bound. At the source's end, {@link #finish()}
 * publishes an unfinished line without a line end: it can not be told from a line cut short, so the pipeline counts
 * it as truncated and never parses it.
 * <p>
 * Not thread-safe: one framer per source, fed by one thread (the source's event loop), which owns every field.
 */
public final class LineFramer {
    private static final ByteInput NO_INPUT = new ByteArrayInput();

    private final IngressPublisher ring;
    private final int chunkBytes;
    /** A line with its optional '\r'; one byte more is proof that it is too long. */
    private final int maxLineBytes;
    private final byte[] tail;
    private int tailLength;
    /** The tail holds the start of an over-long line, to be published without a line end. */
    private boolean overlongHeld;
    /** Dropping input up to the next line end (the rest of an over-long line). */
    private boolean discarding;
    /** Bytes of the input the next publish takes after the tail. */
    private int takeLength;
    private final EventTranslatorOneArg<IngressEntry, ByteInput> fill = this::fill;

    public LineFramer(IngressPublisher ring) {
        final PipelineConfig config = ring.config();
        this.ring = ring;
        this.chunkBytes = config.chunkBytes();
        this.maxLineBytes = config.maxLineLength() + 1;
        this.tail = new byte[maxLineBytes + 1]; // <= chunkBytes: the config keeps maxLineLength <= chunkBytes - 2
    }

    /**
     * Publishes every complete line of {@code in}, at most {@code maxEntries} entries' worth; holds an unfinished last
     * line for the next call. When the pipeline has stopped, the input is consumed and dropped.
     *
     * @return true when all of {@code in} was consumed; false when the ring filled up or {@code maxEntries} were
     *         published first (call again with the rest of the input)
     */
    public boolean frame(ByteInput in, int maxEntries) {
        int entries = 0;
        while (true) {
            if (overlongHeld) {
                if (entries == maxEntries || !publishTailAnd(in, 0)) {
                    return false;
                }
                entries++;
            }
            final int readable = in.readable();
            if (readable == 0) {
                return true;
            }
            if (discarding) {
                final int lineEnd = in.indexOfLineEnd();
                in.skip(lineEnd < 0 ? readable : lineEnd + 1);
                discarding = lineEnd < 0;
                continue;
            }
            final int span = Math.min(readable, chunkBytes - tailLength);
            final int lastLineEnd = in.lastIndexOfLineEnd(span);
            if (lastLineEnd < 0) {
                hold(in, span);
            } else {
                if (entries == maxEntries || !publishTailAnd(in, lastLineEnd + 1)) {
                    return false;
                }
                entries++;
            }
        }
    }

    /**
     * The source has ended (closed, or the server shuts down): publishes the unfinished last line, if any, without a
     * line end. Idempotent.
     *
     * @return false if the ring is full (call again later)
     */
    public boolean finish() {
        if (overlongHeld && !publishTailAnd(NO_INPUT, 0)) {
            return false;
        }
        discarding = false;
        return tailLength == 0 || publishTailAnd(NO_INPUT, 0);
    }

    /** True while part of a line is held for the next input. */
    public boolean holdsUnfinishedLine() {
        return tailLength > 0;
    }

    /** {@code span} bytes without a line end: held for the next read, unless the line is now too long. */
    private void hold(ByteInput in, int span) {
        if (tailLength + span <= maxLineBytes) {
            in.read(tail, tailLength, span);
            tailLength += span;
            return;
        }
        final int keep = tail.length - tailLength; // <= span; enough to show the line is too long
        in.read(tail, tailLength, keep);
        in.skip(span - keep);
        tailLength = tail.length;
        overlongHeld = true;
        discarding = true;
    }

    /** One entry: the held tail, then {@code length} bytes of {@code in}. */
    private boolean publishTailAnd(ByteInput in, int length) {
        takeLength = length;
        switch (ring.tryPublish(fill, in)) {
            case RING_FULL:
                return false;
            case STOPPED: // nothing consumes the ring any more: drop the input
                in.skip(length);
                tailLength = 0;
                break;
            default:
                break;
        }
        overlongHeld = false;
        return true;
    }

    private void fill(IngressEntry entry, long sequence, ByteInput in) {
        final byte[] dst = entry.bytes();
        System.arraycopy(tail, 0, dst, 0, tailLength);
        in.read(dst, tailLength, takeLength);
        entry.eventLines(tailLength + takeLength);
        tailLength = 0;
    }

    /**
     * Publishes {@code bytes[offset, offset + length)} and ends the source there (bytes after the last line end are
     * truncated), waiting while the ring is full: for tests, tools and benchmarks, never an event loop.
     */
    public static void publishAll(IngressPublisher ring, byte[] bytes, int offset, int length) {
        final LineFramer framer = new LineFramer(ring);
        final ByteArrayInput in = new ByteArrayInput().wrap(bytes, offset, length);
        while (!framer.frame(in, Integer.MAX_VALUE)) {
            LockSupport.parkNanos(10_000);
        }
        while (!framer.finish()) {
            LockSupport.parkNanos(10_000);
        }
    }
}
