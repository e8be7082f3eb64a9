/**
 * The command line of the tools jar: {@link io.followermaze.loadgen.cli.ToolsMain} with {@code serve} (the server
 * jar's command), {@link io.followermaze.loadgen.cli.LoadgenCommand} ({@code loadgen}: a run against a running
 * server, the null server, or both) and {@link io.followermaze.loadgen.cli.DemoCommand} ({@code demo}: a server in
 * this JVM and a verified run against it).
 * <p>
 * Threads: each command runs on the main thread, which orchestrates the runs (see the {@code loadgen} package for
 * the threads a run starts); {@code demo}'s in-process server has its own threads, as under {@code serve}.
 */
package io.followermaze.loadgen.cli;
