package dev.mesh.notification.domain;

/**
 * A notification to create: for {@code userId}, because of the source event {@code sourceId}
 * (a domain event's eventId, or an announcement's id). At most one per (user, source event).
 */
public record Draft(String userId, Kind kind, Priority priority, String title, String body, String link,
                    String sourceId) {
}
