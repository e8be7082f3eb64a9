package io.followermaze.loadgen.probe;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * CPU of a server running in this JVM: the sum of {@link ThreadMXBean#getThreadCpuTime(long)} over the live
 * threads whose name starts with a prefix ({@code followermaze-} for the server's Netty loops and pipeline
 * thread). Process CPU would also count the loadgen itself, hence per-thread time. Threads that ended before
 * the sample are not counted; the server's threads live until it is closed, after the last sample.
 */
public final class ThreadCpuProbe implements ServerProbe {
    private final String prefix;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    public ThreadCpuProbe(String threadNamePrefix) {
        this.prefix = threadNamePrefix;
    }

    @Override
    public Sample sample() {
        if (!threads.isThreadCpuTimeSupported()) {
            return new Sample(-1, -1);
        }
        long sum = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith(prefix)) {
                final long cpu = threads.getThreadCpuTime(info.getThreadId());
                if (cpu > 0) {
                    sum += cpu;
                }
            }
        }
        return new Sample(sum, -1);
    }

    @Override
    public String describe() {
        return "CPU time of in-process threads named " + prefix + "* (ThreadMXBean)";
    }
}
