package io.followermaze.loadgen.kafka;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** One dev broker for all the tests of a class (each test its own topic), started once in a temporary directory. */
abstract class SharedBroker {
    @TempDir
    static Path dir;
    static DevBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = DevBroker.start(dir.resolve("kafka"), 0);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }
}
