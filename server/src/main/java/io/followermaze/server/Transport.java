package io.followermaze.server;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The socket transport the server asks Netty for. Each constant's lowercase name is what users type
 * ({@code --transport epoll}) and its {@link #toString()}.
 */
public enum Transport {
    /** Native epoll where it loads (Linux x86_64), else NIO. */
    AUTO,
    /** Native epoll; start-up fails where it does not load. */
    EPOLL,
    /** The JDK's NIO selector. */
    NIO;

    /** The name in configuration: lowercase ({@code epoll}). */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return configName();
    }

    /**
     * @param name a {@link #configName()}, case-insensitive
     * @throws IllegalArgumentException naming the valid values
     */
    public static Transport parse(String name) {
        if (name != null) {
            for (Transport t : values()) {
                if (t.configName().equalsIgnoreCase(name.trim())) {
                    return t;
                }
            }
        }
        throw new IllegalArgumentException("unknown transport '" + name + "' (" + names(", ") + ")");
    }

    /** The valid names in declaration order, joined by {@code separator}. */
    public static String names(String separator) {
        return Arrays.stream(values()).map(Transport::configName).collect(Collectors.joining(separator));
    }
}
