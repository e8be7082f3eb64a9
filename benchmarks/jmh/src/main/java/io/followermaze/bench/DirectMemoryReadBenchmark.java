package io.followermaze.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What: one read of "direct memory in use", three ways, as an egress enforcing a total outbound budget would do it
 * (once per hand-off or per allocation):
 * <ul>
 *   <li>{@code jdkBufferPool}: {@code BufferPoolMXBean("direct").getMemoryUsed()}, the bytes java.nio.Bits has
 *       reserved, i.e. what {@code -XX:MaxDirectMemorySize} is enforced against (all direct ByteBuffers of the
 *       process, Netty's chunks among them).</li>
 *   <li>{@code nettyCounter}: {@code PlatformDependent.usedDirectMemory()}, Netty's own counter of the direct memory
 *       it allocated (an AtomicLong; -1 when disabled by {@code -Dio.netty.maxDirectMemory=0}).</li>
 *   <li>{@code allocatorMetric}: {@code ByteBufAllocator.DEFAULT}'s {@code metric().usedDirectMemory()}: the
 *       allocator's chunks only; walks its magazines.</li>
 * </ul>
 * Set-up holds 64 buffers of 16 KiB so that the allocator has chunks to count. Run with the server's heap flags:
 * the adaptive allocator's mode depends on the max heap.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx256m", "-XX:+UseSerialGC", "-XX:MaxDirectMemorySize=256m"})
public class DirectMemoryReadBenchmark extends BenchmarkDefaults {
    private BufferPoolMXBean pool;
    private ByteBufAllocatorMetric metric;
    private final List<ByteBuf> held = new ArrayList<>();

    @Setup(Level.Trial)
    public void setUp() {
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if ("direct".equals(b.getName())) {
                pool = b;
            }
        }
        metric = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        for (int i = 0; i < 64; i++) {
            held.add(ByteBufAllocator.DEFAULT.directBuffer(16 * 1024).writeZero(16 * 1024));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        held.forEach(ByteBuf::release);
    }

    @Benchmark
    public long jdkBufferPool() {
        return pool.getMemoryUsed();
    }

    @Benchmark
    public long nettyCounter() {
        return PlatformDependent.usedDirectMemory();
    }

    @Benchmark
    public long allocatorMetric() {
        return metric.usedDirectMemory();
    }
}
