package io.followermaze.pipeline;

/** Renders untrusted bytes for a log line: printable ASCII as is, the rest escaped, long input cut short. */
final class Printable {
    private static final int MAX_CHARS = 80;

    private Printable() {
    }

    static String excerpt(byte[] bytes, int start, int end) {
        final StringBuilder sb = new StringBuilder(Math.min(end - start, MAX_CHARS) + 16);
        for (int i = start; i < end; i++) {
            if (sb.length() >= MAX_CHARS) {
                sb.append("... (").append(end - start).append(" bytes)");
                break;
            }
            final int b = bytes[i] & 0xff;
            if (b >= 0x20 && b < 0x7f) {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02x", b));
            }
        }
        return sb.toString();
    }
}
