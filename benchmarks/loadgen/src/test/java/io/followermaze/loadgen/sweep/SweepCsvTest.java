package io.followermaze.loadgen.sweep;

import io.followermaze.loadgen.RunResult;
import io.followermaze.loadgen.verify.LatencyRecorder;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A sweep row from a run, its shortfall, and the CSV round trip that lets sweeps share a plot. */
class SweepCsvTest {
    private static RunResult paced(long rate, long events, long wallNanos, String failure) {
        final Histogram h = LatencyRecorder.newHistogram();
        for (int i = 1; i <= 1000; i++) {
            h.recordValue(i * 1_000L); // 1 .. 1,000 µs
        }
        return new RunResult("server", true, failure, events, events * 2, wallNanos, h, 2_500_000_000L, -1, 0, 0, 0,
            rate, 7, null);
    }

    @Test
    void aRowFromARun() {
        final SweepRow r = SweepRow.of("balanced", paced(100_000, 500_000, 5_000_000_000L, null));
        assertEquals(100_000, r.offered());
        assertEquals(100_000, r.achieved(), "500,000 events in 5 s");
        assertEquals(1000, r.recorded());
        assertEquals(500, r.p50Micros(), 1);
        assertEquals(990, r.p99Micros(), 1);
        assertEquals(1000, r.maxMicros(), 1);
        assertEquals(7, r.lateBatches());
        assertEquals(2.5, r.serverCpuSeconds(), 1e-9);
        assertTrue(r.passed());
        assertFalse(r.fellShort());
        assertFalse(SweepRow.of("x", paced(100_000, 500_000, 5_000_000_000L, "user 3: no notification")).passed());
    }

    @Test
    void aRateFallsShortBelowNinetyFivePercent() {
        assertFalse(SweepRow.of("s", paced(100_000, 500_000, 5_250_000_000L, null)).fellShort(), "95.2%");
        assertTrue(SweepRow.of("s", paced(100_000, 500_000, 5_300_000_000L, null)).fellShort(), "94.3%");
        assertTrue(SweepTable.row(SweepRow.of("s", paced(100_000, 500_000, 10_000_000_000L, null)))
            .endsWith(SweepTable.SHORT_MARK));
    }

    @Test
    void roundTripsSeveralSeries(@TempDir Path dir) throws Exception {
        final List<SweepRow> rows = List.of(
            SweepRow.of("balanced", paced(100_000, 500_000, 5_000_000_000L, null)),
            SweepRow.of("low-latency", paced(200_000, 500_000, 5_000_000_000L, "x")),
            new SweepRow("relay floor", 300_000, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, false));
        final Path file = dir.resolve("sweep.csv");
        SweepCsv.write(rows, file);
        assertEquals(rows, SweepCsv.read(file));
        assertTrue(SweepCsv.format(rows).startsWith(SweepCsv.HEADER + "\n"));
    }

    @Test
    void rejectsWhatIsNotASweep() {
        assertThrows(IllegalArgumentException.class, () -> SweepCsv.parse("a,b\n1,2\n", "f.csv"));
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> SweepCsv.parse(SweepCsv.HEADER + "\nbalanced,100,x,1,1,1,1,1,1,1,0,,PASS\n", "f.csv"));
        assertTrue(e.getMessage().startsWith("f.csv line 2: "), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SweepRow("a,b", 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, true));
    }
}
