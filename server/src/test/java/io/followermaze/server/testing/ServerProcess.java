package io.followermaze.server.testing;

import io.followermaze.server.StartLines;

import java.io.BufferedReader;
import java.io.IOException;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real {@code serve} command in its own JVM (with the JVM options a test chooses, e.g. a small direct-memory
 * limit), on ports chosen by the OS; its output is collected line by line for assertions.
 */
public final class ServerProcess implements AutoCloseable {
    private static final Pattern PORTS = StartLines.PORTS;
    private static final Pattern METRICS = StartLines.METRICS;

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final Thread pump;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private int eventPort;
    private int clientPort;
    private int metricsPort;

    private ServerProcess(Process process) {
        this.process = process;
        this.pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "server-output");
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Starts {@code serve} on loopback with ports 0 and a metrics port, and waits until it has logged its ports.
     *
     * @param jvmOptions e.g. {@code -Xmx256m}
     * @param serveArgs  extra {@code serve} options
     */
    public static ServerProcess start(List<String> jvmOptions, List<String> serveArgs, Duration limit) {
        final ServerProcess server = launch(jvmOptions, serveArgs);
        try {
            Conditions.await("the server to log its ports", limit,
                () -> server.find(PORTS) != null && server.find(METRICS) != null || !server.process.isAlive(),
                server::outputText);
            if (!server.process.isAlive()) {
                throw new IllegalStateException("server exited at start:\n" + server.outputText());
            }
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        final Matcher ports = server.find(PORTS);
        // "-": the role has no such port (--role ingest / fanout)
        server.eventPort = StartLines.port(ports, 1);
        server.clientPort = StartLines.port(ports, 2);
        server.metricsPort = Integer.parseInt(server.find(METRICS).group(1));
        return server;
    }

    /**
     * Starts {@code serve} as {@link #start} does but does not wait for its ports (for a start that is meant to
     * fail, or to be held part way): {@link #clientPort()} and {@link #metric} do not answer on such a process.
     */
    public static ServerProcess launch(List<String> jvmOptions, List<String> serveArgs) {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dlogback.configurationFile=logback.xml"); // the product's console logging, not the tests'
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.followermaze.server.cli.Main", "serve",
            "--bind", "127.0.0.1", "--event-port", "0", "--client-port", "0", "--metrics-port", "0",
            "--status-interval-ms", "0"));
        command.addAll(serveArgs);
        try {
            return new ServerProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command, e);
        }
    }

    public int eventPort() {
        return eventPort;
    }

    public int clientPort() {
        return clientPort;
    }

    public Process process() {
        return process;
    }

    /** A Prometheus series' value, or NaN when it is missing or the endpoint does not answer. */
    public double metric(String series) {
        try {
            final String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            return Prometheus.value(body, series);
        } catch (IOException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    public List<String> output() {
        return output;
    }

    public String outputText() {
        return String.join("\n", output);
    }

    private Matcher find(Pattern p) {
        for (String line : output) {
            final Matcher m = p.matcher(line);
            if (m.find()) {
                return m;
            }
        }
        return null;
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor();
            pump.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
