package io.followermaze.server.kafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --kafka-client-config}: any client property passes through, but the delivery guarantees are kept. */
class KafkaClientConfigTest {

    @Test
    void readsEveryPropertyOfTheFile(@TempDir Path dir) throws Exception {
        final Path file = dir.resolve("kafka.properties");
        Files.writeString(file, "security.protocol=SASL_SSL\ncompression.type=lz4\n# comment\n");
        final Map<String, Object> m = KafkaRoles.clientConfig(file);
        assertEquals(Map.of("security.protocol", "SASL_SSL", "compression.type", "lz4"), m);
        assertTrue(KafkaRoles.clientConfig(null).isEmpty());
        assertThrows(UncheckedIOException.class, () -> KafkaRoles.clientConfig(dir.resolve("missing")));
    }

    @Test
    void theGuaranteesAreKept() {
        final Map<String, Object> m = new HashMap<>(Map.of("acks", "1", "enable.idempotence", "false"));
        KafkaRoles.keep(m, "acks", "all");
        KafkaRoles.keep(m, "enable.idempotence", true);
        assertEquals("all", m.get("acks"));
        assertEquals(true, m.get("enable.idempotence"));
    }
}
