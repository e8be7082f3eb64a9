/**
 * The server: {@link io.followermaze.server.FollowerMazeServer} puts two Netty listeners (event sources, clients)
 * in front of one core {@code Pipeline} and the egress, and starts and stops them in order;
 * {@link io.followermaze.server.ServerConfig}, {@link io.followermaze.server.TlsConfig} and
 * {@link io.followermaze.server.Transport} say how; {@link io.followermaze.server.ClientCap} and
 * {@link io.followermaze.server.AcceptGuard} bound the connections open at once.
 * <p>
 * Threads: {@code start()} and {@code close()} run on the caller's thread (in {@code serve}, the main thread and the
 * shutdown hook). The one accept thread ({@code followermaze-accept}) runs the guards: a guard's slot count is
 * taken there and given back by the connection's close, hence atomics. Connections then live on the
 * {@code followermaze-io} event loops (see the {@code ingress} and {@code egress} packages), the pipeline on
 * {@code followermaze-pipeline}. The configuration records are immutable; the connection counters are atomics read
 * by any thread.
 */
package io.followermaze.server;
