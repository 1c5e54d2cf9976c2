package dev.mesh.contracts.presence;

/**
 * What presence-service tells the world: {@code presence:changed} on {@code presence:user:<id>}
 * (ephemeral, no seq: the next change supersedes it) and domain events on {@code presence.events}.
 */
public final class PresenceEvents {
    public static final String CHANGED = "presence:changed";

    public static final String ONLINE = "online";
    public static final String AWAY = "away";
    public static final String BUSY = "busy";
    public static final String OFFLINE = "offline";

    private PresenceEvents() {
    }

    /** The data of {@code presence:changed} and one entry of the subscribe ack; {@code lastSeenAt} may be withheld by privacy. */
    public record Presence(String userId, String status, String text, String emoji, Long lastSeenAt) {
    }

    public record UserCameOnline(String eventId, String userId, long at) {
    }

    public record UserWentOffline(String eventId, String userId, long lastSeenAt) {
    }
}
