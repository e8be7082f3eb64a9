package io.followermaze.bench;

import io.followermaze.pipeline.PipelineConfig;
import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;
import io.followermaze.protocol.ParseOutcome;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;


/**
 * What: parsing a pre-generated buffer of {@value #LINES} event lines of the {@code mix} parameter (default: the
 * load generator's reference mix over 1000 users, see {@link ReferenceStream}; shuffled batches of 1..100; 7-digit seqs
 * as in the middle of a 10M-event reference run; '\n' line ends; ~15.6 bytes per payload). One op = one line.
 * <ul>
 *   <li>{@code parse}: {@link EventParser#parse} alone; line bounds are precomputed, so the loop is parse + read
 *       the fields.</li>
 *   <li>{@code splitAndParse}: the two-pass way: scan for '\n', then {@link EventParser#parse} (what the
 *       pipeline consumer did before {@code parseNextLine}; kept as the baseline for it).</li>
 *   <li>{@code parseNextLine}: what the pipeline consumer does per chunk now: {@link EventParser#parseNextLine},
 *       which splits and parses a well-formed line in one walk.</li>
 * </ul>
 * Baseline: {@code splitAndParse} for {@code parseNextLine}; otherwise the budget is the pipeline's (>= 20M
 * events/s for everything, so parsing should take a small fraction of 50 ns/event) and 0 B/op. Every parsed field
 * is folded into the return value, so nothing is dead code.
 * <pre>
 *   byte[] (pre-built, ~17 MB of lines)
 *     ├─ parse:          precomputed line bounds ─► EventParser.parse ──┐
 *     ├─ splitAndParse:  scan for '\n' ──────────► EventParser.parse ──┼─► Event flyweight ─► checksum
 *     └─ parseNextLine:  EventParser.parseNextLine (one walk) ──────────┘
 * </pre>
 */
public class EventParserBenchmark extends MixBenchmark {
    static final int LINES = 1 << 20;
    /** Seqs 1,000,001..: seven digits. */
    private static final long SEQ_BASE = 1_000_000;

    private final EventParser parser = new EventParser(PipelineConfig.DEFAULT.maxLineLength());
    private final Event event = new Event();
    private byte[] bytes;
    private int length;
    private int[] lineStarts;
    private int[] lineEnds;

    @Setup(Level.Trial)
    public void setUp() {
        final ReferenceStream stream = stream(LINES);
        final int[] arrival = ReferenceStream.referenceArrival(LINES);
        final byte[] scratch = new byte[stream.maxEncodedLength()];
        lineStarts = new int[LINES];
        lineEnds = new int[LINES];
        length = stream.encode(SEQ_BASE, arrival, scratch, lineStarts, lineEnds);
        bytes = java.util.Arrays.copyOf(scratch, length);
        // Sanity: everything parses.
        for (int i = 0; i < LINES; i++) {
            if (parser.parse(bytes, lineStarts[i], lineEnds[i], event) != ParseOutcome.ACCEPTED) {
                throw new IllegalStateException("generated line rejected: " + event);
            }
        }
    }

    // Each measured loop is written out whole (fields read into locals first): the loops are what is compared.
    @Benchmark
    @OperationsPerInvocation(LINES)
    public long parse() {
        final EventParser p = parser;
        final Event e = event;
        final byte[] b = bytes;
        final int[] starts = lineStarts;
        final int[] ends = lineEnds;
        long checksum = 0;
        for (int i = 0; i < LINES; i++) {
            if (p.parse(b, starts[i], ends[i], e) == ParseOutcome.ACCEPTED) {
                checksum += fieldSum(e);
            }
        }
        return checksum;
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public long splitAndParse() {
        final EventParser p = parser;
        final Event e = event;
        final byte[] b = bytes;
        final int len = length;
        long checksum = 0;
        int start = 0;
        while (start < len) {
            int end = start;
            while (end < len && b[end] != '\n') {
                end++;
            }
            if (p.parse(b, start, end, e) == ParseOutcome.ACCEPTED) {
                checksum += fieldSum(e);
            }
            start = end + 1;
        }
        return checksum;
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public long parseNextLine() {
        final EventParser p = parser;
        final Event e = event;
        final byte[] b = bytes;
        final int len = length;
        long checksum = 0;
        int start = 0;
        while (start < len) {
            if (p.parseNextLine(b, start, len, e) == ParseOutcome.ACCEPTED) {
                checksum += fieldSum(e);
            }
            start = p.lineEnd() + 1;
        }
        return checksum;
    }

    /** Every parsed field folded into one number, so that none of them is dead code. */
    private static long fieldSum(Event e) {
        return e.seq + e.type + e.from + e.to + e.payloadOffset + e.payloadLength;
    }
}
