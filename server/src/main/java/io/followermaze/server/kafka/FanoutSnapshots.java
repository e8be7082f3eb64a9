package io.followermaze.server.kafka;

import io.followermaze.pipeline.SequenceRouteStage;
import io.followermaze.snapshot.Snapshot;
import io.followermaze.snapshot.SnapshotStore;
import io.followermaze.snapshot.SnapshotWriter;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A fan-out node's snapshots ({@code --journal-dir} with {@code --role fanout}: snapshots only, no journal). At start
 * {@link #resume} restores the newest good snapshot of this topic into the stage and answers the offset each
 * partition resumes at; a snapshot that can not be completed from the log (retention deleted records after its
 * offsets, or the topic is shorter than they say) is logged and the topic is replayed from its beginning instead.
 * After catch-up {@link #schedule} makes the stage take snapshots holding the next offset of every partition. Used
 * by the thread that builds the pipeline, then by the pipeline and snapshot threads through the stage.
 */
final class FanoutSnapshots implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FanoutSnapshots.class);

    /** Where a fan-out node resumed: the snapshot file (null: from the beginning) and its offsets. */
    record Resume(Path file, long[] offsets, long released) {
        static final Resume BEGINNING = new Resume(null, new long[0], 0);

        /** Log records before the resume point (the sum of the offsets). */
        long records() {
            return Arrays.stream(offsets).sum();
        }
    }

    private final SnapshotStore store;
    private final long every;
    private final String topic;
    private FileChannel lock;

    FanoutSnapshots(Path dir, long every, String topic) {
        this.store = new SnapshotStore(dir);
        this.every = every;
        this.topic = topic;
    }

    /**
     * Locks the directory, restores the newest usable snapshot into {@code stage} (before any record is replayed).
     *
     * @param start the log start offset of every partition, {@code end} its end offset, both read now
     * @return where each partition resumes; {@link Resume#BEGINNING} to replay the topic from its start
     */
    Resume resume(SequenceRouteStage stage, List<TopicPartition> partitions, Map<TopicPartition, Long> start,
                  Map<TopicPartition, Long> end) {
        final Snapshot s = new Snapshot();
        final Path file;
        try {
            lock = store.lock("snapshot directory");
            file = store.loadNewestGood(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (file == null) {
            LOG.info("Fan-out: no snapshot in {}; replaying topic '{}' from the beginning", store.dir(), topic);
            return Resume.BEGINNING;
        }
        if (!topic.equals(s.logTopic)) {
            LOG.warn("Fan-out: snapshot {} is not one of topic '{}' ({}); replaying the topic from the beginning",
                file, topic, s.logTopic == null ? "a journal's snapshot" : "topic '" + s.logTopic + "'");
            return Resume.BEGINNING;
        }
        if (s.logOffsets.length > partitions.size()) {
            LOG.warn("Fan-out: snapshot {} has offsets for {} partitions, topic '{}' has {}; replaying the topic from "
                + "the beginning", file, s.logOffsets.length, topic, partitions.size());
            return Resume.BEGINNING;
        }
        final long[] offsets = new long[partitions.size()]; // a partition added since the snapshot starts at 0
        System.arraycopy(s.logOffsets, 0, offsets, 0, s.logOffsets.length);
        for (TopicPartition tp : partitions) {
            final long at = offsets[tp.partition()];
            if (at < start.get(tp)) {
                LOG.error("Fan-out: snapshot {} resumes partition {} at offset {}, but the log now starts at {}: "
                        + "retention deleted records this node never read, so this snapshot can not be completed",
                    file, tp, at, start.get(tp));
                return Resume.BEGINNING;
            }
            if (at > end.get(tp)) {
                LOG.error("Fan-out: snapshot {} resumes partition {} at offset {}, past the log's end {} (was the "
                    + "topic re-created?); replaying the topic from the beginning", file, tp, at, end.get(tp));
                return Resume.BEGINNING;
            }
        }
        stage.restore(s);
        LOG.info("Fan-out: resuming from snapshot {} ({}): topic '{}' at offsets {} ({} records not read again)",
            file.getFileName(), s, topic, Arrays.toString(offsets), Arrays.stream(offsets).sum());
        return new Resume(file, offsets, s.released);
    }

    /** After catch-up: snapshots every {@code every} released events, resuming at {@code offsets}. */
    void schedule(SequenceRouteStage stage, Resume from, long[] offsets) {
        stage.snapshotEvery(every, new SnapshotWriter(store, (written, fallback) -> { }), from.released(), topic,
            offsets);
    }

    /** Releases the directory lock (the stage closed the writer at its shutdown). */
    @Override
    public void close() {
        if (lock != null) {
            try {
                lock.close();
            } catch (IOException e) {
                LOG.warn("Fan-out: releasing the lock of {} failed: {}", store.dir(), e.toString());
            }
        }
    }
}
