package io.followermaze.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;

/** A bare socket for sending arbitrary bytes and observing whether the server closes the connection. */
public final class RawClient implements AutoCloseable {
    private final Socket socket = new Socket();

    public RawClient(int port) throws IOException {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    }

    public RawClient send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    /**
     * Reads until the server closes the connection, discarding data; a reset counts as closed.
     * Fails if the connection is still open after {@code timeoutMillis}.
     */
    public void awaitClosedByServer(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        final byte[] buf = new byte[8192];
        try (InputStream in = socket.getInputStream()) {
            while (in.read(buf) >= 0) {
                // discard
            }
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("server did not close the connection within " + timeoutMillis + " ms");
        } catch (SocketException reset) {
            // closed by the server while we were writing or reading: what we wanted
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
