package io.followermaze.ingress;

import com.lmax.disruptor.EventTranslatorOneArg;
import io.followermaze.pipeline.IngressEntry;
import io.followermaze.pipeline.IngressPublisher;
import io.followermaze.pipeline.PipelineConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** An {@link IngressPublisher} that keeps a copy of each entry's bytes, can be full or stopped on demand. */
final class RecordingRing implements IngressPublisher {
    private final PipelineConfig config;
    private final IngressEntry slot;
    final List<byte[]> entries = new ArrayList<>();
    /** Publishes left before the ring reports full; negative for no limit. */
    int room = -1;
    boolean stopped;

    RecordingRing(PipelineConfig config) {
        this.config = config;
        this.slot = new IngressEntry(config.chunkBytes());
    }

    @Override
    public PipelineConfig config() {
        return config;
    }

    @Override
    public <A> Outcome tryPublish(EventTranslatorOneArg<IngressEntry, A> translator, A arg) {
        if (stopped) {
            return Outcome.STOPPED;
        }
        if (room == 0) {
            return Outcome.RING_FULL;
        }
        if (room > 0) {
            room--;
        }
        translator.translateTo(slot, entries.size(), arg);
        entries.add(Arrays.copyOf(slot.bytes(), slot.length()));
        return Outcome.PUBLISHED;
    }
}
