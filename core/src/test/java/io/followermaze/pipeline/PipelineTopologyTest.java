package io.followermaze.pipeline;

import com.lmax.disruptor.EventHandler;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PipelineTopologyTest {

    @Test
    void todayThePipelineIsOneSequenceRouteStage() {
        try (Pipeline p = new Pipeline(PipelineTest.SMALL, EgressListener.NONE)) {
            assertEquals(List.of(PipelineTopology.SEQUENCE_ROUTE),
                p.topology().stages().stream().map(PipelineTopology.Stage::name).toList());
            assertEquals("ingress ring ─► sequence-route ─► egress", p.topology().picture());
        }
    }

    /** The Javadoc's picture is the one {@link PipelineTopology#picture()} draws for today's chain. */
    @Test
    void theJavadocPictureMatchesTheWiredChain() throws IOException {
        final String source = Files.readString(
            Path.of("src/main/java/io/followermaze/pipeline/PipelineTopology.java"), StandardCharsets.UTF_8);
        final String wired = PipelineTopology.of(new PipelineTopology.Stage(PipelineTopology.SEQUENCE_ROUTE,
            (entry, sequence, endOfBatch) -> { })).picture();
        // the picture's main line: ring, the stages in order, egress
        final String drawn = source.lines().filter(l -> l.contains("─► ingress ring")).findFirst().orElseThrow()
            .replaceAll("^.*─► (ingress ring.*egress).*$", "$1").replaceAll("\\s+", " ");
        assertEquals(wired, drawn);
    }

    /**
     * An upstream stage sees every entry before the sequence-route stage does: while it holds an entry back, nothing
     * of it is released; once it lets go, it is. This is the barrier the journal stage relies on.
     */
    @Test
    void anUpstreamStageGatesTheSequenceRouteStage() throws Exception {
        final AtomicLong allowed = new AtomicLong(-1); // highest ring sequence the gate may finish
        final AtomicLong holding = new AtomicLong(-1); // the ring sequence the gate is holding back
        final List<Long> seenByGate = new CopyOnWriteArrayList<>();
        final EventHandler<IngressEntry> gate = (entry, sequence, endOfBatch) -> {
            while (allowed.get() < sequence) {
                holding.set(sequence);
                Thread.onSpinWait();
            }
            seenByGate.add(sequence);
        };
        final PipelineTest.RecordingSession session = new PipelineTest.RecordingSession(1);
        try (Pipeline p = new Pipeline(PipelineTest.SMALL, EgressListener.NONE, Thread::new, ex -> { },
            List.of(new PipelineTopology.Stage("gate", gate)))) {
            assertEquals("ingress ring ─► gate ─► sequence-route ─► egress", p.topology().picture());
            p.register(session); // ring sequence 0
            Pipelines.publish(p, "1|B\n"); // 1
            allowed.set(1);
            PipelineTest.await(() -> p.stats().released() == 1, () -> "seq 1 released once the gate passed it");

            Pipelines.publish(p, "2|B\n"); // 2
            PipelineTest.await(() -> holding.get() == 2, () -> "the gate to hold entry 2");
            assertEquals(List.of("1|B"), session.receivedList(), "seq 2 waits for the gate");
            assertEquals(1, p.stats().released());

            allowed.set(2);
            PipelineTest.await(() -> p.stats().released() == 2, () -> "seq 2 released");
            assertEquals(List.of("1|B", "2|B"), session.receivedList());
            assertEquals(List.of(0L, 1L, 2L), seenByGate);
            assertTrue(p.isRunning());
        }
    }
}
