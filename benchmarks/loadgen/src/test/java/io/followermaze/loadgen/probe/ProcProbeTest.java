package io.followermaze.loadgen.probe;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ProcProbeTest {

    @Test
    void parsesCpuTicksAfterACommandNameWithSpacesAndParens() {
        final String stat = "1234 (java (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 30 0 1 2 3";
        assertEquals(300 * 10_000_000L, ProcProbe.cpuNanos(stat));
    }

    @Test
    void parsesPeakResidentSet() {
        assertEquals(123_456L * 1024, ProcProbe.peakRssBytes("Name:\tjava\nVmPeak:\t 999 kB\nVmHWM:\t  123456 kB\n"));
    }

    @Test
    void samplesThisProcess() {
        assumeTrue(Files.exists(Path.of("/proc/self/stat")));
        final ServerProbe.Sample s = new ProcProbe(ProcessHandle.current().pid()).sample();
        assertTrue(s.cpuNanos() > 0, "cpu " + s.cpuNanos());
        assertTrue(s.peakRssBytes() > 0, "rss " + s.peakRssBytes());
    }
}
