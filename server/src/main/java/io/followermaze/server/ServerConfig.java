package io.followermaze.server;

import io.followermaze.journal.JournalConfig;
import io.followermaze.pipeline.PipelineConfig;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Everything the server needs to start. Immutable. Each default is declared once, as a {@code DEFAULT_*} constant
 * here or in {@link PipelineConfig}; {@link #DEFAULT} and the {@link Builder} start from them. Derive variants with
 * {@link #toBuilder()} (validation runs once, at {@link Builder#build()}); named presets are
 * {@code io.followermaze.server.cli.Profile}s.
 *
 * @param bindAddress           address both listeners bind to
 * @param eventPort             event-source port; 0 picks a free port (see {@link FollowerMazeServer#eventPort()})
 * @param clientPort            client port; 0 picks a free port
 * @param ioThreads             Netty event loops for connections (the pipeline has its own thread unless
 *                              {@code pipelineThread} puts it on the first of them)
 * @param transport             socket transport (see {@link Transport})
 * @param clientHighWaterMark   bytes queued for one client above which it counts as congested and the pipeline
 *                              waits for it (Netty's write-buffer high-water mark; the low one is half of it)
 * @param slowClientGraceMillis how long the pipeline waits for one congested client before it stops waiting
 * @param maxOutboundBytes      per-client bound on bytes waiting to be sent; past it the client is cut off; at least
 *                              {@code clientHighWaterMark + 4 * handoffBytes}, what a client that keeps up may hold
 * @param handoffBytes          output after which the pipeline hands a batch to the event loops early
 * @param maxClientIdLength     longest client id line accepted (without line end)
 * @param clientIdTimeoutMillis how long a new client may take to send its id before it is disconnected
 * @param maxClients            most client connections open at once; more are refused (closed at once); clamped at
 *                              start to what the process's file-descriptor limit allows
 * @param maxEventSources       most event-source connections open at once; more are refused (closed at once)
 * @param eventSourceIdleTimeoutMillis an event source that sends nothing for this long is disconnected; 0 = never
 * @param maxTotalOutboundBytes bound on notification bytes held for all clients together (direct memory); when it is
 *                              reached the clients with the largest backlogs are cut off first; 0 = 1/4 of the
 *                              process's direct-memory limit
 * @param clientStallMillis     a congested client that drains nothing for this long is no longer waited for (it is
 *                              cut off only if its backlog then passes {@code maxOutboundBytes})
 * @param tls                   optional TLS per port
 * @param pipeline              ring, chunk, window and wait-strategy settings
 * @param journal               the input journal (off unless it has a directory; see {@link JournalConfig}); with
 *                              {@link Role#FANOUT} only its directory and snapshot interval count: snapshots with
 *                              Kafka offsets, no journal
 * @param role                  what this process does: the single node, or the ingest or fan-out side of a cluster
 * @param kafkaBootstrap        {@code bootstrap.servers} of the Kafka cluster; required by {@link Role#INGEST} and
 *                              {@link Role#FANOUT}, null otherwise
 * @param kafkaTopic            the topic that carries the event stream between ingest and fan-out nodes
 * @param kafkaClientConfig     optional properties file of Kafka producer/consumer settings (security, compression);
 *                              null for none
 * @param pipelineThread        where the sequence-route stage runs: a thread of its own or the first event loop
 *                              (single node without a journal only; see {@link PipelineThread})
 */
public record ServerConfig(String bindAddress, int eventPort, int clientPort, int ioThreads, Transport transport,
                           int clientHighWaterMark, long slowClientGraceMillis, long maxOutboundBytes,
                           long handoffBytes, int maxClientIdLength, long clientIdTimeoutMillis, int maxClients,
                           int maxEventSources, long eventSourceIdleTimeoutMillis, long maxTotalOutboundBytes,
                           long clientStallMillis, TlsConfig tls, PipelineConfig pipeline,
                           JournalConfig journal, Role role, String kafkaBootstrap, String kafkaTopic,
                           Path kafkaClientConfig, PipelineThread pipelineThread) {

    public static final String DEFAULT_BIND_ADDRESS = "0.0.0.0";
    public static final int DEFAULT_EVENT_PORT = 9090;
    public static final int DEFAULT_CLIENT_PORT = 9099;
    public static final int DEFAULT_IO_THREADS = 1;
    public static final Transport DEFAULT_TRANSPORT = Transport.AUTO;
    public static final int DEFAULT_CLIENT_HIGH_WATER_MARK = 256 * 1024;
    public static final long DEFAULT_SLOW_CLIENT_GRACE_MILLIS = 2_000;
    public static final long DEFAULT_MAX_OUTBOUND_BYTES = 8L * 1024 * 1024;
    public static final long DEFAULT_HANDOFF_BYTES = 1024 * 1024;
    public static final int DEFAULT_MAX_CLIENT_ID_LENGTH = 64;
    public static final long DEFAULT_CLIENT_ID_TIMEOUT_MILLIS = 10_000;
    /** 0: as many as the file-descriptor limit allows (see {@link ClientCap}). */
    public static final int DEFAULT_MAX_CLIENTS = ClientCap.AUTO;
    public static final int DEFAULT_MAX_EVENT_SOURCES = 16;
    public static final long DEFAULT_EVENT_SOURCE_IDLE_TIMEOUT_MILLIS = 0;
    public static final long DEFAULT_MAX_TOTAL_OUTBOUND_BYTES = 0;
    public static final long DEFAULT_CLIENT_STALL_MILLIS = 100;
    public static final Role DEFAULT_ROLE = Role.ALL;
    /** None: the single node uses no Kafka. */
    public static final String DEFAULT_KAFKA_BOOTSTRAP = null;
    public static final String DEFAULT_KAFKA_TOPIC = "followermaze.events";
    public static final Path DEFAULT_KAFKA_CLIENT_CONFIG = null;
    public static final PipelineThread DEFAULT_PIPELINE_THREAD = PipelineThread.OWN;

    public static final ServerConfig DEFAULT = new Builder().build();

    /** Loopback, ports 0: what tests use. */
    public static ServerConfig ephemeral() {
        return DEFAULT.toBuilder().bindAddress("127.0.0.1").eventPort(0).clientPort(0).build();
    }

    public ServerConfig {
        requirePort("eventPort", eventPort);
        requirePort("clientPort", clientPort);
        requireAtLeast("ioThreads", ioThreads, 1);
        if (transport == null) {
            throw new IllegalArgumentException("transport must be set (" + Transport.names(", ") + ")");
        }
        requireAtLeast("clientHighWaterMark", clientHighWaterMark, 1024);
        requireAtLeast("slowClientGraceMillis", slowClientGraceMillis, 1);
        requireAtLeast("handoffBytes", handoffBytes, 1024);
        // A client that keeps up holds at most its high-water mark plus the hand-offs in flight (see Egress).
        requireAtLeast("maxOutboundBytes", maxOutboundBytes, clientHighWaterMark + 4 * handoffBytes);
        requireAtLeast("maxClientIdLength", maxClientIdLength, 1);
        requireAtLeast("clientIdTimeoutMillis", clientIdTimeoutMillis, 1);
        requireAtLeast("maxClients", maxClients, 0);
        requireAtLeast("maxEventSources", maxEventSources, 1);
        requireAtLeast("eventSourceIdleTimeoutMillis", eventSourceIdleTimeoutMillis, 0);
        if (maxTotalOutboundBytes != 0) {
            requireAtLeast("maxTotalOutboundBytes", maxTotalOutboundBytes, maxOutboundBytes);
        }
        requireAtLeast("clientStallMillis", clientStallMillis, 1);
        if (role == null) {
            throw new IllegalArgumentException("role must be set (" + Role.names(", ") + ")");
        }
        if (role != Role.ALL && (kafkaBootstrap == null || kafkaBootstrap.isBlank())) {
            throw new IllegalArgumentException("--role " + role + " needs --kafka-bootstrap HOST:PORT");
        }
        if (role == Role.INGEST && journal != null && journal.enabled()) {
            throw new IllegalArgumentException("--role ingest keeps no state; --journal-dir is for --role all (a "
                + "journal) and fanout (snapshots)");
        }
        if (role == Role.FANOUT && journal != null && journal.enabled() && journal.snapshotEvery() == 0) {
            throw new IllegalArgumentException("--role fanout keeps only snapshots in --journal-dir (the Kafka log is "
                + "its journal): --snapshot-every must be > 0");
        }
        if (kafkaTopic == null || kafkaTopic.isBlank()) {
            throw new IllegalArgumentException("kafkaTopic must be set");
        }
        if (pipelineThread == null) {
            throw new IllegalArgumentException("pipelineThread must be set (" + PipelineThread.names(", ") + ")");
        }
        if (pipelineThread == PipelineThread.EVENT_LOOP && role != Role.ALL) {
            throw new IllegalArgumentException("--pipeline-thread event-loop is for the single node (--role all), not "
                + "--role " + role + (role == Role.FANOUT ? ": its log consumer would hand every record to the loop"
                : ": it has no pipeline"));
        }
        if (pipelineThread == PipelineThread.EVENT_LOOP && journal != null && journal.enabled()) {
            throw new IllegalArgumentException("--pipeline-thread event-loop can not be combined with --journal-dir: "
                + "the journal stage runs on a thread of its own ahead of the pipeline");
        }
        if (tls == null || pipeline == null || journal == null) {
            throw new IllegalArgumentException("tls, pipeline and journal must be set (TlsConfig.NONE, JournalConfig.OFF "
                + "for none)");
        }
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    private static void requirePort(String name, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + " must be 0..65535: " + port);
        }
    }

    private static void requireAtLeast(String name, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ": " + value);
        }
    }

    /** Mutable builder; starts from the defaults. */
    public static final class Builder {
        private String bindAddress = DEFAULT_BIND_ADDRESS;
        private int eventPort = DEFAULT_EVENT_PORT;
        private int clientPort = DEFAULT_CLIENT_PORT;
        private int ioThreads = DEFAULT_IO_THREADS;
        private Transport transport = DEFAULT_TRANSPORT;
        private int clientHighWaterMark = DEFAULT_CLIENT_HIGH_WATER_MARK;
        private long slowClientGraceMillis = DEFAULT_SLOW_CLIENT_GRACE_MILLIS;
        private long maxOutboundBytes = DEFAULT_MAX_OUTBOUND_BYTES;
        private long handoffBytes = DEFAULT_HANDOFF_BYTES;
        private int maxClientIdLength = DEFAULT_MAX_CLIENT_ID_LENGTH;
        private long clientIdTimeoutMillis = DEFAULT_CLIENT_ID_TIMEOUT_MILLIS;
        private int maxClients = DEFAULT_MAX_CLIENTS;
        private int maxEventSources = DEFAULT_MAX_EVENT_SOURCES;
        private long eventSourceIdleTimeoutMillis = DEFAULT_EVENT_SOURCE_IDLE_TIMEOUT_MILLIS;
        private long maxTotalOutboundBytes = DEFAULT_MAX_TOTAL_OUTBOUND_BYTES;
        private long clientStallMillis = DEFAULT_CLIENT_STALL_MILLIS;
        private TlsConfig.Builder tls = TlsConfig.builder();
        private PipelineConfig.Builder pipeline = PipelineConfig.builder();
        private JournalConfig.Builder journal = JournalConfig.builder();
        private Role role = DEFAULT_ROLE;
        private String kafkaBootstrap = DEFAULT_KAFKA_BOOTSTRAP;
        private String kafkaTopic = DEFAULT_KAFKA_TOPIC;
        private Path kafkaClientConfig = DEFAULT_KAFKA_CLIENT_CONFIG;
        private PipelineThread pipelineThread = DEFAULT_PIPELINE_THREAD;

        public Builder() {
        }

        Builder(ServerConfig c) {
            bindAddress = c.bindAddress;
            eventPort = c.eventPort;
            clientPort = c.clientPort;
            ioThreads = c.ioThreads;
            transport = c.transport;
            clientHighWaterMark = c.clientHighWaterMark;
            slowClientGraceMillis = c.slowClientGraceMillis;
            maxOutboundBytes = c.maxOutboundBytes;
            handoffBytes = c.handoffBytes;
            maxClientIdLength = c.maxClientIdLength;
            clientIdTimeoutMillis = c.clientIdTimeoutMillis;
            maxClients = c.maxClients;
            maxEventSources = c.maxEventSources;
            eventSourceIdleTimeoutMillis = c.eventSourceIdleTimeoutMillis;
            maxTotalOutboundBytes = c.maxTotalOutboundBytes;
            clientStallMillis = c.clientStallMillis;
            tls = c.tls.toBuilder();
            pipeline = c.pipeline.toBuilder();
            journal = c.journal.toBuilder();
            role = c.role;
            kafkaBootstrap = c.kafkaBootstrap;
            kafkaTopic = c.kafkaTopic;
            kafkaClientConfig = c.kafkaClientConfig;
            pipelineThread = c.pipelineThread;
        }

        public Builder bindAddress(String v) { bindAddress = v; return this; }
        public Builder eventPort(int v) { eventPort = v; return this; }
        public Builder clientPort(int v) { clientPort = v; return this; }
        public Builder ioThreads(int v) { ioThreads = v; return this; }
        public Builder transport(Transport v) { transport = v; return this; }
        public Builder clientHighWaterMark(int v) { clientHighWaterMark = v; return this; }
        public Builder slowClientGraceMillis(long v) { slowClientGraceMillis = v; return this; }
        public Builder maxOutboundBytes(long v) { maxOutboundBytes = v; return this; }
        public Builder handoffBytes(long v) { handoffBytes = v; return this; }
        public Builder maxClientIdLength(int v) { maxClientIdLength = v; return this; }
        public Builder clientIdTimeoutMillis(long v) { clientIdTimeoutMillis = v; return this; }
        public Builder maxClients(int v) { maxClients = v; return this; }
        public Builder maxEventSources(int v) { maxEventSources = v; return this; }
        public Builder eventSourceIdleTimeoutMillis(long v) { eventSourceIdleTimeoutMillis = v; return this; }
        public Builder maxTotalOutboundBytes(long v) { maxTotalOutboundBytes = v; return this; }
        public Builder clientStallMillis(long v) { clientStallMillis = v; return this; }
        public Builder tls(TlsConfig v) { tls = v.toBuilder(); return this; }
        /** Changes TLS values in place: {@code tls(t -> t.eventCert(cert).eventKey(key))}. */
        public Builder tls(Consumer<TlsConfig.Builder> edit) { edit.accept(tls); return this; }
        public Builder pipeline(PipelineConfig v) { pipeline = v.toBuilder(); return this; }
        /** Changes pipeline values in place, checked with the rest: {@code pipeline(p -> p.chunkBytes(4096))}. */
        public Builder pipeline(Consumer<PipelineConfig.Builder> edit) { edit.accept(pipeline); return this; }
        public Builder journal(JournalConfig v) { journal = v.toBuilder(); return this; }
        /** Changes journal values in place: {@code journal(j -> j.dir(path).fsync(FsyncPolicy.BATCH))}. */
        public Builder journal(Consumer<JournalConfig.Builder> edit) { edit.accept(journal); return this; }

        public Builder role(Role v) { role = v; return this; }
        public Builder kafkaBootstrap(String v) { kafkaBootstrap = v; return this; }
        public Builder kafkaTopic(String v) { kafkaTopic = v; return this; }
        public Builder kafkaClientConfig(Path v) { kafkaClientConfig = v; return this; }
        public Builder pipelineThread(PipelineThread v) { pipelineThread = v; return this; }

        public ServerConfig build() {
            return new ServerConfig(bindAddress, eventPort, clientPort, ioThreads, transport, clientHighWaterMark,
                slowClientGraceMillis, maxOutboundBytes, handoffBytes, maxClientIdLength, clientIdTimeoutMillis,
                maxClients, maxEventSources, eventSourceIdleTimeoutMillis, maxTotalOutboundBytes, clientStallMillis,
                tls.build(), pipeline.build(), journal.build(), role, kafkaBootstrap, kafkaTopic,
                kafkaClientConfig, pipelineThread);
        }
    }
}
