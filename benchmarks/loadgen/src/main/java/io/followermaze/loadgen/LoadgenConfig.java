package io.followermaze.loadgen;

import io.followermaze.loadgen.stream.EventGenerator;
import io.followermaze.loadgen.stream.Mix;

/**
 * One load run's settings, immutable. The first group mirrors the reference test program's environment
 * variables and defaults; the rest are this tool's own knobs. Build with {@link #builder()}.
 *
 * @param totalEvents       events to send (reference: totalEvents)
 * @param concurrency       connected clients, each a distinct user (reference: concurrencyLevel)
 * @param users             users ids {@code 1..users} appear in events (reference: numberOfUsers)
 * @param seed              fixes the whole stream (reference: randomSeed)
 * @param timeoutMillis     longest a client may wait for its next notification (reference: timeout)
 * @param maxBatch          batches hold 1..maxBatch consecutive seqs, shuffled (reference: maxEventSourceBatchSize)
 * @param logIntervalMillis progress line period on stderr, 0 for none (reference: logInterval)
 * @param mix               event type proportions
 * @param settleMillis      pause between clients sending their ids and the first event, when the server's
 *                          readiness can not be observed directly
 * @param graceMillis       after the last expected notification, how long to watch for extra bytes
 * @param verify            whether notifications are checked (false for the null server)
 * @param readerThreads     threads reading client connections
 * @param expectationBudgetBytes memory for all clients' expectation rings together (each gets at least
 *                          two batches' worth)
 * @param sendBufferBytes   event bytes buffered per source write
 * @param latencySample     one notification in this many (power of two) is a latency sample (blast runs)
 * @param rate              0 to send as fast as the server takes events (blast); else events per second,
 *                          open-loop: every batch at its scheduled time, every notification's latency measured
 *                          from its event's scheduled send time
 * @param warmupMillis      paced runs: notifications of events scheduled in the first this-many ms are not
 *                          recorded
 */
