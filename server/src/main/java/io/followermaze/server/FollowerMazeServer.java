package io.followermaze.server;

import io.followermaze.journal.Journal;
import io.followermaze.pipeline.MemoryModel;
import io.followermaze.pipeline.Pipeline;
import io.followermaze.pipeline.SharedRateLimitedLog;
import io.followermaze.server.egress.Egress;
import io.followermaze.server.egress.DirectMemory;
import io.followermaze.server.ingress.ClientRegistrationHandler;
import io.followermaze.server.ingress.EventSourceHandler;
import io.followermaze.server.ingress.RingTurns;
import io.followermaze.server.ingress.EventSourceIdleCloser;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import javax.net.ssl.SSLException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The Follower Maze server: two Netty listeners in front of one {@link Pipeline}.
 *
 * <pre>
 *  event sources ─► [event loop] EventSourceHandler ─ whole lines ─┐
 *                                                                  ├─► ingress ring ─► pipeline thread
 *  clients ───────► [event loop] ClientRegistrationHandler ─ reg ──┘     (parse, resequence, graph, route)
 *                                                                                      │ batch end
 *  clients ◄─────── [event loop] LoopEgress: write + flush ◄─ HandoffRing ◄─ Egress ◄──┘
 * </pre>
 *
 * {@link #start()} binds both ports (0 picks free ones: ask {@link #eventPort()} / {@link #clientPort()});
 * {@link #close()} stops accepting, drains the pipeline, flushes what was released, then closes.
 * <p>
 * With a journal ({@code --journal-dir}) a journal stage runs ahead of the pipeline's sequence-route stage, and the
 * constructor first replays the journal (see {@link Journal}): the graph, the cursor and the held events are back
 * before a listener opens.
 */
public final class FollowerMazeServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FollowerMazeServer.class);
    private static final long LOG_INTERVAL_MILLIS = 1000;

    /** Beyond this, --max-seq-ahead no longer protects the cursor in any useful sense: warned about at start. */
    private static final long MAX_SENSIBLE_SEQ_AHEAD = 1L << 40;

    private final ServerConfig config;
    private final NettyTransport transport;
    private final EventLoopGroup acceptGroup;
    private final EventLoopGroup ioGroup;
    private final Egress egress;
    private final Pipeline pipeline;
    /** The input journal, or null when off. */
    private final Journal journal;
    /** {@code --role ingest}: where event sources publish instead of the ring; null otherwise. */
    private final LogSink logSink;
    /** {@code --role fanout}: the log this node's ring is fed from; null otherwise. */
    private final LogFeed logFeed;
    private final ChannelGroup sourceChannels = new DefaultChannelGroup("event-sources", GlobalEventExecutor.INSTANCE);
    private final ChannelGroup clientChannels = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    /** Fair turns at a full ring for the event sources. */
    private final RingTurns ringTurns = new RingTurns();
    private final AtomicLong sourceConnections = new AtomicLong();
    private final AtomicLong clientsRefused = new AtomicLong();
    private final AtomicLong eventSourcesRefused = new AtomicLong();
    private final AtomicLong eventSourcesIdleClosed = new AtomicLong();
    private final AtomicLong acceptFailures = new AtomicLong();
    /** Connections holding a slot under their cap: taken at accept, given back when the connection closes. */
    private final AtomicInteger clientSlots = new AtomicInteger();
    private final AtomicInteger sourceSlots = new AtomicInteger();
    private final ClientCap clientCap;
    // One rate-limited line per kind (at most one a second, with the count suppressed), shared by all threads.
    private final SharedRateLimitedLog clientRefusalLog = new SharedRateLimitedLog(LOG, Level.WARN, LOG_INTERVAL_MILLIS);
    private final SharedRateLimitedLog sourceRefusalLog = new SharedRateLimitedLog(LOG, Level.WARN, LOG_INTERVAL_MILLIS);
    private final SharedRateLimitedLog idleCloseLog = new SharedRateLimitedLog(LOG, Level.WARN, LOG_INTERVAL_MILLIS);
    private final SharedRateLimitedLog acceptFailureLog = new SharedRateLimitedLog(LOG, Level.WARN, LOG_INTERVAL_MILLIS);
    private Channel eventListener;
    private Channel clientListener;
    private boolean closed;

    /** A server whose fatal pipeline errors are only logged (tests; the command exits instead). */
    public FollowerMazeServer(ServerConfig config) {
        this(config, error -> { });
    }

    /**
     * @param onFatal told when an {@link Error} stops the pipeline for good, or the Kafka log fails for good (the
     *                fan-out consumer dies, ingest's record is refused: {@link #logFailure()}); {@code serve} exits the process, so that
     *                a supervisor restarts it instead of a half-dead server that accepts connections
     */
    public FollowerMazeServer(ServerConfig config, Consumer<Throwable> onFatal) {
        this(config, onFatal, ClientCap.processFdLimit());
    }

    /** @param fdLimit the process's file-descriptor limit the client cap is clamped to ({@link ClientCap#UNKNOWN}: none) */
    FollowerMazeServer(ServerConfig config, Consumer<Throwable> onFatal, long fdLimit) {
        this.config = config;
        this.clientCap = ClientCap.of(config, fdLimit);
        this.transport = NettyTransport.select(config.transport());
        final boolean onLoop = config.pipelineThread() == PipelineThread.EVENT_LOOP;
        this.egress = new Egress(config.maxOutboundBytes(), DirectMemory.outboundBudget(config.maxTotalOutboundBytes()),
            config.handoffBytes(), config.slowClientGraceMillis(), config.clientStallMillis(), ByteBufAllocator.DEFAULT,
            onLoop);
        // Event loops are daemon threads that run nothing until a channel is registered: made first, so that a
        // pipeline on the event loop has its loop (a failing recovery below leaves them idle, as the JVM exits).
        this.acceptGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("followermaze-accept", true),
            transport.ioHandlerFactory());
        this.ioGroup = new MultiThreadIoEventLoopGroup(config.ioThreads(),
            new DefaultThreadFactory("followermaze-io", true), transport.ioHandlerFactory());
        // The pipeline first: with a journal, recovery replays it here, before any thread or listener exists, and a
        // damaged journal stops the start with nothing to clean up.
        // A FastThreadLocalThread, so that buffers the pipeline allocates come from a thread-local cache.
        final DefaultThreadFactory pipelineThreads = new DefaultThreadFactory("followermaze-pipeline", true);
        // Kafka classes are reached only through KafkaRoles, and only for these roles: the single node loads none.
        this.logSink = config.role() == Role.INGEST ? io.followermaze.server.kafka.KafkaRoles.ingest(config, onFatal)
            : null;
        this.logFeed = config.role() == Role.FANOUT ? io.followermaze.server.kafka.KafkaRoles.fanout(config, onFatal)
            : null;
        if (logSink != null) {
            // Ingest frames lines into the log: no ring, no resequencer, no graph, no pipeline thread.
            this.journal = null;
            this.pipeline = null;
        } else if (logFeed != null) {
            // Catch-up replays the log up to its end offsets, routing off, before the pipeline starts.
            this.journal = null;
            this.pipeline = new Pipeline(config.pipeline(), egress, pipelineThreads, onFatal, List.of(), logFeed.catchUp());
        } else if (config.journal().enabled()) {
            this.journal = new Journal(config.journal(), config.pipeline());
            this.pipeline = new Pipeline(config.pipeline(), egress, pipelineThreads, onFatal, List.of(journal.stage()),
                journal.recovery());
        } else {
            this.journal = null;
            // On the event loop: the loop that reads the source routes and writes in the same turn (PipelineThread).
            this.pipeline = new Pipeline(config.pipeline(), egress, pipelineThreads, onFatal, List.of(), stage -> { },
                onLoop ? ioGroup.next() : null);
        }
    }

    /** Binds both listeners; returns once they accept connections. */
    public FollowerMazeServer start() throws InterruptedException, SSLException {
        final SslContext eventTls = config.tls().eventContext();
        final SslContext clientTls = config.tls().clientContext();
        final ChannelInitializer<Channel> sources = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                sourceChannels.add(ch);
                sourceConnections.incrementAndGet();
                if (config.eventSourceIdleTimeoutMillis() > 0) {
                    EventSourceIdleCloser.install(ch.pipeline(), config.eventSourceIdleTimeoutMillis(),
                        eventSourcesIdleClosed, idleCloseLog);
                }
                if (eventTls != null) {
                    ch.pipeline().addLast(eventTls.newHandler(ch.alloc()));
                }
                ch.pipeline().addLast(new EventSourceHandler(logSink != null ? logSink : pipeline, ringTurns));
            }
        };
        final WriteBufferWaterMark clientWaterMark =
            new WriteBufferWaterMark(config.clientHighWaterMark() / 2, config.clientHighWaterMark());
        final ChannelInitializer<Channel> clients = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.config().setWriteBufferWaterMark(clientWaterMark);
                clientChannels.add(ch);
                if (clientTls != null) {
                    ch.pipeline().addLast(clientTls.newHandler(ch.alloc()));
                }
                ch.pipeline().addLast(new ClientRegistrationHandler(pipeline, egress, config.maxClientIdLength(),
                    config.clientIdTimeoutMillis()));
            }
        };
        // The caps are enforced on the accept thread, before a connection reaches an event loop (see AcceptGuard).
        if (logFeed != null) {
            logFeed.start(pipeline); // caught up already (constructor): live records from here on
        }
        if (config.role().listensForEvents()) {
            eventListener = bind(config.eventPort(), new AcceptGuard("event-source", "--max-event-sources",
            config.maxEventSources(), sourceSlots, eventSourcesRefused, sourceRefusalLog, acceptFailures,
            acceptFailureLog), sources);
        }
        if (config.role().listensForClients()) {
            clientListener = bind(config.clientPort(), new AcceptGuard("client",
            clientCap.clamped() ? "--max-clients, clamped to the fd limit" : "--max-clients", clientCap.effective(),
            clientSlots, clientsRefused, clientRefusalLog, acceptFailures, acceptFailureLog), clients);
        }
        LOG.info("followermaze listening ({} role): events on {}, clients on {} ({} transport, {} io thread(s))",
            config.role(), eventListener == null ? "-" : config.bindAddress() + ":" + eventPort(),
            clientListener == null ? "-" : config.bindAddress() + ":" + clientPort(), transport.name(),
            config.ioThreads());
        if (eventTls != null || clientTls != null) {
            LOG.info("TLS: event port {}{}, client port {}", eventTls != null ? "on" : "off",
                config.tls().eventTrust() != null ? " (client certificate required)" : "", clientTls != null ? "on" : "off");
        }
        LOG.info("Configuration: {}", config);
        if (config.pipeline().maxSeqAhead() > MAX_SENSIBLE_SEQ_AHEAD) {
            LOG.warn("--max-seq-ahead {} lets one bogus seq far ahead be held, and a gap skip (--gap-timeout-ms, "
                + "--max-pending) then moves the cursor out of reach of the real stream", config.pipeline().maxSeqAhead());
        }
        final long heapNeeded = pipeline == null ? 0 : MemoryModel.heapBytes(config.pipeline());
        final long heapMax = Runtime.getRuntime().maxMemory();
        if (heapNeeded > heapMax) {
            LOG.warn("The heap budgets (--max-users {}, --max-follows {}, --max-pending {}) may need {} MiB of heap; "
                    + "the heap is {} MiB: lower them or raise -Xmx (FOLLOWERMAZE_JAVA_OPTS)", config.pipeline().maxUsers(),
                config.pipeline().maxFollows(), config.pipeline().maxPending(), heapNeeded >> 20, heapMax >> 20);
        } else {
            LOG.info("Heap budgets need at most {} MiB of the {} MiB heap", heapNeeded >> 20, heapMax >> 20);
        }
        LOG.info("Outbound budget: {} bytes per client, {} bytes for all clients together (direct-memory limit {})",
            config.maxOutboundBytes(), egress.maxTotalOutboundBytes(), DirectMemory.max());
        logClientCap();
        return this;
    }

    private void logClientCap() {
        final ClientCap cap = clientCap;
        if (cap.fdLimit() == ClientCap.UNKNOWN) {
            LOG.info("Client connections capped at {} (--max-clients; the file-descriptor limit is not known here)",
                cap.effective());
        } else if (cap.clamped()) {
            LOG.warn("--max-clients {} is more than the file-descriptor limit allows: clamped to {} (fd limit {} less {} "
                    + "kept for event sources, listeners, event loops, the metrics port and the JVM); raise `ulimit -n` "
                    + "to allow more", cap.configured(), cap.effective(), cap.fdLimit(), cap.reserve());
        } else {
            LOG.info("Client connections capped at {} (--max-clients; fd limit {}, {} kept for the rest)",
                cap.effective(), cap.fdLimit(), cap.reserve());
        }
    }

    private Channel bind(int port, AcceptGuard guard, ChannelInitializer<Channel> initializer) throws InterruptedException {
        final InetSocketAddress address = new InetSocketAddress(config.bindAddress(), port);
        try {
            return bootstrap(guard, initializer).bind(address).sync().channel();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) { // sync() rethrows the bind's own exception (e.g. address in use), checked or not
            throw new IllegalStateException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
    }

    private ServerBootstrap bootstrap(AcceptGuard guard, ChannelInitializer<Channel> initializer) {
        return new ServerBootstrap()
            .group(acceptGroup, ioGroup)
            .channel(transport.serverChannel())
            .handler(guard)
            .option(ChannelOption.SO_BACKLOG, 4096)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childHandler(initializer);
    }

    /** The bound event port; -1 when this role has none ({@code fanout}). */
    public int eventPort() {
        return eventListener == null ? -1 : ((InetSocketAddress) eventListener.localAddress()).getPort();
    }

    /** The bound client port; -1 when this role has none ({@code ingest}). */
    public int clientPort() {
        return clientListener == null ? -1 : ((InetSocketAddress) clientListener.localAddress()).getPort();
    }

    /** {@code --role ingest}: the log the event sources append to; null for other roles. */
    public LogSink logSink() {
        return logSink;
    }

    /** {@code --role fanout}: the log this node reads; null for other roles. */
    public LogFeed logFeed() {
        return logFeed;
    }

    /** What stopped this node's Kafka log for good (the fan-out consumer, or a record ingest could not append), or null. */
    public Throwable logFailure() {
        if (logFeed != null) {
            return logFeed.failure();
        }
        return logSink == null ? null : logSink.failure();
    }

    /** The pipeline; null for {@code --role ingest}, which has none (its sources publish into {@link #logSink()}). */
    public Pipeline pipeline() {
        return pipeline;
    }

    public ServerConfig config() {
        return config;
    }

    /** The input journal, or null when {@code --journal-dir} is not set. */
    public Journal journal() {
        return journal;
    }

    public long slowConsumersCutOff() {
        return egress.slowConsumersCutOff();
    }

    /** Clients cut off because all clients together held more than the total outbound budget. */
    public long budgetCutOffs() {
        return egress.budgetCutOffs();
    }

    /** Congested clients that stopped draining (or stayed congested too long) and were no longer waited for. */
    public long clientsStalled() {
        return egress.clientsStalled();
    }

    /** Notification bytes held for clients now (handed to event loops or queued in Netty). */
    public long outboundBytes() {
        return egress.outboundBytes();
    }

    /** The total outbound budget in force (resolved from the configuration). */
    public long maxTotalOutboundBytes() {
        return egress.maxTotalOutboundBytes();
    }

    /** Client connections refused because {@link #effectiveMaxClients()} were open. */
    public long clientsRefused() {
        return clientsRefused.get();
    }

    /** Event-source connections refused because {@code maxEventSources} were open. */
    public long eventSourcesRefused() {
        return eventSourcesRefused.get();
    }

    /** Event sources closed for sending nothing within {@code eventSourceIdleTimeoutMillis}. */
    public long eventSourcesIdleClosed() {
        return eventSourcesIdleClosed.get();
    }

    /** Accepts that failed on either listener (e.g. out of file descriptors); logged rate-limited, never thrown. */
    public long acceptFailures() {
        return acceptFailures.get();
    }

    /** Client connections allowed at once: {@code maxClients} clamped to the process's file-descriptor limit. */
    public int effectiveMaxClients() {
        return clientCap.effective();
    }

    /** Times the pipeline waited for congested clients to drain (backpressure applied). */
    public long congestionWaits() {
        return egress.congestionWaits();
    }

    /** Event-source connections accepted since start. */
    public long eventSourceConnections() {
        return sourceConnections.get();
    }

    /** Event-source connections open now. */
    public int openEventSources() {
        return sourceChannels.size();
    }

    public int openClientConnections() {
        return clientChannels.size();
    }

    /**
     * Graceful stop: no new connections or events; everything already received is resequenced, routed and
     * flushed to its clients; then every connection closes.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("Shutting down: closing listeners and event sources");
        if (eventListener != null) {
            eventListener.close().syncUninterruptibly();
        }
        if (clientListener != null) {
            clientListener.close().syncUninterruptibly();
        }
        sourceChannels.close().syncUninterruptibly();
        // channelInactive (which passes on a source's unterminated last line) runs as a task that the close queues
        // just after completing its future, so a task submitted from here may still run before it. A task queued by
        // a task from here runs after it: two hops on every loop.
        for (var executor : ioGroup) {
            final Promise<Void> done = executor.newPromise();
            executor.execute(() -> executor.execute(() -> done.setSuccess(null)));
            done.syncUninterruptibly();
        }
        if (logSink != null) {
            logSink.close(); // every framed chunk is in the log (or counted as failed) before we report stopped
        }
        if (logFeed != null) {
            logFeed.close();
        }
        if (pipeline == null) { // ingest: everything framed is in the log (or counted as failed)
            ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            acceptGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            LOG.info("Stopped: {} records appended to the log, {} refused", logSink.recordsAcked(),
                logSink.recordsFailed());
            return;
        }
        if (!pipeline.drainAndStop(10, TimeUnit.SECONDS)) {
            LOG.warn("Pipeline did not drain within 10 s; stopped it anyway");
        }
        if (logFeed != null) {
            logFeed.afterPipelineStopped();
        }
        // The last batch's hand-offs are queued on the loops already; an empty write queued after them
        // completes once everything before it has reached the socket (or the client is gone).
        if (!clientChannels.writeAndFlush(Unpooled.EMPTY_BUFFER).awaitUninterruptibly(5, TimeUnit.SECONDS)) {
            LOG.warn("Some clients did not take their last notifications within 5 s; closing them anyway");
        }
        clientChannels.close().syncUninterruptibly();
        ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        acceptGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        LOG.info("Stopped: {} events released, {} notifications delivered, {} lines rejected",
            pipeline.stats().released(), pipeline.stats().notificationsDelivered(), pipeline.stats().rejectedTotal());
    }
}
