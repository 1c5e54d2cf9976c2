package dev.mesh.notification.domain;

import java.time.Instant;

/** What happens by email to one notification. */
public sealed interface EmailDecision {

    /** An email of its own, sent at {@code at} (now, or when quiet hours end). */
    record Send(Instant at) implements EmailDecision {
    }

    /** A line in the digest sent at {@code at}. */
    record Digest(Instant at) implements EmailDecision {
    }

    /** No email, and why (recorded as a skipped attempt). */
    record None(String reason) implements EmailDecision {
    }
}
