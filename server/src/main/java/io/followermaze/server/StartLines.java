package io.followermaze.server;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The start lines {@code serve} logs, as the processes that start it read them back (the load generator's sweep and
 * cluster, the tests): declared once here, beside the server that prints them, so that a change of wording breaks
 * one place.
 */
public final class StartLines {
    /**
     * {@link FollowerMazeServer}'s "listening" line: groups 1 and 2 are the event and client ports, absent ({@code -})
     * for a role without that listener. Any address form (IPv4 or IPv6) before the last colon.
     */
    public static final Pattern PORTS = Pattern.compile("events on (?:\\S*:(\\d+)|-), clients on (?:\\S*:(\\d+)|-)");
    /** The metrics endpoint's line: group 1 is its port. */
    public static final Pattern METRICS = Pattern.compile("Metrics on http://\\S+?:(\\d+)/metrics");

    private StartLines() {
    }

    /** The port in {@code group} of a {@link #PORTS} or {@link #METRICS} match; -1 when that listener is absent. */
    public static int port(Matcher m, int group) {
        return m.group(group) == null ? -1 : Integer.parseInt(m.group(group));
    }
}
