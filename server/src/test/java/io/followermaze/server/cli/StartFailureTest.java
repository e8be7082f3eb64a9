package io.followermaze.server.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A start that fails (here: the event port is taken) is one clear line and exit status 70, not a stack trace. */
class StartFailureTest {

    @Test
    void aPortInUseIsOneLineAndStatus70() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            final int port = taken.getLocalPort();
            final Process p = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dlogback.configurationFile=logback.xml", "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), "io.followermaze.server.cli.Main", "serve",
                "--bind", "127.0.0.1", "--event-port", String.valueOf(port), "--client-port", "0",
                "--status-interval-ms", "0"))
                .redirectErrorStream(true).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the server exits instead of hanging");
            final String out = read(p);
            assertEquals(ServeCommand.FATAL_EXIT_STATUS, p.exitValue(), out);
            assertTrue(out.contains("followermaze: cannot start: cannot listen on /127.0.0.1:" + port), out);
            assertFalse(out.contains("\tat "), "no stack trace:\n" + out);
        }
    }

    private static String read(Process p) throws IOException {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
