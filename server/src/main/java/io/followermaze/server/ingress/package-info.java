/**
 * What comes in from the network: {@link io.followermaze.server.ingress.EventSourceHandler} frames an event
 * source's bytes into whole lines and publishes them into the ingress ring;
 * {@link io.followermaze.server.ingress.ClientRegistrationHandler} reads a client's user id and publishes its
 * registration (and, at close, its unregistration); {@link io.followermaze.server.ingress.RingTurns} gives the
 * sources fair turns while the ring is full; {@link io.followermaze.server.ingress.EventSourceIdleCloser} closes
 * silent sources.
 * <p>
 * Threads: each handler belongs to one connection and runs on that connection's Netty event loop
 * ({@code followermaze-io}); it never waits on the ring (the pipeline thread may be waiting for that same loop to
 * drain a client): when the ring is full it retries shortly on its loop, and an event source stops reading
 * meanwhile. A server's {@code RingTurns} queue is shared by all its loops (a concurrent queue; each source's own
 * flag is touched on its loop only).
 */
package io.followermaze.server.ingress;
