package io.followermaze.loadgen.pace;

/**
 * The open-loop schedule of one paced run at {@code rate} events/s: the batch whose first seq is {@code s} is
 * due at {@code start + (s - 1) / rate}, i.e. batch k at start + (events in batches 0..k-1) / rate, so the
 * offered rate is exact whatever the batch sizes. The source writes each batch at its due time, or at once if
 * it is late (never skipping one); every event's latency is measured from its batch's due time, not from when
 * it was actually written, so a stall of the server (or of the source waiting on it) is charged to every event
 * scheduled during the stall (no coordinated omission).
 * <p>
 * The source records each seq's batch with {@link #batch(long, int)} before it writes that batch; a volatile
 * "recorded up to" seq makes the entries visible to the readers, which look a seq up only after its
 * notification (or relayed line) arrived; lookups allocate nothing. Memory: 4 bytes per event.
 */
public final class Schedule {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long rate;
    private final long warmupNanos;
    /** Indexed by seq: the first seq of its batch. */
    private final int[] batchFirstSeq;
    private volatile long startNanos;
    /** The last seq whose batch is recorded: the release point for {@link #batchFirstSeq} entries. */
    private volatile long recordedUpTo;

    /**
     * @param rate        events per second, offered
     * @param totalEvents events in the run (at most {@code Integer.MAX_VALUE - 1})
     * @param warmupNanos notifications of events due in the first this-many ns are not recorded
     */
    public Schedule(long rate, long totalEvents, long warmupNanos) {
        if (rate < 1) {
            throw new IllegalArgumentException("rate must be >= 1 event/s: " + rate);
        }
        if (totalEvents < 1 || totalEvents >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a paced run holds 1.." + (Integer.MAX_VALUE - 1) + " events: "
                + totalEvents);
        }
        if (warmupNanos < 0) {
            throw new IllegalArgumentException("warm-up must be >= 0: " + warmupNanos);
        }
        this.rate = rate;
        this.warmupNanos = warmupNanos;
        this.batchFirstSeq = new int[(int) totalEvents + 1];
    }

    /** When the batch starting at {@code firstSeq} is due, in ns after the start, at {@code rate} events/s. */
    public static long dueOffsetNanos(long firstSeq, long rate) {
        return Math.multiplyExact(firstSeq - 1, NANOS_PER_SECOND) / rate;
    }

    public long rate() {
        return rate;
    }

    public long warmupNanos() {
        return warmupNanos;
    }

    /** Sets the moment the first batch is due; before the source starts. */
    public void start(long nanos) {
        startNanos = nanos;
    }

    public long startNanos() {
        return startNanos;
    }

    /** Due time (absolute) of the batch starting at {@code firstSeq}. */
    public long dueNanos(long firstSeq) {
        return startNanos + dueOffsetNanos(firstSeq, rate);
    }

    /** Source thread: seqs {@code firstSeq .. firstSeq + n - 1} form one batch. */
    public void batch(long firstSeq, int n) {
        final int first = (int) firstSeq;
        for (int i = 0; i < n; i++) {
            batchFirstSeq[first + i] = first;
        }
        recordedUpTo = firstSeq + n - 1;
    }

    /** The first seq of {@code seq}'s batch; waits (never in practice) until the source has recorded it. */
    private int batchOf(long seq) {
        while (recordedUpTo < seq) {
            Thread.onSpinWait(); // the line arrived, so the source recorded its batch before writing it
        }
        return batchFirstSeq[(int) seq];
    }

    /** The scheduled send time of event {@code seq} (its batch's due time). */
    public long scheduledNanos(long seq) {
        return dueNanos(batchOf(seq));
    }

    /** When event {@code seq} was due (its batch's due time), in ns after the start. */
    public long dueOffsetOf(long seq) {
        return dueOffsetNanos(batchOf(seq), rate);
    }

    /** Events in the run. */
    public long totalEvents() {
        return batchFirstSeq.length - 1;
    }

    /** Whole or started seconds the schedule spans: the last event is due in second {@code seconds() - 1}. */
    public int seconds() {
        return (int) (dueOffsetNanos(totalEvents(), rate) / NANOS_PER_SECOND) + 1;
    }

    /** Whether event {@code seq} was due within the warm-up. */
    public boolean inWarmup(long seq) {
        return dueOffsetOf(seq) < warmupNanos;
    }
}
