package dev.mesh.presence.store;

import dev.mesh.contracts.presence.PresenceEvents;
import dev.mesh.presence.domain.Privacy;
import dev.mesh.presence.domain.UserState;

/** A row of {@code presence_users}. */
public record StoredUser(String userId, String name, UserState state, Privacy privacy) {

    public static StoredUser unknown(String userId) {
        return new StoredUser(userId, null, UserState.unknown(), Privacy.everyone);
    }

    /** The user's presence as a viewer may see it. */
    public PresenceEvents.Presence view(boolean showLastSeen) {
        return new PresenceEvents.Presence(userId, state.publishedStatus(), state.text(), state.emoji(),
                showLastSeen ? state.lastSeenAt() : null);
    }
}
