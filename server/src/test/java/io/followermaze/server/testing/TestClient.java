package io.followermaze.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A blocking test client of the client port: sends its id line, then a reader thread collects every byte the
 * server sends until end of stream. Tests wait on conditions ({@link #awaitClosed}), never on sleeps.
 */
public final class TestClient implements AutoCloseable {
    private final long userId;
    private final Socket socket;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final Thread reader;
    private volatile IOException failure;

    public TestClient(int port, long userId, String idLineEnd) throws IOException {
        this(connect(port), userId, idLineEnd);
    }

    /** Over an already connected socket (e.g. a TLS one). */
    public TestClient(Socket connected, long userId, String idLineEnd) throws IOException {
        this.userId = userId;
        this.socket = connected;
        socket.setTcpNoDelay(true);
        socket.getOutputStream().write((userId + idLineEnd).getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        this.reader = new Thread(this::readUntilEof, "test-client-" + userId);
        reader.setDaemon(true);
        reader.start();
    }

    private static Socket connect(int port) throws IOException {
        final Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        return s;
    }

    private void readUntilEof() {
        final byte[] buf = new byte[64 * 1024];
        try (InputStream in = socket.getInputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (received) {
                    received.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            if (!socket.isClosed()) {
                failure = e;
            }
        }
    }

    public long userId() {
        return userId;
    }

    /** Waits until the server closes the connection (end of stream); fails after {@code limit}. */
    public void awaitClosed(Duration limit) throws InterruptedException {
        reader.join(limit.toMillis());
        if (reader.isAlive()) {
            throw new AssertionError("client " + userId + " still open after " + limit + "; received "
                + receivedBytes().length + " bytes");
        }
        if (failure != null) {
            throw new AssertionError("client " + userId + " read failed", failure);
        }
    }

    public byte[] receivedBytes() {
        synchronized (received) {
            return received.toByteArray();
        }
    }

    public int receivedLength() {
        synchronized (received) {
            return received.size();
        }
    }

    public String received() {
        return new String(receivedBytes(), StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
