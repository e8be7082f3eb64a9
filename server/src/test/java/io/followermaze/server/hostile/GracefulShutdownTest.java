package io.followermaze.server.hostile;

import io.followermaze.server.PipelineThread;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.EventSource;
import io.followermaze.server.testing.Expectations;
import io.followermaze.server.testing.Prometheus;
import io.followermaze.server.testing.TestClient;
import io.followermaze.testkit.EventStreamGenerator;
import io.followermaze.testkit.NaiveFollowerModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real command in its own JVM, stopped with SIGTERM right after the last event is released: every
 * notification released before the signal reaches its client before the connection closes.
 */
class GracefulShutdownTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final Pattern PORTS = Pattern.compile("events on [^:]+:(\\d+), clients on [^:]+:(\\d+)");
    private static final Pattern METRICS = Pattern.compile("Metrics on http://[^:]+:(\\d+)/metrics");

    @ParameterizedTest
    @EnumSource(PipelineThread.class)
    void sigtermDeliversEverythingReleasedThenExits(PipelineThread thread) throws Exception {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process server = new ProcessBuilder(java, "-Xmx256m", "-Dlogback.configurationFile=logback.xml",
            "-cp", System.getProperty("java.class.path"), "io.followermaze.server.cli.Main", "serve",
            "--bind", "127.0.0.1", "--event-port", "0", "--client-port", "0", "--metrics-port", "0",
            "--status-interval-ms", "0", "--pipeline-thread", thread.configName())
            .redirectErrorStream(true).start();
        final List<String> output = new CopyOnWriteArrayList<>();
        final Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        pump.setDaemon(true);
        pump.start();
        try {
            Conditions.await("the server to log its ports", LIMIT,
                () -> find(output, PORTS) != null && find(output, METRICS) != null, () -> String.join("\n", output));
            final Matcher ports = find(output, PORTS);
            final int eventPort = Integer.parseInt(ports.group(1));
            final int clientPort = Integer.parseInt(ports.group(2));
            final String metricsUrl = "http://127.0.0.1:" + find(output, METRICS).group(1) + "/metrics";

            final int events = 100_000;
            final List<String> inOrder = new EventStreamGenerator(31, 40).next(events);
            final List<Long> users = new ArrayList<>();
            for (long u = 1; u <= 20; u++) {
                users.add(u);
            }
            final NaiveFollowerModel model = new NaiveFollowerModel(users);
            model.applyAll(inOrder);
            final List<TestClient> clients = new ArrayList<>();
            for (long u : users) {
                clients.add(new TestClient(clientPort, u, "\n"));
            }
            final HttpClient http = HttpClient.newHttpClient();
            Conditions.await("registrations", LIMIT, () -> metric(http, metricsUrl, "followermaze_clients_connected") == 20,
                () -> "");
            EventSource.send(eventPort, EventStreamGenerator.encode(
                EventStreamGenerator.shuffleInBatches(inOrder, 1000, new Random(31)), "\n"));
            Conditions.await("all events released", LIMIT,
                () -> metric(http, metricsUrl, "followermaze_events_released_total") == events, () -> "");

            server.toHandle().destroy(); // SIGTERM (Process.destroy() would also close our end of its output)
            assertTrue(server.waitFor(60, TimeUnit.SECONDS), "server exits after SIGTERM");
            Expectations.assertAllReceivedExactly(model, clients, LIMIT);
            pump.join(10_000);
            assertTrue(output.stream().anyMatch(l -> l.contains("Stopped: " + events + " events released")),
                String.join("\n", output));
        } finally {
            server.destroyForcibly();
        }
    }

    private static Matcher find(List<String> lines, Pattern p) {
        for (String line : lines) {
            final Matcher m = p.matcher(line);
            if (m.find()) {
                return m;
            }
        }
        return null;
    }

    private static double metric(HttpClient http, String url, String series) {
        try {
            final String body = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
            final double v = Prometheus.value(body, series);
            return Double.isNaN(v) ? -1 : v;
        } catch (Exception e) {
            return -1;
        }
    }
}
