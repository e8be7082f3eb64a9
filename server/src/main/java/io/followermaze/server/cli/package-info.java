/**
 * The command line of the server jar: {@link io.followermaze.server.cli.Main} ({@code followermaze}) and
 * {@link io.followermaze.server.cli.ServeCommand} ({@code serve}), whose configuration options are declared once
 * each in {@link io.followermaze.server.cli.ServeOptions} and whose defaults come from the environment, a
 * {@code --config} properties file and a {@link io.followermaze.server.cli.Profile} (a typed preset), read ahead of
 * parsing by {@link io.followermaze.server.cli.ConfigDefaults}; and {@link io.followermaze.server.cli.StatusReporter}, the
 * periodic progress line. The tools jar reuses {@code serve} and {@link io.followermaze.server.cli.Main#execute}.
 * <p>
 * Threads: parsing and start-up run on the main thread, which then waits until the shutdown hook
 * ({@code followermaze-shutdown}, on a signal) has stopped the server; the progress line runs on its own timer
 * thread ({@code followermaze-status}), reading the pipeline's counters. A fatal pipeline error, reported on the
 * pipeline thread, exits through a thread of its own, with a watchdog that halts the JVM should the exit hang.
 */
package io.followermaze.server.cli;
