package dev.mesh.notification.domain;

import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.MeshException;

/**
 * Who may announce to whom (FEATURES.md): an admin to everyone, to a role or to a room's members;
 * an instructor to the members of a room they own; nobody else.
 */
public final class Announcements {

    public static final int MAX_TITLE = 200;
    public static final int MAX_BODY = 4000;

    public enum AudienceKind { all, role, room }

    /** A validated announcement: what, how urgent, to whom ({@code audienceId} a role or a room id). */
    public record Checked(String title, String body, Priority priority, AudienceKind audience, String audienceId) {
    }

    private Announcements() {
    }

    /**
     * @param ownsRoom whether the sender owns the room named by the audience (asked only for a room audience)
     */
    public static Checked check(UserRef sender, String title, String body, String priority, String audienceKind,
                                String audienceId, java.util.function.Predicate<String> ownsRoom) {
        String cleanTitle = text(title, "title", MAX_TITLE);
        String cleanBody = text(body, "body", MAX_BODY);
        Priority level = priority == null ? Kind.announcement.defaultPriority()
                : Priority.parse(priority).orElseThrow(() -> MeshException.validation(
                        "priority must be low, normal, high or critical"));
        AudienceKind kind;
        try {
            kind = AudienceKind.valueOf(audienceKind == null ? "" : audienceKind);
        } catch (IllegalArgumentException e) {
            throw MeshException.validation("audience.kind must be all, role or room");
        }
        if (kind != AudienceKind.all && (audienceId == null || audienceId.isBlank())) {
            throw MeshException.validation("audience.id is required for a " + kind + " audience");
        }
        boolean admin = sender.roles().contains("admin");
        boolean instructor = sender.roles().contains("instructor");
        if (!admin) {
            if (!instructor) {
                throw MeshException.forbidden("Only admins and instructors may post announcements");
            }
            if (kind != AudienceKind.room) {
                throw MeshException.forbidden("Instructors may announce only to the members of their own rooms");
            }
            if (!ownsRoom.test(audienceId)) {
                throw MeshException.forbidden("You may announce only to the members of rooms you own");
            }
        }
        return new Checked(cleanTitle, cleanBody, level, kind, kind == AudienceKind.all ? null : audienceId.strip());
    }

    private static String text(String value, String field, int max) {
        String clean = value == null ? "" : value.strip();
        if (clean.isEmpty()) {
            throw MeshException.validation(field + " is required");
        }
        if (clean.codePointCount(0, clean.length()) > max) {
            throw MeshException.validation(field + " must be at most " + max + " characters");
        }
        return clean;
    }
}
