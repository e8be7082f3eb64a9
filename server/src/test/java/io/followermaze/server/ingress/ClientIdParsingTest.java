package io.followermaze.server.ingress;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClientIdParsingTest {
    private static long parse(String s) {
        final byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return ClientRegistrationHandler.parseUserId(b, b.length);
    }

    @Test
    void acceptsPositiveDecimalIdsUpToLongMax() {
        assertEquals(1, parse("1"));
        assertEquals(42, parse("0042"));
        assertEquals(Long.MAX_VALUE, parse("9223372036854775807"));
    }

    @Test
    void rejectsEverythingElse() {
        for (String bad : new String[] {"", "0", "-1", "+1", " 1", "1 ", "12a", "9223372036854775808",
            "99999999999999999999", "\u00e9"}) {
            assertEquals(-1, parse(bad), "'" + bad + "'");
        }
    }
}
