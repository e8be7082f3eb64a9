package io.followermaze.loadgen.verify;

import java.io.ByteArrayOutputStream;

/**
 * Checks one client's incoming bytes against its {@link Expectation}, byte for byte, as they arrive in
 * arbitrary pieces. Any difference (a missing, duplicated, reordered or altered line, a wrong line end) shows
 * up as the first differing byte; bytes beyond what has been sent are extra. Either way the verdict names the
 * user and quotes the expected and the actual line.
 * <p>
 * Once a difference is found the verifier collects the rest of the actual line (it may arrive in later
 * reads) before giving its verdict; {@link #failureSoFar()} gives it with what has arrived, for a client that
 * goes quiet mid-line. The ring is released up to the start of the current line so that a failure can still
 * quote the whole expected line. Owned by one reader thread.
 */
public final class ClientVerifier {
    private static final int MAX_QUOTED_LINE = 256;

    private final Expectation expected;
    private long verified;
    private long lineStart;
    private long lines;
    private long lastProgressNanos;

    /** Set once a difference is found: the verdict so far and the actual line collected. */
    private String failureHead;
    private ByteArrayOutputStream actualLine;
    private long failedAtNanos;

    public ClientVerifier(Expectation expected) {
        this.expected = expected;
    }

    public int userId() {
        return expected.userId();
    }

    /** Notification lines received and verified. */
    public long linesVerified() {
        return lines;
    }

    /** Expected bytes published but not yet received. */
    public long pendingBytes() {
        return expected.publishedTail() - verified;
    }

    /** When bytes were last verified (0 before the first). */
    public long lastProgressNanos() {
        return lastProgressNanos;
    }

    /**
     * Verifies the next {@code length} bytes the client received.
     *
     * @param recorder takes latency samples; may be null
     * @return null while all is well (or while the rest of a wrong line is awaited), else the failure,
     *     described for a person
     */
    public String onBytes(byte[] actual, int offset, int length, long nowNanos, LatencyRecorder recorder) {
        if (failureHead != null) {
            return collectActualLine(actual, offset, offset + length);
        }
        final long available = expected.publishedTail() - verified;
        final int n = (int) Math.min(length, available);
        if (n > 0) {
            final int m = expected.mismatch(verified, actual, offset, n);
            if (m >= 0) {
                return mismatch(actual, offset, offset + m, offset + length, nowNanos);
            }
            if (recorder != null && recorder.paced()) {
                final int newlines = recordEachLine(actual, offset, offset + n, nowNanos, recorder);
                if (newlines > 0) {
                    lines += newlines;
                    expected.release(lineStart);
                }
                verified += n;
                lastProgressNanos = nowNanos;
            } else {
                final int newlines = Lines.countNewlines(actual, offset, offset + n);
                if (newlines > 0) {
                    lines += newlines;
                    lineStart = verified + (Lines.lastNewline(actual, offset, offset + n) - offset) + 1;
                    expected.release(lineStart);
                }
                verified += n;
                lastProgressNanos = nowNanos;
                if (recorder != null) {
                    expected.takeMarks(verified, nowNanos, recorder);
                }
            }
        }
        if (n < length) {
            failureHead = "user " + userId() + ": received more than was sent to it, after " + lines
                + " correct notification(s): expected nothing, actual ";
            return startCollecting(new byte[0], actual, offset + n, offset + length, nowNanos);
        }
        return null;
    }

    /**
     * Paced runs: records the arrival of every line completed in the verified bytes {@code actual[from, to)}
     * (which start at stream offset {@link #verified}), its seq read from the expectation ring before the ring
     * is released; advances {@link #lineStart}. Allocation-free.
     *
     * @return lines completed
     */
    private int recordEachLine(byte[] actual, int from, int to, long nowNanos, LatencyRecorder recorder) {
        int count = 0;
        int p = from;
        int nl;
        while (p < to && (nl = Lines.firstNewline(actual, p, to)) >= 0) {
            recorder.recordArrival(seqAt(lineStart), nowNanos);
            lineStart = verified + (nl - from) + 1;
            p = nl + 1;
            count++;
        }
        return count;
    }

    /** The seq at the start of the expected line at stream offset {@code position} (not yet released). */
    private long seqAt(long position) {
        long seq = 0;
        for (long i = position; ; i++) {
            final int d = expected.byteAt(i) - '0';
            if (d < 0 || d > 9) {
                return seq;
            }
            seq = seq * 10 + d;
        }
    }

    /**
     * The verdict on a wrong line whose end has not arrived (quoted as far as received), or null when no
     * difference has been found.
     *
     * @param quietForNanos only if nothing has arrived for this long since the difference was found
     */
    public String failureSoFar(long nowNanos, long quietForNanos) {
        if (failureHead == null || nowNanos - failedAtNanos < quietForNanos) {
            return null;
        }
        final byte[] b = actualLine.toByteArray();
        return failureHead + Lines.quote(b, 0, b.length) + "...";
    }

    /** The description of a wait for the next expected line, for timeouts and early disconnects. */
    public String awaitedLine() {
        final long tail = expected.publishedTail();
        if (verified >= tail) {
            return "no notification pending";
        }
        return "expected line " + expectedLineAt(verified, tail) + " after " + lines + " correct notification(s)";
    }

    private String mismatch(byte[] actual, int offset, int differsAt, int end, long nowNanos) {
        final long tail = expected.publishedTail();
        final int nlBefore = Lines.lastNewline(actual, offset, differsAt);
        final long start = nlBefore < 0 ? lineStart : verified + (nlBefore - offset) + 1;
        final long differsAtPosition = verified + (differsAt - offset);
        final byte[] prefix = new byte[(int) (differsAtPosition - start)];
        for (int i = 0; i < prefix.length; i++) {
            prefix[i] = expected.byteAt(start + i);
        }
        final long linesBefore = lines + (nlBefore < 0 ? 0 : Lines.countNewlines(actual, offset, nlBefore + 1));
        failureHead = "user " + userId() + ": notification " + (linesBefore + 1) + " differs at byte "
            + prefix.length + ": expected " + expectedLineAt(start, tail) + ", actual ";
        return startCollecting(prefix, actual, differsAt, end, nowNanos);
    }

    private String startCollecting(byte[] prefix, byte[] actual, int from, int end, long nowNanos) {
        failedAtNanos = nowNanos;
        actualLine = new ByteArrayOutputStream();
        actualLine.write(prefix, 0, prefix.length);
        return collectActualLine(actual, from, end);
    }

    private String collectActualLine(byte[] actual, int from, int end) {
        final int nl = Lines.firstNewline(actual, from, end);
        final int to = Math.min(nl < 0 ? end : nl + 1, from + Math.max(0, MAX_QUOTED_LINE - actualLine.size()));
        actualLine.write(actual, from, to - from);
        if (nl >= 0 && to == nl + 1 || actualLine.size() >= MAX_QUOTED_LINE) {
            final byte[] b = actualLine.toByteArray();
            return failureHead + Lines.quote(b, 0, b.length) + (nl >= 0 && to == nl + 1 ? "" : "...");
        }
        return null;
    }

    private String expectedLineAt(long start, long tail) {
        final int max = (int) Math.min(tail - start, MAX_QUOTED_LINE);
        final byte[] line = new byte[max];
        int len = 0;
        while (len < max) {
            final byte b = expected.byteAt(start + len);
            line[len++] = b;
            if (b == '\n') {
                break;
            }
        }
        return Lines.quote(line, 0, len);
    }
}
