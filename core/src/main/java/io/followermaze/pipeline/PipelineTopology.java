package io.followermaze.pipeline;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.EventHandlerGroup;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The Disruptor stages behind the ingress ring and what each waits for. Stages form a chain: each one sees an entry
 * only after every stage before it has finished with it (a sequence barrier on the one before), each on its own
 * thread. Today there is one stage:
 *
 * <pre>
 *  event-source connections ─(whole lines)─┐
 *  client registrations ───────────────────┼─► ingress ring ─► sequence-route ─► egress (at batch end)
 *  gap-timeout ticker ─────────────────────┘    (arrival order)  parse → resequence → graph → route
 * </pre>
 *
 * A stage that must see input first is put {@link #before} it: the journal stage with {@code --journal-dir}
 * ({@code io.followermaze.journal.Journaller}: nothing is routed before it is written down), or a log producer. {@link #picture()} draws the chain as wired, and a test keeps the picture above
 * in step with it.
 */
public final class PipelineTopology {

    /** A named stage; its handler runs on its own thread. */
    public record Stage(String name, EventHandler<IngressEntry> handler) {
        public Stage {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(handler, "handler");
        }
    }

    /** The name of the stage that parses, resequences, keeps the graph and routes. */
    public static final String SEQUENCE_ROUTE = "sequence-route";

    private final List<Stage> chain;

    private PipelineTopology(List<Stage> chain) {
        this.chain = List.copyOf(chain);
    }

    /** A chain of one stage. */
    public static PipelineTopology of(Stage last) {
        return new PipelineTopology(List.of(last));
    }

    /** This chain with {@code stage} ahead of all of it: it sees every entry before any stage of this chain. */
    public PipelineTopology before(Stage stage) {
        final List<Stage> longer = new ArrayList<>(chain.size() + 1);
        longer.add(stage);
        longer.addAll(chain);
        return new PipelineTopology(longer);
    }

    /** The stages in the order an entry passes them. */
    public List<Stage> stages() {
        return chain;
    }

    /** Wires the chain into {@code disruptor} (before it starts): each stage gated on the one before. */
    void wire(Disruptor<IngressEntry> disruptor) {
        EventHandlerGroup<IngressEntry> group = null;
        for (Stage stage : chain) {
            group = group == null ? disruptor.handleEventsWith(stage.handler()) : group.then(stage.handler());
        }
    }

    /** The chain as wired, e.g. {@code ingress ring ─► journal ─► sequence-route ─► egress}. */
    public String picture() {
        final StringBuilder sb = new StringBuilder("ingress ring");
        for (Stage stage : chain) {
            sb.append(" ─► ").append(stage.name());
        }
        return sb.append(" ─► egress").toString();
    }

    @Override
    public String toString() {
        return picture();
    }
}
