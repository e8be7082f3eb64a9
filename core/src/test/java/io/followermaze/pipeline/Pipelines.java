package io.followermaze.pipeline;

import io.followermaze.ingress.LineFramer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Pipelines a test starts, closed together after it (register with {@code @RegisterExtension}), and the small inputs
 * tests feed them.
 */
final class Pipelines implements AutoCloseable, AfterEachCallback {
    private final List<Pipeline> started = new ArrayList<>();

    /** A pipeline with no egress, closed by {@link #close()}. */
    Pipeline start(PipelineConfig config) {
        final Pipeline p = new Pipeline(config, EgressListener.NONE);
        started.add(p);
        return p;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        for (Pipeline p : started) {
            p.close();
        }
    }

    /** Publishes {@code text} (whole lines) as event lines. */
    static void publish(Pipeline p, String text) {
        final byte[] wire = text.getBytes(StandardCharsets.ISO_8859_1);
        LineFramer.publishAll(p, wire, 0, wire.length);
    }

    /** Publishes each line with its line end. */
    static void publishLines(Pipeline p, List<String> lines) {
        final StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            sb.append(line).append('\n');
        }
        publish(p, sb.toString());
    }

    /** Broadcasts {@code firstSeq|B} .. {@code lastSeq|B}, without line ends. */
    static List<String> broadcasts(long firstSeq, long lastSeq) {
        final List<String> out = new ArrayList<>();
        for (long s = firstSeq; s <= lastSeq; s++) {
            out.add(s + "|B");
        }
        return out;
    }
}
