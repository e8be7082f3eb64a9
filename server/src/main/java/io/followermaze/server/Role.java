package io.followermaze.server;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What one server process does ({@code --role}). {@link #ALL} is the single node; {@link #INGEST} and {@link #FANOUT}
 * split it over an Apache Kafka topic (see the README's "Cluster (Kafka)" section). Only those two load Kafka classes.
 */
public enum Role {
    /** Event port and client port, one process: no Kafka. */
    ALL,
    /** Event port only: each framed chunk of event lines is appended to the topic as one record. */
    INGEST,
    /** Client port only: the topic is this node's ingress; resequencing, graph and routing as in {@link #ALL}. */
    FANOUT;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return configName();
    }

    public boolean listensForEvents() {
        return this != FANOUT;
    }

    public boolean listensForClients() {
        return this != INGEST;
    }

    /** @throws IllegalArgumentException naming the valid values */
    public static Role parse(String name) {
        if (name != null) {
            for (Role r : values()) {
                if (r.configName().equalsIgnoreCase(name.trim())) {
                    return r;
                }
            }
        }
        throw new IllegalArgumentException("unknown role '" + name + "' (" + names("|") + ")");
    }

    public static String names(String separator) {
        return Arrays.stream(values()).map(Role::configName).collect(Collectors.joining(separator));
    }
}
