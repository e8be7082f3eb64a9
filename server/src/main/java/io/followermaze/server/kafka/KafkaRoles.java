package io.followermaze.server.kafka;

import io.followermaze.journal.JournalConfig;
import io.followermaze.server.LogFeed;
import io.followermaze.server.LogSink;
import io.followermaze.server.ServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Consumer;

/** Factories for the Kafka side of the roles; the single entry into this package. */
public final class KafkaRoles {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaRoles.class);

    private KafkaRoles() {
    }

    /** @param onFatal told when the log refuses a record for good */
    public static LogSink ingest(ServerConfig config, Consumer<Throwable> onFatal) {
        return new KafkaIngest(config.kafkaBootstrap(), config.kafkaTopic(), config.pipeline(),
            clientConfig(config.kafkaClientConfig()), onFatal);
    }

    /**
     * With {@code --journal-dir} the node keeps snapshots there (no journal: the log is one) and resumes from them.
     *
     * @param onFatal told when the consumer thread fails for good
     */
    public static LogFeed fanout(ServerConfig config, Consumer<Throwable> onFatal) {
        final JournalConfig j = config.journal();
        return new KafkaFanout(config.kafkaBootstrap(), config.kafkaTopic(), config.pipeline(),
            clientConfig(config.kafkaClientConfig()), j.enabled() ? j.dir() : null, j.snapshotEvery(), onFatal);
    }

    /** Kafka client properties from {@code --kafka-client-config FILE} (none when null). */
    static Map<String, Object> clientConfig(Path file) {
        final Map<String, Object> m = new HashMap<>();
        if (file == null) {
            return m;
        }
        final Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read --kafka-client-config " + file + ": " + e.getMessage(), e);
        }
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        LOG.info("Kafka client properties from {}: {}", file, m.keySet());
        return m;
    }

    /** The delivery guarantees rest on {@code key = value}: a client config that says otherwise is overridden. */
    static void keep(Map<String, Object> config, String key, Object value) {
        final Object given = config.put(key, value);
        if (given != null && !Objects.equals(String.valueOf(given), String.valueOf(value))) {
            LOG.warn("Kafka client property {}={} from --kafka-client-config ignored: it must be {}", key, given, value);
        }
    }
}
