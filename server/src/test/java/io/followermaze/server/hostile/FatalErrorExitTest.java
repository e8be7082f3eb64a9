package io.followermaze.server.hostile;

import io.followermaze.server.PipelineThread;
import io.followermaze.server.cli.ServeCommand;
import io.followermaze.server.testing.ServerProcess;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash-only (issue 8): the real command, its graph budget switched off and its heap small, fed follows between
 * fresh ids until the heap runs out inside the pipeline. Before, the seq being routed was lost, the cursor stopped
 * for good and the process lived on with /health UP; now it logs one clear line and exits with status 70.
 */
class FatalErrorExitTest {
    private static final Duration LIMIT = Duration.ofSeconds(120);

    @ParameterizedTest
    @EnumSource(PipelineThread.class)
    void outOfMemoryInThePipelineExitsTheProcess(PipelineThread thread) throws Exception {
        try (ServerProcess server = ServerProcess.start(List.of("-Xmx64m", "-XX:+UseSerialGC"),
            List.of("--max-users", "1000000000000", "--max-follows", "1000000000000", "--pipeline-thread",
                thread.configName()), LIMIT)) {
            final Thread feeder = new Thread(() -> feedFreshFollows(server.eventPort()), "fresh-follows");
            feeder.setDaemon(true);
            feeder.start();
            assertTrue(server.process().waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS),
                "the server exits\n" + server.outputText());
            assertEquals(ServeCommand.FATAL_EXIT_STATUS, server.process().exitValue(), server.outputText());
            assertTrue(server.outputText().contains("FATAL: the pipeline failed"), server.outputText());
        }
    }

    /** Follows between ids never seen before, each creating two users, until the server goes away. */
    private static void feedFreshFollows(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            final OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
            final long base = 1_000_000_000L;
            for (long seq = 1; seq <= 50_000_000L; seq++) {
                out.write((seq + "|F|" + (base + 2 * seq) + "|" + (base + 2 * seq + 1) + "\n")
                    .getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
        } catch (IOException expected) {
            // the server exited
        }
    }
}
