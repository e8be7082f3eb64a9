package io.followermaze.loadgen.pace;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When batches are due, and which due time each seq's notification is measured from. */
class ScheduleTest {

    @Test
    void batchKIsDueAtStartPlusTheEventsBeforeItOverTheRate() {
        // Fixed batches of 50 at 100,000 events/s: batch k at k x 50 / 100,000 s = k x 500 µs.
        final Schedule s = new Schedule(100_000, 1_000, 0);
        s.start(7_000_000);
        for (int k = 0; k < 20; k++) {
            s.batch(1 + 50L * k, 50);
            assertEquals(7_000_000 + k * 500_000L, s.dueNanos(1 + 50L * k));
        }
        assertEquals(0, Schedule.dueOffsetNanos(1, 3));
        assertEquals(333_333_333, Schedule.dueOffsetNanos(2, 3), "1/3 s, truncated to the ns");
        assertEquals(1_000_000_000L * 1_999_999_999L / 1_000_000, Schedule.dueOffsetNanos(2_000_000_000L, 1_000_000),
            "no overflow for 2^31 events");
    }

    @Test
    void everyEventOfABatchIsScheduledAtTheBatchsDueTime() {
        // Batches of random sizes: 1..3 (3 events), 4..10 (7), 11 (1) at 1,000 events/s.
        final Schedule s = new Schedule(1_000, 11, 0);
        s.start(0);
        s.batch(1, 3);
        s.batch(4, 7);
        s.batch(11, 1);
        for (int seq = 1; seq <= 3; seq++) {
            assertEquals(0, s.scheduledNanos(seq));
        }
        for (int seq = 4; seq <= 10; seq++) {
            assertEquals(3_000_000, s.scheduledNanos(seq), "due after the 3 events before it");
        }
        assertEquals(10_000_000, s.scheduledNanos(11));
    }

    @Test
    void warmupCoversEventsDueInItsFirstSeconds() {
        final Schedule s = new Schedule(1_000, 10, 5_000_000); // 5 ms warm-up, 1 event per ms
        s.start(123);
        for (int seq = 1; seq <= 10; seq++) {
            s.batch(seq, 1);
        }
        for (int seq = 1; seq <= 5; seq++) {
            assertTrue(s.inWarmup(seq), "due at " + (seq - 1) + " ms");
        }
        for (int seq = 6; seq <= 10; seq++) {
            assertFalse(s.inWarmup(seq), "due at " + (seq - 1) + " ms");
        }
    }

    @Test
    void refusesWhatItCannotHold() {
        assertThrows(IllegalArgumentException.class, () -> new Schedule(0, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> new Schedule(10, Integer.MAX_VALUE, 0));
        assertThrows(IllegalArgumentException.class, () -> new Schedule(10, 10, -1));
    }
}
