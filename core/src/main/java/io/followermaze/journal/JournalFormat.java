package io.followermaze.journal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The journal's on-disk format (version 1), big-endian throughout.
 * <p>
 * A journal is a directory of segment files {@code segment-<index, 20 digits>.journal}, indices contiguous. Each
 * segment starts with a header:
 * <pre>
 * offset size field
 *      0    8 magic, ASCII "FMJOURNL"
 *      8    4 format version (1)
 *     12    4 header length (48)
 *     16    8 segment index (the same as in the file name)
 *     24    8 first record: records in all earlier segments
 *     32    8 the segment limit (--journal-segment-bytes) when the segment was made
 *     40    4 reserved (0)
 *     44    4 CRC32C of bytes 0..43
 * </pre>
 * then records, back to back, to the end of the file:
 * <pre>
 * offset size field
 *      0    4 CRC32C of bytes 4..8+n (the length and the payload)
 *      4    4 n, the payload length (1..{@link #MAX_PAYLOAD})
 *      8    n payload: one ring entry's event lines as the source sent them, each ending in '\n' (the last may lack
 *             it: a source's unfinished last line, which the pipeline counts as truncated)
 * </pre>
 */
public final class JournalFormat {
    public static final byte[] MAGIC = "FMJOURNL".getBytes(StandardCharsets.US_ASCII);
    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 48;
    public static final int RECORD_HEADER_BYTES = 8;
    /** The longest payload a reader accepts; a larger length is damage. */
    public static final int MAX_PAYLOAD = 1 << 26;

    private static final Pattern NAME = Pattern.compile("segment-(\\d{20})\\.journal");

    private JournalFormat() {
    }

    public static String segmentName(long index) {
        return String.format("segment-%020d.journal", index);
    }

    /** @return the index in a segment file's name, or -1 if the name is not a segment's */
    public static long segmentIndex(Path file) {
        final Matcher m = NAME.matcher(file.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Writes a segment header at {@code buf}'s position (advancing it). */
    static void putHeader(ByteBuffer buf, long index, long firstRecord, long segmentLimit, CRC32C crc) {
        final int start = buf.position();
        buf.put(MAGIC).putInt(VERSION).putInt(HEADER_BYTES).putLong(index).putLong(firstRecord).putLong(segmentLimit)
            .putInt(0);
        crc.reset();
        for (int i = start; i < start + HEADER_BYTES - 4; i++) {
            crc.update(buf.get(i));
        }
        buf.putInt((int) crc.getValue());
    }

    /** A decoded segment header. */
    record Header(long index, long firstRecord, long segmentLimit) {
    }

    /**
     * @param buf {@link #HEADER_BYTES} bytes from its position
     * @return the header, or null with {@code problem[0]} saying what is wrong
     */
    static Header readHeader(ByteBuffer buf, String[] problem) {
        final int start = buf.position();
        final CRC32C crc = new CRC32C();
        for (int i = start; i < start + HEADER_BYTES - 4; i++) {
            crc.update(buf.get(i));
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (buf.get(start + i) != MAGIC[i]) {
                problem[0] = "not a journal segment (bad magic)";
                return null;
            }
        }
        final int version = buf.getInt(start + 8);
        final int headerLength = buf.getInt(start + 12);
        if ((int) crc.getValue() != buf.getInt(start + 44)) {
            problem[0] = "segment header CRC mismatch";
            return null;
        }
        if (version != VERSION || headerLength != HEADER_BYTES) {
            problem[0] = "unsupported journal format version " + version + " (header " + headerLength
                + " bytes); this server reads version " + VERSION;
            return null;
        }
        return new Header(buf.getLong(start + 16), buf.getLong(start + 24), buf.getLong(start + 32));
    }

    /** CRC32C of a record: its length (4 bytes, big-endian) then its payload. */
    static int recordCrc(CRC32C crc, byte[] payload, int offset, int length) {
        crc.reset();
        crc.update(length >>> 24);
        crc.update(length >>> 16);
        crc.update(length >>> 8);
        crc.update(length);
        crc.update(payload, offset, length);
        return (int) crc.getValue();
    }
}
