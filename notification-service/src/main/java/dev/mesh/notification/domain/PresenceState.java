package dev.mesh.notification.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * What presence.events told us about a user: online, or offline since a time. A user we never
 * heard of is offline since ever (they have not connected since we started listening).
 */
public record PresenceState(boolean online, Instant offlineSince) {

    public static final PresenceState UNKNOWN = new PresenceState(false, null);

    public static PresenceState onlineNow() {
        return new PresenceState(true, null);
    }

    public static PresenceState offlineSince(Instant since) {
        return new PresenceState(false, since);
    }

    /** Whether the user has been offline for more than {@code threshold} at {@code now}. */
    public boolean offlineLongerThan(Duration threshold, Instant now) {
        if (online) {
            return false;
        }
        return offlineSince == null || Duration.between(offlineSince, now).compareTo(threshold) > 0;
    }
}
