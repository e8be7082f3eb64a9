/**
 * What the server under test costs: {@link io.followermaze.loadgen.probe.ServerProbe} samples CPU time and peak
 * memory, from procfs for a server process on this host ({@link io.followermaze.loadgen.probe.ProcProbe}) or from
 * per-thread CPU time for a server in this JVM ({@link io.followermaze.loadgen.probe.ThreadCpuProbe}).
 * <p>
 * Threads: no state of its own between samples; the run's orchestrating thread takes one sample when streaming
 * starts and one when it ends.
 */
package io.followermaze.loadgen.probe;
