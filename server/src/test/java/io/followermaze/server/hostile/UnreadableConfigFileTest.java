package io.followermaze.server.hostile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Probe finding: {@code serve --config FILE} (or {@code FOLLOWERMAZE_CONFIG}) naming a file that can not be read
 * ended with a picocli {@code InitializationException} stack trace ("java.lang.Object@… is not a command") and exit
 * status 1, where docs/operations.md promises exit status 2 and the one line
 * {@code followermaze: cannot read configuration file …}.
 */
class UnreadableConfigFileTest {

    private static void assertCannotRead(Path config, boolean viaEnvironment) throws Exception {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
            "-cp", System.getProperty("java.class.path"), "io.followermaze.server.cli.Main", "serve",
            "--bind", "127.0.0.1", "--event-port", "0", "--client-port", "0", "--status-interval-ms", "0"));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("FOLLOWERMAZE_"));
        if (viaEnvironment) {
            builder.environment().put("FOLLOWERMAZE_CONFIG", config.toString());
        } else {
            command.addAll(List.of("--config", config.toString()));
            builder.command(command);
        }
        final Process p = builder.start();
        try {
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8); // until exit
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
            assertEquals(2, p.exitValue(), out);
            assertTrue(out.contains("followermaze: cannot read configuration file " + config), out);
            assertFalse(out.contains("Exception"), out);
            assertFalse(out.contains("listening"), out);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aMissingConfigFileIsAStartUpError(@TempDir Path dir) throws Exception {
        assertCannotRead(dir.resolve("missing.properties"), false);
        assertCannotRead(dir.resolve("missing.properties"), true);
        assertCannotRead(dir, false); // a directory
    }
}
