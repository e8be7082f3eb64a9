/**
 * One load run end to end, playing the reference test program's part: {@link io.followermaze.loadgen.LoadRun}
 * connects the clients, streams the events and waits until every client has received what it should;
 * {@link io.followermaze.loadgen.LoadgenConfig} and {@link io.followermaze.loadgen.Target} say how and against
 * what; {@link io.followermaze.loadgen.RunResult} and {@link io.followermaze.loadgen.ReportTable} report it.
 * <p>
 * Threads: the caller's thread orchestrates (connects, samples the server probe, waits, reports); one source thread
 * ({@code loadgen-source}) generates and writes the stream; reader threads ({@code loadgen-reader-N}) read and
 * verify the client connections; a progress thread ({@code loadgen-progress}) prints while it streams.
 * {@link io.followermaze.loadgen.RunControl} is the state they share (first failure, progress, drain); the
 * configuration and results are immutable.
 */
package io.followermaze.loadgen;
