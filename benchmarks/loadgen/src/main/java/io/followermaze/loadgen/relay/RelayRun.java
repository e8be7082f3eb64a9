package io.followermaze.loadgen.relay;

import io.followermaze.loadgen.LoadgenConfig;
import io.followermaze.loadgen.RunControl;
import io.followermaze.loadgen.RunResult;
import io.followermaze.loadgen.pace.PaceClock;
import io.followermaze.loadgen.pace.Schedule;
import io.followermaze.loadgen.stream.EventGenerator;
import io.followermaze.loadgen.stream.SourceStream;
import io.followermaze.loadgen.verify.LatencyBySecond;
import io.followermaze.loadgen.verify.LatencyRecorder;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;

/**
 * A paced run through a {@link Relay}: the same stream, schedule, source and latency maths as a server run,
 * but every event line comes straight back to one client, in the order sent (shuffled within batches). The
 * reader times each line from its event's scheduled send time and checks that every seq arrives exactly once.
 */
public final class RelayRun {
    public static final String LABEL = "relay floor";

    private RelayRun() {
    }

    /** Runs {@code config} (which must be paced) through a fresh relay on loopback. */
    public static RunResult run(LoadgenConfig config) throws IOException, InterruptedException {
        if (!config.paced()) {
            throw new IllegalArgumentException("a relay run measures latency at a rate: give --rate");
        }
        final Schedule schedule = new Schedule(config.rate(), config.totalEvents(),
            TimeUnit.MILLISECONDS.toNanos(config.warmupMillis()));
        final RunControl control = new RunControl(1);
        try (Relay relay = Relay.start("127.0.0.1");
             SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1", relay.clientPort()));
             SocketChannel source = SocketChannel.open(new InetSocketAddress("127.0.0.1", relay.eventPort()))) {
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            source.setOption(StandardSocketOptions.TCP_NODELAY, true);
            final int[] userIds = EventGenerator.chooseConnectedUsers(config.users(), config.concurrency(),
                config.seed());
            final SourceStream stream = new SourceStream(
                new EventGenerator(config.mix(), config.users(), userIds, config.seed()), config.totalEvents(),
                config.maxBatch(), config.seed(), config.users(), null, 1, config.sendBufferBytes(), control)
                .pace(schedule, PaceClock.SYSTEM);
            final LineReader reader = new LineReader(client, new LatencyRecorder(schedule), config.totalEvents());
            final Thread readerThread = new Thread(reader, "relay-reader");
            readerThread.setDaemon(true);
            readerThread.start();
            final long start = System.nanoTime();
            control.streamingStarted(start);
            schedule.start(start);
            final Thread sourceThread = new Thread(() -> {
                try {
                    stream.run(source);
                } catch (IOException | RuntimeException e) {
                    control.fail("event source failed: " + e);
                } finally {
                    control.addCurrentThreadCpu();
                }
            }, "relay-source");
            sourceThread.start();
            sourceThread.join();
            readerThread.join(config.timeoutMillis());
            String failure = control.failure();
            if (failure == null && readerThread.isAlive()) {
                failure = "relay: " + reader.lines + " of " + config.totalEvents() + " lines within "
                    + config.timeoutMillis() + " ms after the last write" + (relay.failure() == null ? ""
                    : "; " + relay.failure());
            }
            if (failure == null) {
                failure = reader.failure;
            }
            client.close(); // ends a reader still blocked
            readerThread.join(5_000);
            final Histogram latency = LatencyRecorder.newHistogram();
            reader.recorder.addTo(latency);
            final LatencyBySecond bySecond = new LatencyBySecond(schedule);
            reader.recorder.addTo(bySecond);
            return new RunResult(LABEL, true, failure, control.eventsSent(), reader.lines,
                (reader.lastArrival == 0 ? System.nanoTime() : reader.lastArrival) - start, latency, -1, -1,
                control.loadgenCpuNanos() + reader.cpuNanos, stream.bytesWritten(), 0, config.rate(),
                stream.lateBatches(), bySecond);
        }
    }

    /** Reads the relayed lines, timing each one and checking each seq arrives once. Allocation-free per line. */
    private static final class LineReader implements Runnable {
        final SocketChannel channel;
        final LatencyRecorder recorder;
        final long total;
        final BitSet seen;
        volatile long lines;
        volatile long lastArrival;
        volatile String failure;
        volatile long cpuNanos;

        LineReader(SocketChannel channel, LatencyRecorder recorder, long total) {
            this.channel = channel;
            this.recorder = recorder;
            this.total = total;
            this.seen = new BitSet((int) total + 1);
        }

        @Override
        public void run() {
            final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            final byte[] b = buffer.array();
            long seq = 0;
            boolean inSeq = true;
            long count = 0;
            try {
                int n;
                while (count < total && (n = channel.read(buffer.clear())) > 0) {
                    final long now = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        final byte c = b[i];
                        if (c == '\n') {
                            if (seq < 1 || seq > total || seen.get((int) seq)) {
                                failure = "relay: seq " + seq + " unexpected or twice, after " + count + " lines";
                                return;
                            }
                            seen.set((int) seq);
                            recorder.recordArrival(seq, now);
                            count++;
                            seq = 0;
                            inSeq = true;
                        } else if (inSeq) {
                            if (c >= '0' && c <= '9') {
                                seq = seq * 10 + (c - '0');
                            } else {
                                inSeq = false;
                            }
                        }
                    }
                    lines = count;
                    lastArrival = now;
                }
                if (count < total) {
                    failure = "relay: the connection ended after " + count + " of " + total + " lines";
                }
            } catch (IOException e) {
                failure = "relay: " + count + " of " + total + " lines, then " + e;
            } finally {
                lines = count;
                final java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
                if (mx.isCurrentThreadCpuTimeSupported()) {
                    cpuNanos = mx.getCurrentThreadCpuTime();
                }
            }
        }
    }
}
