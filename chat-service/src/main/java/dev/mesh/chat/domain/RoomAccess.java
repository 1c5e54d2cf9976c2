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

    /** The longest user id a direct message may name. */
    public static final int MAX_USER_ID_CHARS = 200;

    private RoomAccess() {
    }

    /**
     * Public rooms are open to anyone up to their capacity; private rooms and study groups to
     * the users invited. Admins may enter any room (FEATURES: Roles) except a direct
     * conversation, which is its two users' only.
     */
    public static Join join(UserRef user, RoomType type, int maxMembers, int memberCount, boolean member,
                            boolean invited) {
        if (member) {
            return Join.ALREADY_MEMBER;
        }
        if (type == RoomType.DIRECT) {
            throw MeshException.forbidden("A direct conversation is open to its two users only");
        }
        if (!type.isOpen() && !invited && !user.isAdmin()) {
            throw MeshException.forbidden("This room is open to invited members only");
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

    /** Public rooms are readable by anyone signed in; others by their members and admins; direct ones by their two users. */
    public static boolean canRead(UserRef user, RoomType type, boolean member) {
        return type.isOpen() || member || (user.isAdmin() && type != RoomType.DIRECT);
    }

    /** Leaving a direct conversation is not offered: it is the two users' stream for as long as it exists. */
    public static void leave(RoomType type) {
        if (type == RoomType.DIRECT) {
            throw MeshException.validation("A direct conversation cannot be left");
        }
    }

    /**
     * The other user of a direct message: a user id (1..200 characters, no whitespace or
     * control characters) that is not the sender's. Whether such a user exists is the identity
     * provider's to know, not chat-service's.
     */
    public static String directRecipient(UserRef sender, String recipientId) {
        if (recipientId == null || recipientId.isBlank() || recipientId.length() > MAX_USER_ID_CHARS
                || recipientId.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw MeshException.validation("recipientId must be a user id");
        }
        if (recipientId.equals(sender.id())) {
            throw MeshException.validation("You cannot send a direct message to yourself");
        }
        return recipientId;
    }
}
