package dev.mesh.contracts.presence;

/**
 * A socket's life as the gateway reports it on {@code gateway.connections}, keyed by user id
 * so one user's events stay in order. {@code bootId} is new at every start of a gateway
 * process, so sessions of a crashed boot are told apart from those of its restart under the
 * same {@code instanceId}.
 *
 * @param type one of {@link #OPENED}, {@link #CLOSED}, {@link #ACTIVE}
 * @param at   the gateway's clock, epoch ms
 */
public record ConnectionEvent(String type, String sessionId, String userId, String userName, String instanceId,
                              String bootId, long at) {

    /** A socket authenticated (after {@code welcome}). */
    public static final String OPENED = "SessionOpened";
    /** A socket closed, for any reason, on a live gateway. A crashed gateway sends none. */
    public static final String CLOSED = "SessionClosed";
    /** The user did something on this socket (any frame; throttled by the gateway). */
    public static final String ACTIVE = "SessionActive";
}
