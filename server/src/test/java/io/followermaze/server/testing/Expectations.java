package io.followermaze.server.testing;

import io.followermaze.testkit.NaiveFollowerModel;

import java.util.List;

/** Compares what a client received with what the naive model says it must receive. */
public final class Expectations {
    private Expectations() {
    }

    /** The exact bytes a client of {@code user} must have received: each payload followed by CRLF. */
    public static String expectedStream(NaiveFollowerModel model, long user) {
        final StringBuilder sb = new StringBuilder();
        for (String payload : model.expectedFor(user)) {
            sb.append(payload).append("\r\n");
        }
        return sb.toString();
    }

    /** Waits for end of stream on every client, then checks each one's bytes exactly. */
    public static void assertAllReceivedExactly(NaiveFollowerModel model, List<TestClient> clients,
                                                java.time.Duration limit) throws InterruptedException {
        for (TestClient client : clients) {
            client.awaitClosed(limit);
            final String expected = expectedStream(model, client.userId());
            final String actual = client.received();
            if (!expected.equals(actual)) {
                throw new AssertionError("user " + client.userId() + ": " + firstDifference(expected, actual));
            }
        }
    }

    public static String firstDifference(String expected, String actual) {
        final String[] e = expected.split("\r\n", -1);
        final String[] a = actual.split("\r\n", -1);
        for (int i = 0; i < Math.max(e.length, a.length); i++) {
            final String el = i < e.length ? e[i] : "<nothing>";
            final String al = i < a.length ? a[i] : "<nothing>";
            if (!el.equals(al)) {
                return "line " + (i + 1) + ": expected '" + el + "' but got '" + al + "' (expected "
                    + expected.length() + " bytes, got " + actual.length() + ")";
            }
        }
        return "same lines, different bytes (expected " + expected.length() + ", got " + actual.length() + ")";
    }
}
