package io.followermaze.loadgen.kafka;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Apache Kafka (KRaft: broker and controller in one process) for development and tests: formats
 * {@code dir} when it is empty, starts {@link KafkaRaftServer} in this JVM and waits until it answers. Not for
 * production: replication factor 1 everywhere.
 * <pre>
 *   try (DevBroker broker = DevBroker.start(dir, 0)) {
 *       String bootstrap = broker.bootstrap();   // "127.0.0.1:PORT"
 *   }
 * </pre>
 */
public final class DevBroker implements AutoCloseable {
    public static final int DEFAULT_PORT = 9092;
    private static final int NODE_ID = 1;

    private final KafkaRaftServer server;
    private final String bootstrap;
    private final Path dir;
    private boolean closed;

    private DevBroker(KafkaRaftServer server, String bootstrap, Path dir) {
        this.server = server;
        this.bootstrap = bootstrap;
        this.dir = dir;
    }

    /**
     * Formats {@code dir} if it holds no broker yet, starts the broker on {@code port} (0: a free one) and its
     * controller on a free port, and returns once an admin client sees the node.
     */
    public static DevBroker start(Path dir, int port) {
        try {
            Files.createDirectories(dir);
            final int brokerPort = port == 0 ? freePort() : port;
            final int controllerPort = freePort();
            final String logDir = dir.toAbsolutePath().toString();
            final Properties p = new Properties();
            p.put("process.roles", "broker,controller");
            p.put("node.id", String.valueOf(NODE_ID));
            p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
            p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
            p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
            p.put("controller.listener.names", "CONTROLLER");
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            p.put("inter.broker.listener.name", "PLAINTEXT");
            p.put("log.dirs", logDir);
            p.put("offsets.topic.replication.factor", "1");
            p.put("offsets.topic.num.partitions", "1");
            p.put("transaction.state.log.replication.factor", "1");
            p.put("transaction.state.log.min.isr", "1");
            p.put("share.coordinator.state.topic.replication.factor", "1");
            p.put("share.coordinator.state.topic.min.isr", "1");
            p.put("group.initial.rebalance.delay.ms", "0");
            p.put("num.partitions", "1");
            p.put("auto.create.topics.enable", "true");
            final KafkaConfig config = new KafkaConfig(p);
            if (!Files.exists(dir.resolve("meta.properties"))) {
                new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setClusterId(Uuid.randomUuid().toString())
                    .setNodeId(NODE_ID)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(logDir)
                    .setDirectories(List.of(logDir))
                    .run();
            }
            final KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            final DevBroker broker = new DevBroker(server, "127.0.0.1:" + brokerPort, dir);
            broker.awaitReady();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("dev broker did not start in " + dir + ": " + e, e);
        }
    }

    private void awaitReady() throws Exception {
        try (Admin admin = admin()) {
            admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
        }
    }

    /** host:port for {@code bootstrap.servers}. */
    public String bootstrap() {
        return bootstrap;
    }

    public Path dir() {
        return dir;
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    /** Creates {@code topic} with {@code partitions} partitions (replication factor 1). */
    public void createTopic(String topic, int partitions) {
        createTopic(bootstrap, topic, partitions, Map.of());
    }

    /** Creates {@code topic} with {@code partitions} partitions (replication factor 1) and topic settings. */
    public void createTopic(String topic, int partitions, Map<String, String> configs) {
        createTopic(bootstrap, topic, partitions, configs);
    }

    /** Creates {@code topic} (replication factor 1, topic settings {@code configs}) on the broker at {@code bootstrap}. */
    public static void createTopic(String bootstrap, String topic, int partitions, Map<String, String> configs) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs))).all()
                .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not create topic " + topic + ": " + e, e);
        }
    }

    /** The end offset of every partition of {@code topic}, by partition number: the records each holds so far. */
    public long[] endOffsets(String topic) {
        try (Admin admin = admin()) {
            final int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(topic).partitions().size();
            final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            final long[] end = new long[partitions];
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS)
                .forEach((tp, info) -> end[tp.partition()] = info.offset());
            return end;
        } catch (Exception e) {
            throw new IllegalStateException("could not read the end offsets of " + topic + ": " + e, e);
        }
    }

    /** Blocks until the broker stops (for the {@code dev-broker} command). */
    public void awaitShutdown() {
        server.awaitShutdown();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.shutdown();
        server.awaitShutdown();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
