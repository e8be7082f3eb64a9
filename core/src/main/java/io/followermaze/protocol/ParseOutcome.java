package io.followermaze.protocol;

/**
 * What became of one event line: accepted, or the reason it was rejected. Most reasons are the
 * {@link EventParser}'s; the pipeline around it adds those it alone can tell (marked below), so that every line
 * dropped before the resequencer releases it is counted in one place, under one reason.
 */
public enum ParseOutcome {
    ACCEPTED("accepted"),
    EMPTY_LINE("empty line"),
    LINE_TOO_LONG("line longer than the limit"),
    BAD_SEQUENCE("sequence number not 1..2^63-1 in at most 19 ASCII digits"),
    UNKNOWN_TYPE("type is not one of F, U, B, P, S"),
    WRONG_FIELD_COUNT("wrong number of '|'-separated fields for the type"),
    BAD_USER_ID("user id not 1..2^63-1 in at most 19 ASCII digits"),
    /** Pipeline, not parser: a well-formed line whose seq is further ahead of the cursor than the bound allows. */
    SEQ_TOO_FAR_AHEAD("sequence number further ahead of the next one awaited than max-seq-ahead allows"),
    /**
     * Pipeline, not parser: the last bytes of a source (closed, or cut off by shutdown) without a line end. They can
     * not be told from a line that lost its end ({@code 2|P|9|2} from {@code 2|P|9|23}), so they are never parsed.
     */
    TRUNCATED("no line end before the source closed: possibly cut short, not parsed");

    private final String description;

    ParseOutcome(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    /** Metric-friendly name, e.g. {@code bad_sequence}. */
    public String metricName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
