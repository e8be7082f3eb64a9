/**
 * Checking what clients receive: each client's {@link io.followermaze.loadgen.verify.Expectation} holds the bytes it
 * must still receive; {@link io.followermaze.loadgen.verify.ClientReader} reads a share of the client connections
 * and checks them, byte for byte, with a {@link io.followermaze.loadgen.verify.ClientVerifier} each;
 * {@link io.followermaze.loadgen.verify.LatencyRecorder} keeps delivery-latency samples.
 * <p>
 * Threads: an {@code Expectation} is a single-producer single-consumer ring between the source thread (which
 * appends and publishes) and the one reader thread that owns the client; everything else here belongs to one
 * reader thread ({@code loadgen-reader-N}). The orchestrating thread merges the latency samples once the readers
 * have stopped.
 */
package io.followermaze.loadgen.verify;
