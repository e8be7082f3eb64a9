package io.followermaze.loadgen.stream;

/**
 * Told, for each generated event, which connected clients the protocol says must receive it.
 * The line handed over is the notification exactly as the client must read it: payload then {@code \r\n}.
 */
@FunctionalInterface
public interface RecipientSink {
    RecipientSink NONE = (client, line, offset, length) -> { };

    /** @param client index of the connected client (0..concurrency-1), not its user id */
    void recipient(int client, byte[] line, int offset, int length);
}
