package io.followermaze.server.metrics;

import io.followermaze.graph.FollowerGraph.FollowResult;
import io.followermaze.pipeline.Pipeline;
import io.followermaze.protocol.ParseOutcome;
import io.followermaze.server.FollowerMazeServer;
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

import java.util.function.ToDoubleFunction;

/**
 * Binds the server's own counters to a Micrometer registry as function counters and gauges: the values are
 * read when scraped, so the per-event path pays nothing beyond the single-writer counters it keeps anyway.
 */
public final class ServerMetrics {
    private ServerMetrics() {
    }

    public static void bind(FollowerMazeServer server, MeterRegistry registry) {
        final Pipeline p = server.pipeline();
        counter(registry, "followermaze.events.received", "Event lines that reached the pipeline", p, Pipeline::linesReceived);
        // The pipeline thread counts a chunk's rejects as it meets them and its lines at the chunk's end, so a scrape
        // in between sees more rejected than received; a negative counter fails the whole scrape, hence the floor.
        counter(registry, "followermaze.events.parsed", "Event lines accepted (received minus rejected)", p,
            x -> Math.max(0, x.linesReceived() - x.rejectedTotal()));
        for (ParseOutcome reason : ParseOutcome.values()) {
            if (reason == ParseOutcome.ACCEPTED) {
                continue;
            }
            FunctionCounter.builder("followermaze.events.rejected", p, x -> rejected(server, x, reason))
                .description("Event lines dropped, by reason: malformed, truncated, or seq too far ahead")
                .tag("reason", reason.metricName())
                .register(registry);
        }
        counter(registry, "followermaze.events.released", "Events released in sequence order", p, Pipeline::released);
        for (FollowResult reason : new FollowResult[] {FollowResult.REJECTED_MAX_USERS, FollowResult.REJECTED_MAX_FOLLOWS}) {
            FunctionCounter.builder("followermaze.follows.rejected", p, x -> x.followsRejected(reason))
                .description("Follows not stored in the graph (still released and delivered), by budget")
                .tag("reason", reason.metricName())
                .register(registry);
        }
        counter(registry, "followermaze.events.duplicates", "Duplicate or late events dropped", p, Pipeline::duplicatesDropped);
        counter(registry, "followermaze.gaps.skipped", "Gaps in the sequence given up on", p, Pipeline::gapsSkipped);
        counter(registry, "followermaze.gaps.skipped.seqs", "Sequence numbers skipped over", p, Pipeline::seqsSkipped);
        counter(registry, "followermaze.notifications.sent", "Notifications handed to client connections", p,
            Pipeline::notificationsDelivered);
        counter(registry, "followermaze.notifications.dropped", "Notifications for users not connected", p,
            Pipeline::notificationsUndeliverable);
        counter(registry, "followermaze.pipeline.batches", "Disruptor batches processed", p, Pipeline::batches);
        counter(registry, "followermaze.pipeline.entries", "Ring entries processed (batches / entries = mean batch size)",
            p, Pipeline::ringEntries);
        counter(registry, "followermaze.pipeline.exceptions", "Failures inside the pipeline (logged, survived)", p,
            Pipeline::processorExceptions);
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

        gauge(registry, "followermaze.clients.connected", "Client connections registered", p, Pipeline::connectedSessions);
        gauge(registry, "followermaze.event.sources.open", "Event-source connections open", server,
            FollowerMazeServer::openEventSources);
        gauge(registry, "followermaze.graph.users", "Users in the follow graph (bounded by max-users)", p,
            Pipeline::graphUsers);
        gauge(registry, "followermaze.graph.follows", "Follow edges in the graph (bounded by max-follows)", p,
            Pipeline::graphFollows);
        gauge(registry, "followermaze.resequencer.pending", "Events held back waiting for an earlier seq", p,
            Pipeline::pending);
        gauge(registry, "followermaze.resequencer.next", "Next sequence number awaited (2^63 once 2^63-1 is released)", p,
            Pipeline::nextSeqExpected);
        gauge(registry, "followermaze.ring.remaining", "Free ingress ring entries", p, Pipeline::ringRemainingCapacity);

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
    }

    private static double rejected(FollowerMazeServer server, Pipeline p, ParseOutcome reason) {
        final long extra = reason == ParseOutcome.LINE_TOO_LONG ? server.overlongLines() : 0;
        return p.rejected(reason) + extra;
    }

    private static <T> void counter(MeterRegistry r, String name, String help, T obj, ToDoubleFunction<T> f) {
        FunctionCounter.builder(name, obj, f).description(help).register(r);
    }

    private static <T> void gauge(MeterRegistry r, String name, String help, T obj, ToDoubleFunction<T> f) {
        Gauge.builder(name, obj, f).description(help).register(r);
    }
}
