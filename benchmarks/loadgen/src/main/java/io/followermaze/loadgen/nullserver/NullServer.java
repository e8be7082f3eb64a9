package io.followermaze.loadgen.nullserver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A server that does nothing: it listens on an event port and a client port, reads and discards every byte
 * and never writes. Running the loadgen against it measures the generator and the sockets alone, the ceiling
 * any real server run on the same machine can be compared with. One selector thread.
 */
public final class NullServer implements AutoCloseable {
    private static final Object EVENTS = new Object();
    private static final Object CLIENTS = new Object();

    private final Selector selector;
    private final ServerSocketChannel eventListener;
    private final ServerSocketChannel clientListener;
    private final AtomicLong eventBytes = new AtomicLong();
    private final Thread thread;
    private volatile boolean closed;

    private NullServer(String host, int eventPort, int clientPort) throws IOException {
        selector = Selector.open();
        eventListener = listen(host, eventPort, EVENTS);
        clientListener = listen(host, clientPort, CLIENTS);
        thread = new Thread(this::loop, "nullserver-io");
        thread.setDaemon(true);
    }

    /** Binds both ports (0 picks free ones) and starts reading. */
    public static NullServer start(String host, int eventPort, int clientPort) throws IOException {
        final NullServer s = new NullServer(host, eventPort, clientPort);
        s.thread.start();
        return s;
    }

    private ServerSocketChannel listen(String host, int port, Object kind) throws IOException {
        final ServerSocketChannel ch = ServerSocketChannel.open();
        ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        ch.bind(new InetSocketAddress(host, port), 4096);
        ch.configureBlocking(false);
        ch.register(selector, SelectionKey.OP_ACCEPT, kind);
        return ch;
    }

    public int eventPort() {
        return eventListener.socket().getLocalPort();
    }

    public int clientPort() {
        return clientListener.socket().getLocalPort();
    }

    /** Bytes read from event sources so far. */
    public long eventBytesRead() {
        return eventBytes.get();
    }

    private void loop() {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
        try {
            while (!closed) {
                selector.select();
                final Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    final SelectionKey key = it.next();
                    it.remove();
                    if (key.isAcceptable()) {
                        final SocketChannel ch = ((ServerSocketChannel) key.channel()).accept();
                        if (ch != null) {
                            ch.configureBlocking(false);
                            ch.register(selector, SelectionKey.OP_READ, key.attachment());
                        }
                    } else if (key.isReadable()) {
                        drain(key, buffer);
                    }
                }
            }
        } catch (IOException e) {
            if (!closed) {
                System.err.println("null server failed: " + e);
            }
        }
    }

    private void drain(SelectionKey key, ByteBuffer buffer) {
        final SocketChannel ch = (SocketChannel) key.channel();
        final boolean events = key.attachment() == EVENTS;
        try {
            int n;
            while ((n = ch.read(buffer.clear())) > 0) {
                if (events) {
                    eventBytes.addAndGet(n);
                }
            }
            if (n < 0) {
                key.cancel();
                ch.close();
            }
        } catch (IOException e) {
            key.cancel();
            try {
                ch.close();
            } catch (IOException ignored) {
                // already broken
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
            selector.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
