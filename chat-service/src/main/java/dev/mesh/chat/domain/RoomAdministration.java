package dev.mesh.chat.domain;

import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.MeshException;

/**
 * Who may change a room and how (FEATURES: room CRUD, invites, owner and moderators). The owner
 * and admins change its settings, delete it and name moderators; moderators (and they) invite,
 * and set slow mode, a moderation tool. Direct conversations have none of this. Pure: the caller
 * brings the facts ({@code role} is the actor's role in the room, null when not a member).
 */
public final class RoomAdministration {

    /** The longest slow mode, one hour between two messages of a member. */
    public static final int MAX_SLOW_MODE_SECONDS = 3600;

    /** How long a room keeps its history unless told otherwise (FEATURES), and the bounds. */
    public static final int DEFAULT_RETENTION_DAYS = 365;
    public static final int MAX_RETENTION_DAYS = 3650;

    /** A change of settings; null fields stay as they are. */
    public record Patch(String name, String description, Integer maxMembers, Integer slowModeSeconds,
                        Boolean allowFiles, Integer historyRetentionDays) {
    }

    /** The settings after a patch. */
    public record Settings(String name, String description, int maxMembers, int slowModeSeconds, boolean allowFiles,
                           int historyRetentionDays) {
    }

    private RoomAdministration() {
    }

    /**
     * Applies {@code patch} to {@code current} for {@code actor}; {@code memberCount} bounds how
     * far capacity may shrink.
     */
    public static Settings update(UserRef actor, RoomType type, MemberRole role, Settings current, int memberCount,
                                  Patch patch) {
        notDirect(type);
        boolean owns = owns(actor, role);
        boolean settingsOnlyModeratorsMayChange = patch.name() == null && patch.description() == null
                && patch.maxMembers() == null && patch.allowFiles() == null && patch.historyRetentionDays() == null;
        if (!owns && !(settingsOnlyModeratorsMayChange && role == MemberRole.moderator)) {
            throw MeshException.forbidden(role == MemberRole.moderator
                    ? "Moderators may change slow mode only; the owner and admins change the rest"
                    : "Only the room's owner and admins change it");
        }
        String name = current.name();
        if (patch.name() != null) {
            name = patch.name().strip();
            if (name.isEmpty() || name.codePointCount(0, name.length()) > RoomSpec.MAX_NAME_CHARS) {
                throw MeshException.validation("A room name must have 1 to " + RoomSpec.MAX_NAME_CHARS + " characters");
            }
        }
        String description = current.description();
        if (patch.description() != null) {
            description = patch.description().isBlank() ? null : patch.description().strip();
            if (description != null && description.codePointCount(0, description.length()) > RoomSpec.MAX_DESCRIPTION_CHARS) {
                throw MeshException.validation("A room description must have at most " + RoomSpec.MAX_DESCRIPTION_CHARS
                        + " characters");
            }
        }
        int maxMembers = current.maxMembers();
        if (patch.maxMembers() != null) {
            maxMembers = patch.maxMembers();
            if (maxMembers < RoomSpec.MIN_MAX_MEMBERS || maxMembers > RoomSpec.MAX_MAX_MEMBERS) {
                throw MeshException.validation("maxMembers must be between " + RoomSpec.MIN_MAX_MEMBERS + " and "
                        + RoomSpec.MAX_MAX_MEMBERS);
            }
            if (maxMembers < memberCount) {
                throw MeshException.conflict("The room has " + memberCount + " members; maxMembers cannot be below that");
            }
        }
        int slowMode = current.slowModeSeconds();
        if (patch.slowModeSeconds() != null) {
            slowMode = patch.slowModeSeconds();
            if (slowMode < 0 || slowMode > MAX_SLOW_MODE_SECONDS) {
                throw MeshException.validation("slowModeSeconds must be between 0 and " + MAX_SLOW_MODE_SECONDS);
            }
        }
        boolean allowFiles = patch.allowFiles() == null ? current.allowFiles() : patch.allowFiles();
        int retention = current.historyRetentionDays();
        if (patch.historyRetentionDays() != null) {
            retention = patch.historyRetentionDays();
            if (retention < 1 || retention > MAX_RETENTION_DAYS) {
                throw MeshException.validation("historyRetentionDays must be between 1 and " + MAX_RETENTION_DAYS);
            }
        }
        return new Settings(name, description, maxMembers, slowMode, allowFiles, retention);
    }

    /** Deleting a room (with its history) is its owner's or an admin's. */
    public static void delete(UserRef actor, RoomType type, MemberRole role) {
        notDirect(type);
        if (!owns(actor, role)) {
            throw MeshException.forbidden("Only the room's owner and admins delete it");
        }
    }

    /**
     * Inviting {@code inviteeId} (who is a member already when {@code inviteeMember}): the owner,
     * moderators and admins invite; an invitation is what lets someone join a private room or a
     * study group.
     */
    public static String invite(UserRef actor, RoomType type, MemberRole role, String inviteeId, boolean inviteeMember) {
        notDirect(type);
        if (!MessageRules.moderates(actor, type, role)) {
            throw MeshException.forbidden("Only the room's owner and moderators, and admins, invite");
        }
        String invitee = RoomAccess.directRecipient(actor, inviteeId);
        if (inviteeMember) {
            throw MeshException.conflict(invitee + " is a member already");
        }
        return invitee;
    }

    /** Withdrawing an invitation: by whoever may invite, or declined by the invitee. */
    public static void uninvite(UserRef actor, RoomType type, MemberRole role, String inviteeId) {
        if (!actor.id().equals(inviteeId) && !MessageRules.moderates(actor, type, role)) {
            throw MeshException.forbidden("Only the invitee, the room's owner and moderators, and admins withdraw an invitation");
        }
    }

    /** Naming a moderator or making one a member again: the owner's or an admin's; the owner's role is fixed. */
    public static MemberRole changeRole(UserRef actor, RoomType type, MemberRole role, MemberRole targetRole,
                                        String newRole) {
        notDirect(type);
        if (!owns(actor, role)) {
            throw MeshException.forbidden("Only the room's owner and admins name moderators");
        }
        if (targetRole == null) {
            throw MeshException.notFound("Not a member of this room");
        }
        if (targetRole == MemberRole.owner) {
            throw MeshException.validation("The owner's role cannot change");
        }
        if ("moderator".equals(newRole)) {
            return MemberRole.moderator;
        }
        if ("member".equals(newRole)) {
            return MemberRole.member;
        }
        throw MeshException.validation("role must be moderator or member");
    }

    private static boolean owns(UserRef actor, MemberRole role) {
        return role == MemberRole.owner || actor.isAdmin();
    }

    private static void notDirect(RoomType type) {
        if (type == RoomType.DIRECT) {
            throw MeshException.validation("A direct conversation has no settings, invitations or moderators");
        }
    }
}
