/**
 * Observation over HTTP: {@link io.followermaze.server.metrics.MetricsEndpoint} serves {@code GET /metrics}
 * (Prometheus text) and {@code GET /health} through {@link io.followermaze.server.metrics.MetricsHttpHandler};
 * {@link io.followermaze.server.metrics.ServerMetrics} binds the server's counters to the Micrometer registry;
 * {@link io.followermaze.server.metrics.HealthCheck} decides UP or DOWN.
 * <p>
 * Threads: everything here runs on the endpoint's own single event loop ({@code followermaze-metrics}), the only
 * writer of its mutable state (open connections, deadlines, health samples), off the hot path. The values it
 * reports are read at scrape time from counters that their owning threads (pipeline thread, event loops) write.
 */
package io.followermaze.server.metrics;
