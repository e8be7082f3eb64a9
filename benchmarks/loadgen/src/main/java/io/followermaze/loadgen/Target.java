package io.followermaze.loadgen;

import io.followermaze.loadgen.probe.ServerProbe;

import java.util.List;
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
 * @param clientPorts    the client ports the clients are spread over, round robin (fan-out nodes of a cluster);
 *                       the first is {@code clientPort}
 */
public record Target(String label, String host, int eventPort, int clientPort, BooleanSupplier ready,
                     LongSupplier eventBytesRead, ServerProbe probe, List<Integer> clientPorts) {

    public Target {
        clientPorts = clientPorts == null || clientPorts.isEmpty() ? List.of(clientPort) : List.copyOf(clientPorts);
        if (clientPorts.get(0) != clientPort) {
            throw new IllegalArgumentException("the first of clientPorts must be clientPort");
        }
    }

    /** One client port. */
    public Target(String label, String host, int eventPort, int clientPort, BooleanSupplier ready,
                  LongSupplier eventBytesRead, ServerProbe probe) {
        this(label, host, eventPort, clientPort, ready, eventBytesRead, probe, List.of(clientPort));
    }

    /** A cluster elsewhere: one event port (the ingest node), clients spread over {@code clientPorts}. */
    public static Target remote(String host, int eventPort, List<Integer> clientPorts, ServerProbe probe) {
        return new Target("server", host, eventPort, clientPorts.get(0), null, null, probe, clientPorts);
    }

    /** A server elsewhere: settle time instead of readiness, optional probe. */
    public static Target remote(String host, int eventPort, int clientPort, ServerProbe probe) {
        return new Target("server", host, eventPort, clientPort, null, null, probe);
    }
}
