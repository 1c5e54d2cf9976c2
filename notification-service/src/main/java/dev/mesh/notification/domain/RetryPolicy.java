package dev.mesh.notification.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * Retries of a failed delivery: exponential backoff from {@code base}, doubling per attempt up
 * to {@code cap}; after {@code maxAttempts} attempts, or at once for a permanent failure (the
 * server refused the address), the delivery is failed for good and shown to admins.
 */
public record RetryPolicy(int maxAttempts, Duration base, Duration cap) {

    /** After a failed attempt: try again at {@code at}, or {@code at} is null: give up. */
    public record Next(Instant at) {
        public boolean givesUp() {
            return at == null;
        }
    }

    public RetryPolicy {
        if (maxAttempts < 1 || base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("a retry policy needs maxAttempts ≥ 1 and 0 < base ≤ cap");
        }
    }

    /** The wait after the {@code attempts}-th failed attempt (1 → base, 2 → 2 × base, …, at most cap). */
    public Duration delayAfter(int attempts) {
        int doublings = Math.min(Math.max(attempts - 1, 0), 30);
        Duration delay = base.multipliedBy(1L << doublings);
        return delay.compareTo(cap) > 0 ? cap : delay;
    }

    public Next afterFailure(int attempts, boolean permanent, Instant now) {
        if (permanent || attempts >= maxAttempts) {
            return new Next(null);
        }
        return new Next(now.plus(delayAfter(attempts)));
    }
}
