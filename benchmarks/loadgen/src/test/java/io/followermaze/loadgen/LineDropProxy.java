package io.followermaze.loadgen;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * A fault-injecting TCP proxy: forwards every connection to an upstream port, byte for byte, except that the
 * first whole line (in the chosen direction, across all connections) matching a predicate is dropped.
 */
final class LineDropProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int upstreamPort;
    private final boolean filterUpstream;
    private final Predicate<String> drop;
    private final AtomicBoolean dropped = new AtomicBoolean();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile String droppedLine;

    /**
     * @param filterUpstream true to filter what the client side sends (e.g. events), false to filter what the
     *                       server sends back (notifications)
     */
    LineDropProxy(int upstreamPort, boolean filterUpstream, Predicate<String> drop) throws IOException {
        this.listener = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        this.upstreamPort = upstreamPort;
        this.filterUpstream = filterUpstream;
        this.drop = drop;
        final Thread acceptor = new Thread(this::accept, "proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The line dropped, or null if none matched yet. */
    String droppedLine() {
        return droppedLine;
    }

    private void accept() {
        try {
            while (true) {
                final Socket down = listener.accept();
                final Socket up = new Socket();
                up.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort));
                down.setTcpNoDelay(true);
                up.setTcpNoDelay(true);
                sockets.add(down);
                sockets.add(up);
                pump(down, up, filterUpstream);
                pump(up, down, !filterUpstream);
            }
        } catch (IOException closed) {
            // listener closed
        }
    }

    private void pump(Socket from, Socket to, boolean filter) {
        final Thread t = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                if (filter) {
                    filterLines(in, out);
                } else {
                    in.transferTo(out);
                }
            } catch (IOException closed) {
                // either side went away
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void filterLines(InputStream in, OutputStream out) throws IOException {
        final byte[] buf = new byte[16 * 1024];
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        final ByteArrayOutputStream pass = new ByteArrayOutputStream();
        int n;
        while ((n = in.read(buf)) > 0) {
            for (int i = 0; i < n; i++) {
                line.write(buf[i]);
                if (buf[i] == '\n') {
                    final String text = line.toString(StandardCharsets.US_ASCII);
                    if (!dropped.get() && drop.test(text) && dropped.compareAndSet(false, true)) {
                        droppedLine = text;
                    } else {
                        line.writeTo(pass);
                    }
                    line.reset();
                }
            }
            pass.writeTo(out);
            pass.reset();
            out.flush();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(LineDropProxy::closeQuietly);
    }
}
