package io.followermaze.loadgen.cli;

import io.followermaze.loadgen.kafka.DevBroker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code followermaze dev-broker}: a single-node KRaft Kafka broker for trying the cluster roles. */
@Command(name = "dev-broker", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Run a single-node Apache Kafka broker (KRaft, broker and controller in one process; replication "
        + "factor 1) until interrupted: for development and trying --role ingest|fanout, not for production.")
public final class DevBrokerCommand implements Callable<Integer> {

    @Option(names = "--port", paramLabel = "PORT", description = "Broker (client) port.")
    int port = DevBroker.DEFAULT_PORT;

    @Option(names = "--dir", paramLabel = "DIR", description = "Log directory (formatted on first use, kept after).")
    Path dir = Path.of("target", "dev-broker");

    @Override
    public Integer call() {
        quietKafkaLogs();
        final long t0 = System.nanoTime();
        final DevBroker broker = DevBroker.start(dir, port);
        System.out.printf("dev-broker ready on %s (log dir %s) in %d ms; Ctrl-C stops it%n", broker.bootstrap(),
            dir.toAbsolutePath(), (System.nanoTime() - t0) / 1_000_000);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "dev-broker-shutdown"));
        broker.awaitShutdown();
        return 0;
    }

    /** The broker logs thousands of INFO lines at start: only its warnings and errors are shown. */
    static void quietKafkaLogs() {
        for (String name : new String[] {"kafka", "org.apache.kafka", "state.change.logger"}) {
            if (org.slf4j.LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger) {
                logger.setLevel(ch.qos.logback.classic.Level.WARN);
            }
        }
    }
}