public record LoadgenConfig(long totalEvents, int concurrency, int users, long seed, long timeoutMillis,
                            int maxBatch, long logIntervalMillis, Mix mix, long settleMillis, long graceMillis,
                            boolean verify, int readerThreads, long expectationBudgetBytes, int sendBufferBytes,
                            int latencySample, long rate, long warmupMillis) {

    public static final long DEFAULT_TOTAL_EVENTS = 10_000_000;
    public static final int DEFAULT_CONCURRENCY = 100;
    public static final long DEFAULT_SEED = 666;
    public static final long DEFAULT_TIMEOUT_MILLIS = 20_000;
    public static final int DEFAULT_MAX_BATCH = 100;
    public static final long DEFAULT_LOG_INTERVAL_MILLIS = 1_000;
    public static final long DEFAULT_SETTLE_MILLIS = 200;
    public static final long DEFAULT_GRACE_MILLIS = 200;
    public static final long DEFAULT_EXPECTATION_BUDGET_BYTES = 256L << 20;
    public static final int DEFAULT_SEND_BUFFER_BYTES = 64 << 10;
    public static final int DEFAULT_LATENCY_SAMPLE = 16;
    private static final int MAX_RING_BYTES = 64 << 20;

    public LoadgenConfig {
        require(totalEvents >= 1, "totalEvents must be >= 1: " + totalEvents);
        require(concurrency >= 0, "concurrencyLevel must be >= 0: " + concurrency);
        require(users >= 2 && users >= concurrency,
            "numberOfUsers must be >= 2 and >= concurrencyLevel (" + concurrency + "): " + users);
        require(timeoutMillis >= 1, "timeout must be >= 1 ms: " + timeoutMillis);
        require(maxBatch >= 1 && maxBatch <= 1_000_000, "maxEventSourceBatchSize must be 1..1000000: " + maxBatch);
        require(logIntervalMillis >= 0, "logInterval must be >= 0: " + logIntervalMillis);
        require(settleMillis >= 0 && graceMillis >= 0, "settle and grace times must be >= 0");
        require(readerThreads >= 1, "readerThreads must be >= 1: " + readerThreads);
        require(sendBufferBytes >= 0, "sendBufferBytes must be >= 0: " + sendBufferBytes);
        require(latencySample >= 1 && Integer.bitCount(latencySample) == 1,
            "latencySample must be a power of two: " + latencySample);
        require(mix != null, "mix is required");
        require(rate >= 0, "rate must be >= 0 events/s: " + rate);
        require(rate == 0 || totalEvents < Integer.MAX_VALUE, "a paced run sends fewer than 2^31-1 events: " + totalEvents);
        require(warmupMillis >= 0, "warm-up must be >= 0: " + warmupMillis);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Longest notification line in this run, payload and CRLF. */
    public int maxLineBytes() {
        return EventGenerator.maxLineBytes(totalEvents, users);
    }

    /** Bytes of each client's expectation ring: its share of the budget, but at least two full batches. */
    public int expectationCapacity() {
        final long floor = Math.max(4096, 2L * maxBatch * maxLineBytes());
        final long share = Math.min(MAX_RING_BYTES, expectationBudgetBytes / Math.max(1, concurrency));
        final long floorPow2 = Long.highestOneBit(floor) == floor ? floor : Long.highestOneBit(floor) << 1;
        return (int) Math.max(floorPow2, Long.highestOneBit(share));
    }

    public Builder toBuilder() {
        return new Builder().totalEvents(totalEvents).concurrency(concurrency).users(users).seed(seed)
            .timeoutMillis(timeoutMillis).maxBatch(maxBatch).logIntervalMillis(logIntervalMillis).mix(mix)
            .settleMillis(settleMillis).graceMillis(graceMillis).verify(verify).readerThreads(readerThreads)
            .expectationBudgetBytes(expectationBudgetBytes).sendBufferBytes(sendBufferBytes)
            .latencySample(latencySample).rate(rate).warmupMillis(warmupMillis);
    }

    /** Whether this is an open-loop run at a fixed rate. */
    public boolean paced() {
        return rate > 0;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults of the reference program; {@code users} 0 means concurrency x 10. */
    public static final class Builder {
        private long totalEvents = DEFAULT_TOTAL_EVENTS;
        private int concurrency = DEFAULT_CONCURRENCY;
        private int users;
        private long seed = DEFAULT_SEED;
        private long timeoutMillis = DEFAULT_TIMEOUT_MILLIS;
        private int maxBatch = DEFAULT_MAX_BATCH;
        private long logIntervalMillis = DEFAULT_LOG_INTERVAL_MILLIS;
        private Mix mix = Mix.REFERENCE;
        private long settleMillis = DEFAULT_SETTLE_MILLIS;
        private long graceMillis = DEFAULT_GRACE_MILLIS;
        private boolean verify = true;
        private int readerThreads = 1;
        private long expectationBudgetBytes = DEFAULT_EXPECTATION_BUDGET_BYTES;
        private int sendBufferBytes = DEFAULT_SEND_BUFFER_BYTES;
        private int latencySample = DEFAULT_LATENCY_SAMPLE;
        private long rate;
        private long warmupMillis;

        public Builder totalEvents(long v) { totalEvents = v; return this; }
        public Builder concurrency(int v) { concurrency = v; return this; }
        public Builder users(int v) { users = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder timeoutMillis(long v) { timeoutMillis = v; return this; }
        public Builder maxBatch(int v) { maxBatch = v; return this; }
        public Builder logIntervalMillis(long v) { logIntervalMillis = v; return this; }
        public Builder mix(Mix v) { mix = v; return this; }
        public Builder settleMillis(long v) { settleMillis = v; return this; }
        public Builder graceMillis(long v) { graceMillis = v; return this; }
        public Builder verify(boolean v) { verify = v; return this; }
        public Builder readerThreads(int v) { readerThreads = v; return this; }
        public Builder expectationBudgetBytes(long v) { expectationBudgetBytes = v; return this; }
        public Builder sendBufferBytes(int v) { sendBufferBytes = v; return this; }
        public Builder latencySample(int v) { latencySample = v; return this; }
        public Builder rate(long v) { rate = v; return this; }
        public Builder warmupMillis(long v) { warmupMillis = v; return this; }

        public LoadgenConfig build() {
            final int u = users > 0 ? users : (int) Math.min(Integer.MAX_VALUE - 1, Math.max(2L, concurrency * 10L));
            return new LoadgenConfig(totalEvents, concurrency, u, seed, timeoutMillis, maxBatch, logIntervalMillis,
                mix, settleMillis, graceMillis, verify, readerThreads, expectationBudgetBytes, sendBufferBytes,
                latencySample, rate, warmupMillis);
        }
    }
}
