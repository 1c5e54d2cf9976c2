package dev.mesh.notification.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * When a notification is emailed (FEATURES.md, Notifications, delivery channels):
 * <ul>
 * <li>{@code critical}: at once, quiet hours or not;</li>
 * <li>{@code high}: at once, or when the user's quiet hours end;</li>
 * <li>{@code normal}: at once (or after quiet hours) if the user has been offline for more than
 * {@code offlineThreshold} (10 minutes), otherwise not at all;</li>
 * <li>{@code low}: in the digest of the period it falls in ({@code digestPeriod}, an hour), sent
 * when the period ends (or after quiet hours).</li>
 * </ul>
 * Never when the user has no address or turned email off for that kind.
 */
public final class EmailPolicy {

    private final Duration offlineThreshold;
    private final Duration digestPeriod;

    public EmailPolicy(Duration offlineThreshold, Duration digestPeriod) {
        if (digestPeriod.isZero() || digestPeriod.isNegative()) {
            throw new IllegalArgumentException("the digest period must be positive");
        }
        this.offlineThreshold = offlineThreshold;
        this.digestPeriod = digestPeriod;
    }

    public EmailDecision decide(Kind kind, Priority priority, String address, Preferences preferences,
                                PresenceState presence, Instant now) {
        if (address == null) {
            return new EmailDecision.None("no email address");
        }
        if (!preferences.enabled(kind, Channel.email)) {
            return new EmailDecision.None("email turned off for " + kind.wire());
        }
        return switch (priority) {
            case critical -> new EmailDecision.Send(now);
            case high -> new EmailDecision.Send(afterQuietHours(preferences, now));
            case normal -> presence.offlineLongerThan(offlineThreshold, now)
                    ? new EmailDecision.Send(afterQuietHours(preferences, now))
                    : new EmailDecision.None("the user was online recently");
            case low -> new EmailDecision.Digest(afterQuietHours(preferences, periodEnd(now)));
        };
    }

    /** The end of the digest period {@code at} falls in (periods are aligned on the epoch: whole UTC hours). */
    public Instant periodEnd(Instant at) {
        long period = digestPeriod.toMillis();
        long millis = at.toEpochMilli();
        return Instant.ofEpochMilli(Math.floorDiv(millis, period) * period + period);
    }

    private static Instant afterQuietHours(Preferences preferences, Instant at) {
        QuietHours quiet = preferences.quietHours();
        return quiet == null ? at : quiet.endAfter(at);
    }
}
