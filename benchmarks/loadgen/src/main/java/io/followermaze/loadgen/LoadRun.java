package io.followermaze.loadgen;

import io.followermaze.loadgen.pace.PaceClock;
import io.followermaze.loadgen.pace.Schedule;
import io.followermaze.loadgen.probe.ServerProbe;
import io.followermaze.loadgen.stream.EventGenerator;
import io.followermaze.loadgen.stream.SourceStream;
import io.followermaze.loadgen.verify.ClientReader;
import io.followermaze.loadgen.verify.ClientVerifier;
import io.followermaze.loadgen.verify.Expectation;
import io.followermaze.loadgen.verify.LatencyBySecond;
import io.followermaze.loadgen.verify.LatencyRecorder;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One end-to-end run, playing the reference test program's part:
 * <pre>
 *  1. connect every client, send its user id + "\n"        ┌──────────── server ────────────┐
 *  2. wait until registered (readiness, else settle time)  │                                │
 *  3. source thread: generate ─ expect ─ shuffle ─ write ──►│ event port        client port  │──► reader threads:
 *                    (appends each notification to its     │                                │    verify byte for byte,
 *                     recipients' expectation rings)       └────────────────────────────────┘    time out stalls
 *  4. wait until every client received all it was sent, then a grace period for extra bytes
 * </pre>
 * Memory is bounded by the expectation rings, whatever the number of events.
 */
public final class LoadRun {
    private static final long READY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final LoadgenConfig config;
    private final Target target;
    private final PrintStream log;

    public LoadRun(LoadgenConfig config, Target target, PrintStream log) {
        this.config = config;
        this.target = target;
        this.log = log;
    }

    public RunResult run() throws IOException, InterruptedException {
        final int[] userIds = EventGenerator.chooseConnectedUsers(config.users(), config.concurrency(), config.seed());
        final RunControl control = new RunControl(config.readerThreads());
        final List<SocketChannel> channels = new ArrayList<>();
        final List<ClientReader> readers = new ArrayList<>();
        final List<Thread> readerThreads = new ArrayList<>();
        SocketChannel source = null;
        final Schedule schedule = config.paced() ? new Schedule(config.rate(), config.totalEvents(),
            TimeUnit.MILLISECONDS.toNanos(config.warmupMillis())) : null;
        try {
            final Expectation[] expectations = config.verify() ? new Expectation[userIds.length] : null;
            final List<List<ClientReader.Client>> shares = connectClients(userIds, expectations, channels);
            for (int r = 0; r < shares.size(); r++) {
                final ClientReader reader = new ClientReader(shares.get(r), control,
                    config.verify() ? new LatencyRecorder(schedule) : null, config.timeoutMillis(), r == 0);
                readers.add(reader);
                control.onGenerationDone(reader::wakeup);
                final Thread t = new Thread(reader, "loadgen-reader-" + r);
                t.setDaemon(true);
                readerThreads.add(t);
                t.start();
            }
            awaitRegistrations(control);

            source = SocketChannel.open(new InetSocketAddress(target.host(), target.eventPort()));
            source.setOption(StandardSocketOptions.TCP_NODELAY, true);
            final SocketChannel sourceChannel = source;
            control.onFailure(() -> closeQuietly(sourceChannel));

            final EventGenerator generator = new EventGenerator(config.mix(), config.users(), userIds, config.seed());
            final SourceStream stream = new SourceStream(generator, config.totalEvents(), config.maxBatch(),
                config.seed(), config.users(), expectations, config.latencySample(), config.sendBufferBytes(), control);
            if (schedule != null) {
                stream.pace(schedule, PaceClock.SYSTEM);
            }
            settleHeap();
            final ServerProbe.Sample before = target.probe().sample();
            final long start = System.nanoTime();
            control.streamingStarted(start);
            if (schedule != null) {
                schedule.start(start);
            }
            final long end;
            final ProgressReporter progress = new ProgressReporter(target.label(), config.logIntervalMillis(), control,
                readers, log);
            try {
                final Thread sourceThread = new Thread(() -> stream(stream, sourceChannel, control), "loadgen-source");
                sourceThread.start();
                sourceThread.join();
                end = awaitEnd(control, stream);
            } finally {
                progress.stop();
            }
            final ServerProbe.Sample after = target.probe().sample();
            stopReaders(readers, readerThreads);

            final Histogram latency = LatencyRecorder.newHistogram();
            readers.forEach(r -> r.addLatenciesTo(latency));
            final LatencyBySecond bySecond = schedule == null || !config.verify() ? null : new LatencyBySecond(schedule);
            if (bySecond != null) {
                readers.forEach(r -> r.addLatenciesTo(bySecond));
            }
            final long notifications = control.failed() || !config.verify() ? verifiedLines(readers)
                : stream.notificationsExpected();
            return new RunResult(target.label(), config.verify(), control.failure(), control.eventsSent(),
                notifications, end - start, latency,
                before.cpuNanos() < 0 || after.cpuNanos() < 0 ? -1 : after.cpuNanos() - before.cpuNanos(),
                after.peakRssBytes(), control.loadgenCpuNanos(), stream.bytesWritten(), stream.backpressureWaits(),
                config.rate(), stream.lateBatches(), bySecond);
        } finally {
            stopReaders(readers, readerThreads);
            closeQuietly(source);
            channels.forEach(LoadRun::closeQuietly);
        }
    }

    /**
     * Collects once before the stream, so that the run's long-lived buffers (an expectation ring per client, the
     * schedule) are promoted now: otherwise the first young collection during the stream copies them all, a pause
     * of the generator of hundreds of ms (352 ms measured with 100 rings of 2 MiB) that the readers would time as
     * server latency. Young collections during the stream then copy only the little the stream allocates.
     */
    private static void settleHeap() {
        System.gc();
    }

    private List<List<ClientReader.Client>> connectClients(int[] userIds, Expectation[] expectations,
                                                           List<SocketChannel> channels) throws IOException {
        final int readerCount = config.readerThreads();
        final List<List<ClientReader.Client>> shares = new ArrayList<>();
        for (int r = 0; r < readerCount; r++) {
            shares.add(new ArrayList<>());
        }
        final List<Integer> ports = target.clientPorts(); // round robin over the fan-out nodes of a cluster
        for (int i = 0; i < userIds.length; i++) {
            final SocketChannel ch = SocketChannel.open(
                new InetSocketAddress(target.host(), ports.get(i % ports.size())));
            channels.add(ch);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            final ByteBuffer id = ByteBuffer.wrap((userIds[i] + "\n").getBytes(StandardCharsets.US_ASCII));
            while (id.hasRemaining()) {
                ch.write(id);
            }
            ClientVerifier verifier = null;
            if (expectations != null) {
                expectations[i] = new Expectation(userIds[i], config.expectationCapacity());
                verifier = new ClientVerifier(expectations[i]);
            }
            shares.get(i % readerCount).add(new ClientReader.Client(ch, userIds[i], verifier));
        }
        return shares;
    }

    private void awaitRegistrations(RunControl control) throws InterruptedException, IOException {
        if (target.ready() == null) {
            Thread.sleep(config.settleMillis());
            return;
        }
        final long deadline = System.nanoTime() + READY_TIMEOUT_NANOS;
        while (!target.ready().getAsBoolean()) {
            if (control.failed()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the server did not register " + config.concurrency() + " clients within "
                    + TimeUnit.NANOSECONDS.toSeconds(READY_TIMEOUT_NANOS) + " s");
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
        }
    }

    private static void stream(SourceStream stream, SocketChannel channel, RunControl control) {
        try {
            stream.run(channel);
        } catch (RunControl.Aborted e) {
            // failed elsewhere; that failure is the one reported
        } catch (IOException | RuntimeException e) {
            control.fail("event source failed after " + control.eventsSent() + " events: " + e);
        } finally {
            control.addCurrentThreadCpu();
        }
    }

    /** Waits for the end of the run; returns the moment it ended. */
    private long awaitEnd(RunControl control, SourceStream stream) throws InterruptedException {
        if (control.failed()) {
            return System.nanoTime();
        }
        if (config.verify()) {
            control.awaitFinished();
            final long end = control.failed() ? System.nanoTime() : control.drainedAtNanos();
            if (!control.failed() && config.graceMillis() > 0) {
                Thread.sleep(config.graceMillis()); // deliberately idle: anything arriving now is extra
            }
            return end;
        }
        if (target.eventBytesRead() != null) {
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.timeoutMillis());
            while (target.eventBytesRead().getAsLong() < stream.bytesWritten() && !control.failed()) {
                if (System.nanoTime() > deadline) {
                    control.fail("the server read only " + target.eventBytesRead().getAsLong() + " of "
                        + stream.bytesWritten() + " event bytes within the timeout");
                    break;
                }
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
            }
        }
        return System.nanoTime();
    }

    private static long verifiedLines(List<ClientReader> readers) {
        long sum = 0;
        for (ClientReader r : readers) {
            sum += r.linesVerified();
        }
        return sum;
    }

    private static void stopReaders(List<ClientReader> readers, List<Thread> threads) throws InterruptedException {
        readers.forEach(ClientReader::stop);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(5));
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing at the end of a run
            }
        }
    }
}
