package io.followermaze.bench;

import com.lmax.disruptor.EventTranslatorOneArg;
import io.followermaze.pipeline.IngressEntry;
import io.followermaze.pipeline.IngressPublisher;
import io.followermaze.pipeline.PipelineConfig;

/**
 * Preallocated ring entries filled in order, without a ring: the server's framing ({@code LineFramer}) publishes
 * into it in a benchmark's un-timed set-up, and the timed part hands the entries to the stage.
 */
final class EntryArray implements IngressPublisher {
    private final PipelineConfig config;
    private final IngressEntry[] entries;
    private int count;

    EntryArray(PipelineConfig config, int capacity) {
        this.config = config;
        this.entries = new IngressEntry[capacity];
        for (int i = 0; i < capacity; i++) {
            entries[i] = new IngressEntry(config.chunkBytes());
        }
    }

    @Override
    public PipelineConfig config() {
        return config;
    }

    @Override
    public <A> Outcome tryPublish(EventTranslatorOneArg<IngressEntry, A> translator, A arg) {
        if (count == entries.length) {
            throw new IllegalStateException("more than " + entries.length + " entries");
        }
        translator.translateTo(entries[count], count, arg);
        count++;
        return Outcome.PUBLISHED;
    }

    void clear() {
        count = 0;
    }

    int count() {
        return count;
    }

    IngressEntry get(int i) {
        return entries[i];
    }
}
