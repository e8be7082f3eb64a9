package io.followermaze.loadgen.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a child node is started: this JVM's {@code java}, the server jar when there is one (else this JVM's class
 * path, which holds the server too: tests), and the server's JVM flags. The launchers pass theirs in
 * {@code FOLLOWERMAZE_SERVER_JAR} and {@code FOLLOWERMAZE_SERVER_OPTS}, so a demo node runs exactly as {@code serve}.
 *
 * @param serverJar  the server jar, or null for this JVM's class path
 * @param serverOpts JVM flags of every {@code serve} node
 * @param brokerOpts JVM flags of the dev broker's process
 */
public record NodeLauncher(Path serverJar, List<String> serverOpts, List<String> brokerOpts) {
    /** Without the launcher's flags (tests): a heap that suits a small stream. */
    static final String FALLBACK_SERVER_OPTS = "-Xmx256m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError";
    static final String BROKER_OPTS = "-Xms256m -Xmx1g -XX:+UseParallelGC";

    public NodeLauncher {
        serverOpts = List.copyOf(serverOpts);
        brokerOpts = List.copyOf(brokerOpts);
    }

    /** From the launcher's environment, or this JVM's class path and fallback flags. */
    public static NodeLauncher fromEnvironment() {
        final String jar = System.getenv("FOLLOWERMAZE_SERVER_JAR");
        final String opts = System.getenv("FOLLOWERMAZE_SERVER_OPTS");
        return new NodeLauncher(jar == null || jar.isBlank() || !Files.isRegularFile(Path.of(jar)) ? null : Path.of(jar),
            split(opts == null || opts.isBlank() ? FALLBACK_SERVER_OPTS : opts), split(BROKER_OPTS));
    }

    static List<String> split(String opts) {
        return Arrays.stream(opts.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    /** {@code serve} on loopback, every port from the OS, no status line, then {@code args}. */
    List<String> serve(List<String> args) {
        final List<String> c = java(serverOpts);
        c.add("-Dlogback.configurationFile=logback.xml"); // the product's console log, whose start line names the ports
        c.addAll(List.of("-cp", serverJar == null ? ownClassPath() : serverJar.toString(),
            "io.followermaze.server.cli.Main", "serve", "--bind", "127.0.0.1", "--event-port", "0", "--client-port",
            "0", "--metrics-port", "0", "--status-interval-ms", "0"));
        c.addAll(args);
        return c;
    }

    /** {@code dev-broker} from the tools (this JVM's class path), port from the OS. */
    List<String> devBroker(Path dir) {
        final List<String> c = java(brokerOpts);
        c.addAll(List.of("-cp", ownClassPath(), "io.followermaze.loadgen.cli.ToolsMain", "dev-broker", "--port", "0",
            "--dir", dir.toString()));
        return c;
    }

    private static List<String> java(List<String> opts) {
        final List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.addAll(opts);
        return c;
    }

    private static String ownClassPath() {
        return System.getProperty("java.class.path");
    }

    public String describe() {
        return (serverJar == null ? "this class path" : serverJar.toString()) + " with " + String.join(" ", serverOpts);
    }
}
