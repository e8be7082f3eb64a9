package io.followermaze.protocol;

/**
 * The five event types of the protocol, as the byte that names them on the wire.
 * Kept as {@code byte} constants rather than an enum so that window slots store them in a {@code byte[]}.
 */
public final class EventType {
    public static final byte FOLLOW = 'F';
    public static final byte UNFOLLOW = 'U';
    public static final byte BROADCAST = 'B';
    public static final byte PRIVATE_MESSAGE = 'P';
    public static final byte STATUS_UPDATE = 'S';

    private EventType() {
    }

    /** @return how many '|'-separated fields a line of this type has, or -1 for an unknown type */
    public static int fieldCount(byte type) {
        switch (type) {
            case FOLLOW:
            case UNFOLLOW:
            case PRIVATE_MESSAGE:
                return 4;
            case STATUS_UPDATE:
                return 3;
            case BROADCAST:
                return 2;
            default:
                return -1;
        }
    }
}
