package dev.mesh.chat.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

import dev.mesh.contracts.chat.ChatCommands;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.MeshException;

/**
 * Who may moderate whom ({@code chat:moderate}), and what a mute forbids. The room's owner and
 * moderators, and admins, moderate members of rooms other than direct conversations; nobody
 * moderates themselves, and moderators may not mute or kick the owner. A mute lasts until its
 * time has passed: there is no timer, the check compares it with now. Pure: the caller brings the
 * facts.
 */
public final class Moderation {

    /** A moderation action; the names are the wire values. */
    public enum Action {
        mute, unmute, kick;

        public static Action parse(String raw) {
            if (raw != null) {
                for (Action action : values()) {
                    if (action.name().equals(raw.trim().toLowerCase(Locale.ROOT))) {
                        return action;
                    }
                }
            }
            throw MeshException.validation("action must be one of mute, unmute, kick");
        }
    }

    private Moderation() {
    }

    /**
     * Checks that {@code actor} (role {@code actorRole}, null when not a member) may apply
     * {@code action} to {@code targetId} (role {@code targetRole}, null when not a member) in a room
     * of type {@code room}.
     */
    public static void check(UserRef actor, RoomType room, MemberRole actorRole, String targetId,
                             MemberRole targetRole, Action action) {
        if (room == RoomType.DIRECT) {
            throw MeshException.validation("direct conversations have no moderation");
        }
        if (!MessageRules.moderates(actor, room, actorRole)) {
            throw MeshException.forbidden("Only the room's owner and moderators, and admins, moderate it");
        }
        if (actor.id().equals(targetId)) {
            throw MeshException.validation("You cannot moderate yourself");
        }
        if (targetRole == null) {
            throw MeshException.notFound(targetId + " is not a member of this room");
        }
        if (targetRole == MemberRole.owner && action != Action.unmute
                && actorRole != MemberRole.owner && !actor.isAdmin()) {
            throw MeshException.forbidden("Moderators cannot " + action + " the room's owner");
        }
    }

    /** The target user id as clients send it; VALIDATION when absent. */
    public static String target(String userId) {
        if (userId == null || userId.isBlank()) {
            throw MeshException.validation("userId is required");
        }
        return userId;
    }

    /** A mute's length: {@code minutes} 1..10080, 10 when absent. */
    public static Duration muteLength(Integer minutes) {
        int value = minutes == null ? ChatCommands.DEFAULT_MUTE_MINUTES : minutes;
        if (value < 1 || value > ChatCommands.MAX_MUTE_MINUTES) {
            throw MeshException.validation("minutes must be between 1 and " + ChatCommands.MAX_MUTE_MINUTES);
        }
        return Duration.ofMinutes(value);
    }

    /** Whether a mute until {@code until} (null: none) is in force at {@code now}. */
    public static boolean muted(Instant until, Instant now) {
        return until != null && until.isAfter(now);
    }

    /** FORBIDDEN while a mute until {@code until} (null: none) is in force at {@code now}. */
    public static void requireNotMuted(Instant until, Instant now) {
        if (muted(until, now)) {
            throw MeshException.forbidden("You are muted in this room until " + until);
        }
    }
}
