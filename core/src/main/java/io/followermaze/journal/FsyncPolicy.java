package io.followermaze.journal;

/**
 * When the journal asks the OS to put written bytes on disk ({@code FileChannel.force}). Spelled on the command line
 * as {@code never}, {@code batch} or {@code interval:MS}; {@link #toString()} gives the same spelling back.
 * <ul>
 *   <li>{@link Mode#NEVER}: written to the OS at every batch end, never forced: survives a process crash, not an OS
 *       crash or power loss (what the OS had not yet written back is lost).</li>
 *   <li>{@link Mode#BATCH}: forced at every batch end, before the sequence-route stage sees the batch: survives all
 *       three; nothing is routed that is not on disk. Costs an fsync per batch.</li>
 *   <li>{@link Mode#INTERVAL}: forced every {@code intervalMillis} by a background thread: survives a process crash;
 *       an OS crash or power loss loses at most the last interval's input.</li>
 * </ul>
 *
 * @param intervalMillis for {@link Mode#INTERVAL} only (0 otherwise)
 */
public record FsyncPolicy(Mode mode, long intervalMillis) {

    public enum Mode { NEVER, BATCH, INTERVAL }

    public static final FsyncPolicy NEVER = new FsyncPolicy(Mode.NEVER, 0);
    public static final FsyncPolicy BATCH = new FsyncPolicy(Mode.BATCH, 0);

    public FsyncPolicy {
        if (mode == null) {
            throw new IllegalArgumentException("fsync mode must be set");
        }
        if (mode == Mode.INTERVAL ? intervalMillis < 1 : intervalMillis != 0) {
            throw new IllegalArgumentException("fsync interval must be >= 1 ms for interval and 0 otherwise: "
                + intervalMillis);
        }
    }

    public static FsyncPolicy interval(long millis) {
        return new FsyncPolicy(Mode.INTERVAL, millis);
    }

    /** @param s {@code never}, {@code batch} or {@code interval:MS} (case-insensitive) */
    public static FsyncPolicy parse(String s) {
        final String v = s == null ? "" : s.trim().toLowerCase(java.util.Locale.ROOT);
        if (v.equals("never")) {
            return NEVER;
        }
        if (v.equals("batch")) {
            return BATCH;
        }
        if (v.startsWith("interval:")) {
            try {
                return interval(Long.parseLong(v.substring("interval:".length())));
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("journal fsync must be never, batch or interval:MS (MS >= 1): '" + s + "'");
    }

    @Override
    public String toString() {
        return switch (mode) {
            case NEVER -> "never";
            case BATCH -> "batch";
            case INTERVAL -> "interval:" + intervalMillis;
        };
    }
}
