package io.followermaze.server.kafka;

import io.followermaze.server.LogFeed;
import io.followermaze.server.LogSink;
import io.followermaze.server.ServerConfig;

/** Factories for the Kafka side of the roles; the single entry into this package. */
public final class KafkaRoles {
    private KafkaRoles() {
    }

    public static LogSink ingest(ServerConfig config) {
        return new KafkaIngest(config.kafkaBootstrap(), config.kafkaTopic(), config.pipeline());
    }

    public static LogFeed fanout(ServerConfig config) {
        return new KafkaFanout(config.kafkaBootstrap(), config.kafkaTopic(), config.pipeline());
    }

}
