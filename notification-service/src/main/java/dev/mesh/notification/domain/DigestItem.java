package dev.mesh.notification.domain;

import java.time.Instant;

/** A low-priority notification waiting for its user's digest, due at {@code dueAt}. */
public record DigestItem(long itemId, String userId, Kind kind, String title, String link, Instant createdAt,
                         Instant dueAt) {
}
