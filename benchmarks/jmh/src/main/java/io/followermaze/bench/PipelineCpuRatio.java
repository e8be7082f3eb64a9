package io.followermaze.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * A plain main, not a JMH benchmark: the ratio behind the JMH goal "{@code PipelineBenchmark} at least 0.4 ×
 * {@code EventParserBenchmark.parseNextLine}", measured in <em>thread CPU time</em>, for a box too busy for JMH's
 * wall-clock scores (on the shared 2-core build box their error bars were larger than the scores). It alternates one
 * invocation of each benchmark's timed method ({@link PipelineBenchmark#parseResequenceRoute} on fresh entries,
 * {@link EventParserBenchmark#parseNextLine}) in one thread, times each with
 * {@link ThreadMXBean#getCurrentThreadCpuTime()} (so time the thread spent descheduled does not count), drops the
 * first third of the rounds as warm-up and prints the medians in ns per event and the median and range of the
 * per-round ratio parse / pipeline (the same as the ratio of their events/s). Set-up as in the benchmarks, with a
 * full GC after it so that long-lived state is in the old generation, as in a running server.
 * <pre>
 *   java -cp benchmarks/jmh/target/benchmarks.jar io.followermaze.bench.PipelineCpuRatio [rounds, default 30]
 * </pre>
 */
public final class PipelineCpuRatio {
    private PipelineCpuRatio() {
    }

    public static void main(String[] args) {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final PipelineBenchmark pipeline = new PipelineBenchmark();
        pipeline.mix = "reference";
        pipeline.windowSize = io.followermaze.pipeline.PipelineConfig.DEFAULT.windowSize();
        pipeline.setUp();
        final EventParserBenchmark parser = new EventParserBenchmark();
        parser.mix = "reference";
        parser.setUp();
        System.gc();
        final Notifications notifications = new Notifications();
        final double[] pipelineNs = new double[rounds];
        final double[] parseNs = new double[rounds];
        long sink = 0;
        for (int r = 0; r < rounds; r++) {
            pipeline.nextEntries();
            final long t0 = threads.getCurrentThreadCpuTime();
            sink += pipeline.parseResequenceRoute(notifications);
            final long t1 = threads.getCurrentThreadCpuTime();
            sink += parser.parseNextLine();
            final long t2 = threads.getCurrentThreadCpuTime();
            pipelineNs[r] = (t1 - t0) / (double) PipelineBenchmark.EVENTS;
            parseNs[r] = (t2 - t1) / (double) EventParserBenchmark.LINES;
        }
        final int from = rounds / 3;
        final double[] p = Arrays.copyOfRange(pipelineNs, from, rounds);
        final double[] q = Arrays.copyOfRange(parseNs, from, rounds);
        final double[] ratio = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            ratio[i] = q[i] / p[i];
        }
        Arrays.sort(p);
        Arrays.sort(q);
        Arrays.sort(ratio);
        System.out.printf("pipeline %.1f ns/event, parseNextLine %.1f ns/event (medians of %d rounds, CPU time); "
                + "ratio parse/pipeline median %.3f, range %.3f..%.3f (checksum %d)%n", p[p.length / 2], q[q.length / 2],
            p.length, ratio[ratio.length / 2], ratio[0], ratio[ratio.length - 1], sink & 0xFF);
        pipeline.check();
    }
}
