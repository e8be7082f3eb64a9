package io.followermaze.server.metrics;

import io.followermaze.pipeline.PipelineStats;
import io.followermaze.server.FollowerMazeServer;
import io.followermaze.journal.Journal;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

import java.util.function.DoubleSupplier;
import java.util.function.ToDoubleFunction;

/**
 * Binds the server's own counters to a Micrometer registry as function counters and gauges: the values are
 * read when scraped, so the per-event path pays nothing beyond the single-writer counters it keeps anyway.
 */
public final class ServerMetrics {
    private ServerMetrics() {
    }

    public static void bind(FollowerMazeServer server, MeterRegistry registry) {
        if (server.pipeline() != null) { // --role ingest has none
            for (PipelineStats.Stat stat : server.pipeline().stats().all()) {
                bind(registry, stat);
            }
        }
        counter(registry, "followermaze.clients.slow.disconnects", "Clients cut off for not keeping up", server,
            FollowerMazeServer::slowConsumersCutOff);
        counter(registry, "followermaze.clients.budget.disconnects",
            "Clients cut off (largest backlog first) because all clients together held more than the total budget",
            server, FollowerMazeServer::budgetCutOffs);
        counter(registry, "followermaze.clients.stalled",
            "Congested clients no longer waited for (drained nothing for the stall time, or past the grace period)",
            server, FollowerMazeServer::clientsStalled);
        gauge(registry, "followermaze.outbound.bytes", "Notification bytes held for clients (direct memory)", server,
            FollowerMazeServer::outboundBytes);
        gauge(registry, "followermaze.outbound.budget.bytes", "Total outbound budget (--max-total-outbound-bytes)",
            server, FollowerMazeServer::maxTotalOutboundBytes);
        counter(registry, "followermaze.backpressure.waits", "Times the pipeline waited for congested clients", server,
            FollowerMazeServer::congestionWaits);
        counter(registry, "followermaze.event.sources.connections", "Event-source connections accepted", server,
            FollowerMazeServer::eventSourceConnections);

        gauge(registry, "followermaze.event.sources.open", "Event-source connections open", server,
            FollowerMazeServer::openEventSources);

        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);

        // Connection caps (issue 8): refusals, idle closes, failed accepts, and the client cap in force.
        counter(registry, "followermaze.clients.refused",
            "Client connections refused at the client cap (--max-clients, clamped to the fd limit)", server,
            FollowerMazeServer::clientsRefused);
        counter(registry, "followermaze.event.sources.refused",
            "Event-source connections refused at --max-event-sources", server, FollowerMazeServer::eventSourcesRefused);
        counter(registry, "followermaze.event.sources.idle.closed",
            "Event sources closed for sending nothing within --event-source-idle-timeout-ms", server,
            FollowerMazeServer::eventSourcesIdleClosed);
        counter(registry, "followermaze.accept.failures", "Accepts that failed (e.g. out of file descriptors)", server,
            FollowerMazeServer::acceptFailures);
        gauge(registry, "followermaze.clients.limit",
            "Client connections allowed at once: --max-clients clamped to the fd limit", server,
            FollowerMazeServer::effectiveMaxClients);
        new FileDescriptorMetrics().bindTo(registry); // process_files_open_files, process_files_max_files

        if (server.logFeed() != null) { // --role fanout
            gauge(registry, "followermaze.log.lag.records",
                "Records in the Kafka log not yet taken into this fan-out node's ring (-1 until known)", server,
                s -> s.logFeed().lagRecords());
            counter(registry, "followermaze.log.records.consumed", "Kafka records replayed or published into the ring",
                server, s -> s.logFeed().recordsConsumed());
            gauge(registry, "followermaze.log.resumed.records",
                "Kafka records not read at start because the snapshot resumed from held their effect (0: from the "
                    + "beginning)", server, s -> s.logFeed().resumedFromRecords());
        }
        if (server.logSink() != null) { // --role ingest
            counter(registry, "followermaze.log.records.acked", "Event-line records acknowledged by Kafka", server,
                s -> s.logSink().recordsAcked());
            counter(registry, "followermaze.log.records.failed", "Event-line records Kafka refused for good (fatal)",
                server, s -> s.logSink().recordsFailed());
            counter(registry, "followermaze.log.records.resent",
                "Event-line records sent again after a passing failure (broker away, delivery timeout)", server,
                s -> s.logSink().recordsResent());
        }
        if (server.journal() != null) { // --journal-dir
            final Journal journal = server.journal();
            counter(registry, "followermaze.journal.written.bytes", "Bytes the journal has written since start", journal,
                j -> j.writer() == null ? 0 : j.writer().bytesWritten());
            counter(registry, "followermaze.journal.writes", "Journal write calls since start", journal,
                j -> j.writer() == null ? 0 : j.writer().writes());
            counter(registry, "followermaze.journal.fsyncs", "Journal fsyncs since start", journal,
                j -> j.writer() == null ? 0 : j.writer().forces());
        }
    }

    private static void bind(MeterRegistry registry, PipelineStats.Stat stat) {
        final String[] tag = stat.tag() == null ? new String[0] : stat.tag().split("=", 2);
        final DoubleSupplier value = stat.value();
        if (stat.kind() == PipelineStats.Kind.COUNTER) {
            FunctionCounter.builder(stat.name(), value, DoubleSupplier::getAsDouble).description(stat.help()).tags(tag)
                .register(registry);
        } else {
            Gauge.builder(stat.name(), value, DoubleSupplier::getAsDouble).description(stat.help()).tags(tag)
                .register(registry);
        }
    }

    private static <T> void counter(MeterRegistry r, String name, String help, T obj, ToDoubleFunction<T> f) {
        FunctionCounter.builder(name, obj, f).description(help).register(r);
    }

    private static <T> void gauge(MeterRegistry r, String name, String help, T obj, ToDoubleFunction<T> f) {
        Gauge.builder(name, obj, f).description(help).register(r);
    }
}
