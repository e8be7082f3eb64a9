package io.followermaze.loadgen.sweep;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Readiness of a server process through its {@code /metrics}: true once {@code followermaze_clients_connected}
 * (client connections registered) reaches the run's clients, so that no event is routed before a recipient's
 * registration (a fixed settle time is a guess: a cold server on a busy box once took longer). Asks at most
 * every {@link #INTERVAL_MILLIS} ms however often it is polled.
 */
final class RegistrationProbe implements BooleanSupplier {
    static final long INTERVAL_MILLIS = 20;
    private static final String GAUGE = "followermaze_clients_connected";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final HttpRequest request;
    private final int clients;
    private long lastAskedNanos;
    private boolean ready;

    RegistrationProbe(String host, int metricsPort, int clients) {
        this.request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + metricsPort + "/metrics"))
            .timeout(Duration.ofSeconds(2)).build();
        this.clients = clients;
    }

    @Override
    public boolean getAsBoolean() {
        final long now = System.nanoTime();
        if (ready || now - lastAskedNanos < INTERVAL_MILLIS * 1_000_000) {
            return ready;
        }
        lastAskedNanos = now;
        try {
            ready = connected(http.send(request, HttpResponse.BodyHandlers.ofString()).body()) >= clients;
        } catch (IOException e) {
            // not answering yet: ask again later
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ready;
    }

    /** The gauge's value in a Prometheus text page, -1 if absent. */
    static double connected(String page) {
        for (String line : page.split("\n")) {
            if (line.startsWith(GAUGE + " ") || line.startsWith(GAUGE + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
            }
        }
        return -1;
    }
}
