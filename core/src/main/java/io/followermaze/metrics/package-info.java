/**
 * The counter every core statistic is kept in: {@link io.followermaze.metrics.Counter}, one writer thread, any
 * number of readers, a release store per update and no lock.
 * <p>
 * Threads: each counter is written by the one thread that owns the structure holding it (the pipeline thread
 * for the pipeline's, resequencer's, graph's and router's; the server's egress keeps some too) and read by any
 * thread: the metrics scrape, the status line, health checks and tests.
 */
package io.followermaze.metrics;
