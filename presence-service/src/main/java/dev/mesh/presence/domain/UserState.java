package dev.mesh.presence.domain;

import dev.mesh.contracts.presence.PresenceEvents;

/**
 * What presence keeps about a user between events (one row of {@code presence_users}); times
 * are epoch ms.
 *
 * @param setStatus       {@code away} or {@code busy} when the user chose it, else null; persists across reconnects
 * @param text            custom status text, or null
 * @param emoji           custom status emoji, or null
 * @param textExpiresAt   when text and emoji clear, or null
 * @param publishedStatus the status the world was last told
 * @param lastSeenAt      the last time the user was known to be there
 * @param offlineDueAt    when the user, left with no session, goes offline (the grace period's end), or null
 */
public record UserState(String setStatus, String text, String emoji, Long textExpiresAt, String publishedStatus,
                        Long lastSeenAt, Long offlineDueAt) {

    /** A user presence has never seen. */
    public static UserState unknown() {
        return new UserState(null, null, null, null, PresenceEvents.OFFLINE, null, null);
    }

    public boolean offline() {
        return PresenceEvents.OFFLINE.equals(publishedStatus);
    }

    public UserState withSetStatus(String value) {
        return new UserState(value, text, emoji, textExpiresAt, publishedStatus, lastSeenAt, offlineDueAt);
    }

    public UserState withCustom(String newText, String newEmoji, Long expiresAt) {
        return new UserState(setStatus, newText, newEmoji, expiresAt, publishedStatus, lastSeenAt, offlineDueAt);
    }

    public UserState withPublishedStatus(String value) {
        return new UserState(setStatus, text, emoji, textExpiresAt, value, lastSeenAt, offlineDueAt);
    }

    public UserState withLastSeenAt(Long value) {
        return new UserState(setStatus, text, emoji, textExpiresAt, publishedStatus, value, offlineDueAt);
    }

    public UserState withOfflineDueAt(Long value) {
        return new UserState(setStatus, text, emoji, textExpiresAt, publishedStatus, lastSeenAt, value);
    }

    /** The last-seen time moved forward to {@code at} (never back). */
    public UserState seenAt(long at) {
        return withLastSeenAt(lastSeenAt == null ? at : Math.max(lastSeenAt, at));
    }
}
