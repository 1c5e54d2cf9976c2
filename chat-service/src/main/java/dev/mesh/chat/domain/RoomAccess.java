package dev.mesh.chat.domain;

import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.MeshException;

/** Who may join, read and post in a room. Pure: the caller brings the room's current facts. */
public final class RoomAccess {

    /** What a join does. */
    public enum Join {
        /** A new member: inserted, and the room is told. */
        NEW_MEMBER,
        /** Already a member (every reconnect): attached again, nothing announced. */
        ALREADY_MEMBER
    }

    private RoomAccess() {
    }

    /**
     * Public rooms are open to anyone up to their capacity; private rooms and study groups
     * only to their members until invitations exist. Admins may enter any room (FEATURES: Roles).
     */
    public static Join join(UserRef user, RoomType type, int maxMembers, int memberCount, boolean member) {
        if (member) {
            return Join.ALREADY_MEMBER;
        }
        if (!type.isOpen() && !user.isAdmin()) {
            throw MeshException.forbidden("This room is open to its members only");
        }
        if (memberCount >= maxMembers) {
            throw MeshException.conflict("The room is full");
        }
        return Join.NEW_MEMBER;
    }

    /** The one answer for a room that does not exist, or that the caller may not know of. */
    public static MeshException noSuchRoom() {
        return MeshException.notFound("There is no such room");
    }

    /** Only members post; joining first is how one becomes one. */
    public static void post(boolean member) {
        if (!member) {
            throw MeshException.forbidden("Join the room before posting to it");
        }
    }

    /** Public rooms are readable by anyone signed in; others by their members and admins. */
    public static boolean canRead(UserRef user, RoomType type, boolean member) {
        return type.isOpen() || member || user.isAdmin();
    }
}
