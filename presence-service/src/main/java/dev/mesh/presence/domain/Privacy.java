package dev.mesh.presence.domain;

import java.util.Locale;

import dev.mesh.contracts.wire.MeshException;

/** Who may see a user's "last seen at": everyone, people who share a room with them, or nobody. */
public enum Privacy {
    everyone, co_members, nobody;

    public static Privacy parse(String value) {
        if (value != null) {
            for (Privacy privacy : values()) {
                if (privacy.name().equals(value.trim().toLowerCase(Locale.ROOT))) {
                    return privacy;
                }
            }
        }
        throw MeshException.validation("privacy must be everyone, co_members or nobody");
    }

    /** Whether a viewer sees the last-seen time: always themselves; a co-member unless nobody; others only with everyone. */
    public boolean showsLastSeen(boolean self, boolean coMember) {
        return self || this == everyone || (this == co_members && coMember);
    }
}
