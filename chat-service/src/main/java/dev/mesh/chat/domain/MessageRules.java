package dev.mesh.chat.domain;

import java.time.Duration;
import java.util.UUID;

import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.MeshException;

/**
 * Who may edit and delete a message. Authors edit their own messages within the edit window and
 * delete them any time; the room's owner and moderators, and admins, edit and delete any message
 * any time. A deleted message cannot be edited. Pure: the caller brings the facts.
 */
public final class MessageRules {

    /** A stored message as the rules see it. */
    public record Target(String authorId, long createdAt, boolean deleted) {
    }

    private MessageRules() {
    }

    /**
     * The room's owner and moderators, and admins in any room they may enter (not a direct
     * conversation, which is its two users' only).
     */
    public static boolean moderates(UserRef user, RoomType room, MemberRole role) {
        return role == MemberRole.owner || role == MemberRole.moderator || admin(user, room);
    }

    /**
     * Checks an edit at {@code now}; {@code role} is the editor's role in the room, null when not a
     * member.
     */
    public static void edit(UserRef user, RoomType room, MemberRole role, Target message, long now, Duration window) {
        requireMemberOrAdmin(user, room, role);
        if (message.deleted()) {
            throw MeshException.conflict("This message was deleted and cannot be edited");
        }
        if (moderates(user, room, role)) {
            return;
        }
        if (!message.authorId().equals(user.id())) {
            throw MeshException.forbidden("You can edit only your own messages");
        }
        if (now - message.createdAt() > window.toMillis()) {
            throw MeshException.forbidden("The edit window of " + describe(window) + " has passed for this message");
        }
    }

    /**
     * Checks a delete; emits whether there is anything to do (false when it is deleted already: a
     * repeated delete is acknowledged and changes nothing).
     */
    public static boolean delete(UserRef user, RoomType room, MemberRole role, Target message) {
        requireMemberOrAdmin(user, room, role);
        if (!moderates(user, room, role) && !message.authorId().equals(user.id())) {
            throw MeshException.forbidden("You can delete only your own messages");
        }
        return !message.deleted();
    }

    /** Members react; a deleted message has nothing left to react to. */
    public static void react(MemberRole role, Target message) {
        if (role == null) {
            throw MeshException.forbidden("Join the room before reacting in it");
        }
        if (message.deleted()) {
            throw MeshException.conflict("This message was deleted");
        }
    }

    /** A message id as clients send it; VALIDATION when it is not one. */
    public static UUID messageId(String raw) {
        if (raw == null || raw.isBlank()) {
            throw MeshException.validation("messageId is required");
        }
        try {
            return UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw MeshException.validation("messageId must be a message id");
        }
    }

    /** The one answer for a message that is not in the room. */
    public static MeshException noSuchMessage() {
        return MeshException.notFound("There is no such message in this room");
    }

    /** Members, and admins where they may enter; checked before the message is looked up. */
    public static void requireMemberOrAdmin(UserRef user, RoomType room, MemberRole role) {
        if (role == null && !admin(user, room)) {
            throw MeshException.forbidden("Join the room first");
        }
    }

    private static boolean admin(UserRef user, RoomType room) {
        return user.isAdmin() && room != RoomType.DIRECT;
    }

    private static String describe(Duration window) {
        if (window.toSecondsPart() == 0 && window.toMinutes() > 0 && window.toHoursPart() == 0 && window.toDays() == 0) {
            long minutes = window.toMinutes();
            return minutes + (minutes == 1 ? " minute" : " minutes");
        }
        return window.toSeconds() + " seconds";
    }
}
