package io.followermaze.loadgen;

import io.followermaze.loadgen.probe.ServerProbe;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The server a run talks to, and what the run can observe of it.
 *
 * @param label          names the run in the report ("server", "null server")
 * @param ready          true once the server has taken every client's registration (in-process servers);
 *                       null to wait the configured settle time instead
 * @param eventBytesRead bytes the server has read from the event source (the null server); null if unknown.
 *                       Without verification a run ends when the server has read everything sent.
 * @param probe          the server's CPU and memory
 */
public record Target(String label, String host, int eventPort, int clientPort, BooleanSupplier ready,
                     LongSupplier eventBytesRead, ServerProbe probe) {

    /** A server elsewhere: settle time instead of readiness, optional probe. */
    public static Target remote(String host, int eventPort, int clientPort, ServerProbe probe) {
        return new Target("server", host, eventPort, clientPort, null, null, probe);
    }
}
