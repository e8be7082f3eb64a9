package io.followermaze.resequencer;

import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;
import io.followermaze.protocol.ParseOutcome;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Drives a {@link Resequencer} with event lines and records what it releases and which gaps it skips.
 * <p>
 * Each line is parsed into a scratch buffer at a moving offset and the buffer is scribbled over right after
 * {@link Resequencer#offer}, so a resequencer that kept a reference to the caller's bytes instead of copying them
 * releases garbage and fails the field checks.
 */
final class ResequencerHarness {
    /** One released event, copied out of the flyweight. */
    record Released(long seq, byte type, long from, long to, String payload) {
    }

    /** One {@link Resequencer.GapListener} call. */
    record Gap(long first, long last, String reason) {
    }

    final List<Released> released = new ArrayList<>();
    final List<Gap> gaps = new ArrayList<>();
    final Resequencer resequencer;
    private final EventParser parser = new EventParser(EventParser.MAX_PAYLOAD_LENGTH);
    private final Event event = new Event();
    private final byte[] scratch = new byte[4 * EventParser.MAX_PAYLOAD_LENGTH];
    private int scratchOffset;
    private long offered;

    /** The window as the server sizes it: one ring when it is no larger than the near ring, else two. */
    ResequencerHarness(int windowSize, long maxPending) {
        this(windowSize, Math.min(windowSize, Resequencer.NEAR_SLOTS), maxPending);
    }

    /** With a near ring of {@code nearSlots}: small ones put most disorder into the far ring. */
    ResequencerHarness(int windowSize, int nearSlots, long maxPending) {
        this.resequencer = new Resequencer(windowSize, nearSlots, maxPending, Long.MAX_VALUE, this::onInOrder,
            (first, last, reason) -> gaps.add(new Gap(first, last, reason)));
    }

    private void onInOrder(Event e) {
        released.add(new Released(e.seq, e.type, e.from, e.to, e.payloadAsString()));
    }

    /** Offers one line (without line end). */
    void offer(String line) {
        final byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
        scratchOffset = (scratchOffset + 7) % (scratch.length - b.length);
        System.arraycopy(b, 0, scratch, scratchOffset, b.length);
        final ParseOutcome outcome = parser.parse(scratch, scratchOffset, scratchOffset + b.length, event);
        assertEquals(ParseOutcome.ACCEPTED, outcome, line);
        resequencer.offer(event);
        offered++;
        Arrays.fill(scratch, (byte) '#');
        event.set(-1, (byte) '#', -1, -1, scratch, 0, 0);
    }

    /** Offers a line {@code seq|P|from|to} with ids derived from the seq, so that every payload is distinct. */
    void offerSeq(long seq) {
        offer(lineFor(seq));
    }

    static String lineFor(long seq) {
        switch ((int) (seq % 5)) {
            case 0:
                return seq + "|P|" + (seq * 7 % 1000 + 1) + '|' + (seq % 97 + 1);
            case 1:
                return seq + "|F|" + (seq % 89 + 1) + '|' + (seq * 3 % 1013 + 1);
            case 2:
                return seq + "|B";
            case 3:
                return seq + "|S|" + (seq % 61 + 1);
            default:
                return seq + "|U|" + (seq % 11 + 1) + '|' + (seq % 13 + 1);
        }
    }

    long offered() {
        return offered;
    }

    /** @return the seqs released so far, in release order */
    long[] releasedSeqs() {
        return released.stream().mapToLong(Released::seq).toArray();
    }

    /**
     * Checks that every released event carries exactly the fields and payload of the line offered for its seq.
     *
     * @param lineOf seq -> the line that was offered for it
     */
    void assertReleasedMatch(java.util.function.LongFunction<String> lineOf, String context) {
        for (Released r : released) {
            final String line = lineOf.apply(r.seq());
            assertEquals(line, r.payload(), context + ": payload of seq " + r.seq());
            final String[] f = line.split("\\|");
            assertEquals(Long.parseLong(f[0]), r.seq(), context);
            assertEquals(f[1].charAt(0), (char) r.type(), context + ": type of seq " + r.seq());
            assertEquals(f.length > 2 ? Long.parseLong(f[2]) : Event.NO_USER, r.from(), context + ": from of " + r.seq());
            assertEquals(f.length > 3 ? Long.parseLong(f[3]) : Event.NO_USER, r.to(), context + ": to of " + r.seq());
        }
    }
}
