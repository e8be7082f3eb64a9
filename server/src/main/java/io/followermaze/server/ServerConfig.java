package io.followermaze.server;

import io.followermaze.pipeline.PipelineConfig;

/**
 * Everything the server needs to start. Immutable; build variants with the {@code with...} methods.
 *
 * @param bindAddress        address both listeners bind to
 * @param eventPort          event-source port; 0 picks a free port (see {@link FollowerMazeServer#eventPort()})
 * @param clientPort         client port; 0 picks a free port
 * @param ioThreads          Netty event loops for connections (the pipeline has its own thread)
 * @param transport          {@code auto} (epoll where available, else NIO), {@code epoll} or {@code nio}
 * @param maxOutboundBytes   per-connection bound on bytes waiting to be sent; past it the client is cut off
 * @param maxClientIdLength  longest client id line accepted (without line end)
 * @param clientIdTimeoutMillis how long a new client may take to send its id before it is disconnected
 * @param pipeline           ring, chunk, window and wait-strategy settings
 */
public record ServerConfig(String bindAddress, int eventPort, int clientPort, int ioThreads, String transport,
                           long maxOutboundBytes, int maxClientIdLength, long clientIdTimeoutMillis,
                           PipelineConfig pipeline) {

    public static final String DEFAULT_BIND_ADDRESS = "0.0.0.0";
    public static final int DEFAULT_EVENT_PORT = 9090;
    public static final int DEFAULT_CLIENT_PORT = 9099;
    public static final int DEFAULT_IO_THREADS = 1;
    public static final String DEFAULT_TRANSPORT = "auto";
    public static final long DEFAULT_MAX_OUTBOUND_BYTES = 8L * 1024 * 1024;
    public static final int DEFAULT_MAX_CLIENT_ID_LENGTH = 64;
    public static final long DEFAULT_CLIENT_ID_TIMEOUT_MILLIS = 10_000;

    public static final ServerConfig DEFAULT = new ServerConfig(DEFAULT_BIND_ADDRESS, DEFAULT_EVENT_PORT,
        DEFAULT_CLIENT_PORT, DEFAULT_IO_THREADS, DEFAULT_TRANSPORT, DEFAULT_MAX_OUTBOUND_BYTES,
        DEFAULT_MAX_CLIENT_ID_LENGTH, DEFAULT_CLIENT_ID_TIMEOUT_MILLIS, PipelineConfig.DEFAULT);

    /** Loopback, ports 0: what tests use. */
    public static ServerConfig ephemeral() {
        return DEFAULT.withBind("127.0.0.1").withPorts(0, 0);
    }

    public ServerConfig {
        requirePort("eventPort", eventPort);
        requirePort("clientPort", clientPort);
        if (ioThreads < 1) {
            throw new IllegalArgumentException("ioThreads must be >= 1: " + ioThreads);
        }
        if (!transport.equals("auto") && !transport.equals("epoll") && !transport.equals("nio")) {
            throw new IllegalArgumentException("transport must be auto, epoll or nio: " + transport);
        }
        if (maxOutboundBytes < 1024) {
            throw new IllegalArgumentException("maxOutboundBytes must be >= 1024: " + maxOutboundBytes);
        }
        if (maxClientIdLength < 1) {
            throw new IllegalArgumentException("maxClientIdLength must be >= 1: " + maxClientIdLength);
        }
        if (clientIdTimeoutMillis < 1) {
            throw new IllegalArgumentException("clientIdTimeoutMillis must be >= 1: " + clientIdTimeoutMillis);
        }
    }

    public ServerConfig withBind(String v) {
        return new ServerConfig(v, eventPort, clientPort, ioThreads, transport, maxOutboundBytes, maxClientIdLength,
            clientIdTimeoutMillis, pipeline);
    }

    public ServerConfig withPorts(int event, int client) {
        return new ServerConfig(bindAddress, event, client, ioThreads, transport, maxOutboundBytes, maxClientIdLength,
            clientIdTimeoutMillis, pipeline);
    }

    public ServerConfig withIoThreads(int v) {
        return new ServerConfig(bindAddress, eventPort, clientPort, v, transport, maxOutboundBytes, maxClientIdLength,
            clientIdTimeoutMillis, pipeline);
    }

    public ServerConfig withTransport(String v) {
        return new ServerConfig(bindAddress, eventPort, clientPort, ioThreads, v, maxOutboundBytes, maxClientIdLength,
            clientIdTimeoutMillis, pipeline);
    }

    public ServerConfig withMaxOutboundBytes(long v) {
        return new ServerConfig(bindAddress, eventPort, clientPort, ioThreads, transport, v, maxClientIdLength,
            clientIdTimeoutMillis, pipeline);
    }

    public ServerConfig withMaxClientIdLength(int v) {
        return new ServerConfig(bindAddress, eventPort, clientPort, ioThreads, transport, maxOutboundBytes, v,
            clientIdTimeoutMillis, pipeline);
    }

    public ServerConfig withClientIdTimeoutMillis(long v) {
        return new ServerConfig(bindAddress, eventPort, clientPort, ioThreads, transport, maxOutboundBytes,
            maxClientIdLength, v, pipeline);
    }

    public ServerConfig withPipeline(PipelineConfig v) {
        return new ServerConfig(bindAddress, eventPort, clientPort, ioThreads, transport, maxOutboundBytes,
            maxClientIdLength, clientIdTimeoutMillis, v);
    }

    private static void requirePort(String name, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + " must be 0..65535: " + port);
        }
    }
}
