package io.followermaze.loadgen.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU and peak memory of a server process on this host, from Linux procfs: {@code utime + stime} of
 * {@code /proc/PID/stat} (in clock ticks of 1/100 s, the Linux USER_HZ) and {@code VmHWM} of
 * {@code /proc/PID/status} (peak resident set).
 */
public final class ProcProbe implements ServerProbe {
    private static final long NANOS_PER_TICK = 10_000_000L;

    private final long pid;

    public ProcProbe(long pid) {
        this.pid = pid;
    }

    @Override
    public Sample sample() {
        try {
            return new Sample(cpuNanos(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))),
                peakRssBytes(Files.readString(Path.of("/proc", Long.toString(pid), "status"))));
        } catch (IOException | RuntimeException e) {
            return new Sample(-1, -1);
        }
    }

    /** utime + stime; fields counted after the command name, which may itself contain spaces. */
    static long cpuNanos(String stat) {
        final String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
        // f[0] is field 3 (state): utime is field 14, stime field 15
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
    }

    static long peakRssBytes(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.substring(6).replace("kB", "").trim()) * 1024;
            }
        }
        return -1;
    }

    @Override
    public String describe() {
        return "utime+stime and VmHWM of process " + pid + " (/proc)";
    }
}
