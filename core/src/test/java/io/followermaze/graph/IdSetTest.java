package io.followermaze.graph;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdSetTest {
    /** Random adds and removes against a HashSet, over few ids (long probe runs, many backward shifts) and many. */
    @Test
    void behavesAsASet() {
        for (int range : new int[] {16, 1000, 1 << 20}) {
            final Random random = new Random(range);
            final IdSet set = new IdSet();
            final Set<Long> model = new HashSet<>();
            for (int op = 0; op < 200_000; op++) {
                final long id = range == 16 ? random.nextInt(range) * (1L << 40) : random.nextInt(range);
                if (random.nextInt(3) == 0) {
                    assertEquals(model.remove(id), set.removeId(id));
                } else {
                    assertEquals(model.add(id), set.addId(id));
                }
                assertEquals(model.contains(id), set.containsId(id));
                assertEquals(model.size(), set.idCount());
            }
            final Set<Long> walked = new HashSet<>();
            for (long s : set.idSlots()) {
                if (s != 0) {
                    assertTrue(walked.add(s - 1));
                }
            }
            assertEquals(model, walked);
        }
    }

    @Test
    void extremeIdsAndTheEmptyTable() {
        final IdSet set = new IdSet();
        assertFalse(set.containsId(0));
        assertFalse(set.removeId(0));
        assertTrue(set.addId(0));
        assertTrue(set.addId(Long.MAX_VALUE)); // stored as MIN_VALUE: not the free mark
        assertTrue(set.containsId(0));
        assertTrue(set.containsId(Long.MAX_VALUE));
        assertFalse(set.addId(Long.MAX_VALUE));
        assertTrue(set.removeId(Long.MAX_VALUE));
        assertFalse(set.containsId(Long.MAX_VALUE));
        assertFalse(set.containsId(-1));
        assertThrows(IllegalArgumentException.class, () -> set.addId(-1));
    }

    @Test
    void growsAndGivesMemoryBack() {
        final IdSet set = new IdSet();
        for (long id = 0; id < 10_000; id++) {
            set.addId(id);
        }
        assertTrue(set.idCapacity() >= 20_000);
        for (long id = 0; id < 10_000; id++) {
            assertTrue(set.removeId(id));
        }
        assertEquals(0, set.idCount());
        assertTrue(set.idCapacity() <= IdSet.SPARSE_ABOVE, "capacity " + set.idCapacity());
    }
}
