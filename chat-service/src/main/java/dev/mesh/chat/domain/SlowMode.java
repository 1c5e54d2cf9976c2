package dev.mesh.chat.domain;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.wire.ErrorCode;
import dev.mesh.contracts.wire.MeshException;

/**
 * Slow mode: with {@code slowModeSeconds} > 0 a member posts at most once per that many
 * seconds in the room; the owner, moderators and admins are exempt. Exact, because the last
 * post time is stored on the member's row and checked under its lock. Pure.
 */
public final class SlowMode {

    private SlowMode() {
    }

    /**
     * Refuses a post at {@code now} when the member's previous one ({@code lastPostedAt}, null if
     * none) is too recent, saying how long to wait ({@code retryAfterMs} in the error's data).
     */
    public static void check(boolean exempt, int slowModeSeconds, Long lastPostedAt, long now) {
        if (exempt || slowModeSeconds <= 0 || lastPostedAt == null) {
            return;
        }
        long nextAllowed = lastPostedAt + slowModeSeconds * 1000L;
        if (now < nextAllowed) {
            long waitMs = nextAllowed - now;
            long waitSeconds = (waitMs + 999) / 1000;
            throw new MeshException(ErrorCode.RATE_LIMITED,
                    "Slow mode: one message every " + slowModeSeconds + " s; wait " + waitSeconds + " s",
                    MeshJson.object().put("retryAfterMs", waitMs));
        }
    }
}
