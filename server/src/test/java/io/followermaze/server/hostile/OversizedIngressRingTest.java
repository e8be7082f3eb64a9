package io.followermaze.server.hostile;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Probe finding: {@code --ring-size} and {@code --chunk-bytes} had no upper bound, and the ingress ring
 * (ring-size × chunk-bytes bytes) is allocated at start. A ring larger than the heap ended the JVM with an
 * {@code OutOfMemoryError} (status 3 under the launcher's flags, 1 without), not with the documented start-up error:
 * exit status 2 and one line on stderr, before anything is bound.
 */
class OversizedIngressRingTest {

    private static Process serve(String... args) throws IOException {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-XX:+ExitOnOutOfMemoryError",
            "-cp", System.getProperty("java.class.path"), "io.followermaze.server.cli.Main", "serve",
            "--bind", "127.0.0.1", "--event-port", "0", "--client-port", "0", "--status-interval-ms", "0",
            "--max-users", "1000", "--max-follows", "1000", "--max-pending", "131072"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static void assertRefused(String... args) throws Exception {
        final Process p = serve(args);
        try {
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8); // until exit
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
            assertEquals(2, p.exitValue(), out);
            assertTrue(out.contains("Invalid configuration") && out.contains("--ring-size"), out);
            assertTrue(!out.contains("listening"), out);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aRingLargerThanTheHeapIsAConfigurationError() throws Exception {
        assertRefused("--ring-size", "1073741824");
        assertRefused("--ring-size", "65536", "--chunk-bytes", "65536");
        assertRefused("--chunk-bytes", "2147483647");
    }
}
