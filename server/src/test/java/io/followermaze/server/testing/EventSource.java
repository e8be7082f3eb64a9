package io.followermaze.server.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/** Opens one event-source connection, writes the bytes and closes it. */
public final class EventSource {
    private EventSource() {
    }

    public static void send(int port, byte[] bytes) throws IOException {
        send(port, bytes, 0, bytes.length);
    }

    public static void send(int port, byte[] bytes, int offset, int length) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            final OutputStream out = s.getOutputStream();
            out.write(bytes, offset, length);
            out.flush();
            s.shutdownOutput();
        }
    }
}
