package io.followermaze.loadgen.relay;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The smallest possible "server": accepts one client and then one event source on loopback, and copies every
 * byte the source sends straight to the client as it is read (blocking I/O, one thread, TCP_NODELAY, no
 * parsing, no resequencing, no client id expected). A paced run through it measures the generator, the kernel
 * and loopback alone: the floor under any server's latency on this machine.
 */
public final class Relay implements AutoCloseable {
    private final ServerSocketChannel eventListener;
    private final ServerSocketChannel clientListener;
    private final AtomicReference<SocketChannel> client = new AtomicReference<>();
    private final AtomicReference<SocketChannel> source = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile long bytesRelayed;
    private volatile String failure;

    private Relay(String host) throws IOException {
        eventListener = ServerSocketChannel.open().bind(new InetSocketAddress(host, 0));
        clientListener = ServerSocketChannel.open().bind(new InetSocketAddress(host, 0));
        thread = new Thread(this::relay, "relay-io");
        thread.setDaemon(true);
    }

    /** Binds free ports on {@code host} and waits for the client, then the source, in the background. */
    public static Relay start(String host) throws IOException {
        final Relay r = new Relay(host);
        r.thread.start();
        return r;
    }

    public int eventPort() {
        return eventListener.socket().getLocalPort();
    }

    public int clientPort() {
        return clientListener.socket().getLocalPort();
    }

    public long bytesRelayed() {
        return bytesRelayed;
    }

    /** Why relaying stopped early, or null. */
    public String failure() {
        return failure;
    }

    private void relay() {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        try {
            final SocketChannel to = clientListener.accept();
            client.set(to);
            to.setOption(StandardSocketOptions.TCP_NODELAY, true);
            final SocketChannel from = eventListener.accept();
            source.set(from);
            from.setOption(StandardSocketOptions.TCP_NODELAY, true);
            long relayed = 0;
            while (from.read(buffer.clear()) > 0) {
                buffer.flip();
                relayed += buffer.remaining();
                while (buffer.hasRemaining()) {
                    to.write(buffer);
                }
                bytesRelayed = relayed;
            }
            to.shutdownOutput();
        } catch (IOException e) {
            if (!closed) {
                failure = "relay failed: " + e;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(eventListener);
        closeQuietly(clientListener);
        closeQuietly(source.get());
        closeQuietly(client.get());
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(java.nio.channels.Channel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
