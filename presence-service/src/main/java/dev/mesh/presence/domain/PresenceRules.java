package dev.mesh.presence.domain;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import dev.mesh.contracts.presence.InstanceHeartbeat;
import dev.mesh.contracts.presence.PresenceCommands;
import dev.mesh.contracts.presence.PresenceEvents;
import dev.mesh.contracts.wire.MeshException;

/**
 * The presence rules (FEATURES, Presence; ARCHITECTURE §5 "Presence is crash-accurate"), pure:
 * every function takes the time it runs at, so tests drive a clock of their own.
 *
 * <p>A user is online while any session is open, away when they set it or every session has
 * been idle for {@code awayAfter}, busy when set, and offline only once {@code grace} passed
 * with no session. Sessions are described by their last activity (epoch ms).
 */
public final class PresenceRules {

    public static final int MAX_TEXT_CODE_POINTS = 100;
    public static final int MAX_EMOJI_CODE_POINTS = 16;

    /** How a reconcile moved the user between offline and not offline. */
    public enum Transition { NONE, CAME_ONLINE, WENT_OFFLINE }

    public record Settings(Duration grace, Duration awayAfter) {
        public long graceMs() {
            return grace.toMillis();
        }

        public long awayAfterMs() {
            return awayAfter.toMillis();
        }
    }

    /** The state after a reconcile; {@code changed} when what others see (status, text, emoji) changed. */
    public record Outcome(UserState state, boolean changed, Transition transition) {
    }

    private PresenceRules() {
    }

    /** A session opened: the user is back, any pending offline is cancelled. */
    public static UserState opened(UserState user, long at) {
        return user.withOfflineDueAt(null).seenAt(at);
    }

    /** The user did something on a session. */
    public static UserState active(UserState user, long at) {
        return user.seenAt(at);
    }

    /** A session closed at {@code at}; with none left the grace period starts then. */
    public static UserState closed(UserState user, int sessionsLeft, long at, Settings settings) {
        UserState seen = user.seenAt(at);
        return sessionsLeft > 0 ? seen : seen.withOfflineDueAt(at + settings.graceMs());
    }

    /** A gateway boot is dead when its last heartbeat is older than {@link InstanceHeartbeat#DEAD_AFTER_MS}. */
    public static boolean isDead(long lastHeartbeatAt, long now) {
        return now - lastHeartbeatAt > InstanceHeartbeat.DEAD_AFTER_MS;
    }

    /**
     * The sessions a dead boot held were closed. For a user with none left, the grace period
     * counts from that boot's last heartbeat — the last moment the sessions were known alive —
     * not from the detection, so a crash shows as offline within ~12 s.
     */
    public static UserState bootDied(UserState user, int sessionsLeft, long lastHeartbeatAt, Settings settings) {
        if (sessionsLeft > 0) {
            return user;
        }
        long due = lastHeartbeatAt + settings.graceMs();
        UserState seen = user.seenAt(lastHeartbeatAt);
        return seen.withOfflineDueAt(seen.offlineDueAt() == null ? due : Math.min(seen.offlineDueAt(), due));
    }

    /**
     * {@code presence:set}: status {@code online} clears a set away/busy, {@code away}/{@code busy}
     * set it, no status keeps it. Text and emoji travel together: when either is given they
     * replace the custom status (blank clears it) with the given expiry; when neither is, the
     * custom status is kept.
     */
    public static UserState set(UserState user, PresenceCommands.SetPresence command, long now) {
        UserState next = user;
        if (command.status() != null) {
            next = switch (command.status()) {
                case PresenceEvents.ONLINE -> next.withSetStatus(null);
                case PresenceEvents.AWAY, PresenceEvents.BUSY -> next.withSetStatus(command.status());
                default -> throw MeshException.validation("status must be online, away or busy");
            };
        }
        if (command.text() == null && command.emoji() == null) {
            if (command.expiresAt() != null) {
                throw MeshException.validation("expiresAt needs a text or an emoji");
            }
            return next;
        }
        String text = blankToNull(command.text());
        String emoji = blankToNull(command.emoji());
        if (text != null && text.codePointCount(0, text.length()) > MAX_TEXT_CODE_POINTS) {
            throw MeshException.validation("text is limited to " + MAX_TEXT_CODE_POINTS + " characters");
        }
        if (emoji != null && emoji.codePointCount(0, emoji.length()) > MAX_EMOJI_CODE_POINTS) {
            throw MeshException.validation("emoji is limited to " + MAX_EMOJI_CODE_POINTS + " characters");
        }
        if (command.expiresAt() != null && command.expiresAt() <= now) {
            throw MeshException.validation("expiresAt must be in the future");
        }
        Long expiresAt = text == null && emoji == null ? null : command.expiresAt();
        return next.withCustom(text, emoji, expiresAt);
    }

    /** What others should see now. */
    public static String statusOf(UserState user, List<Long> sessionsLastActive, long now, Settings settings) {
        if (sessionsLastActive.isEmpty()) {
            if (user.offline() || (user.offlineDueAt() != null && user.offlineDueAt() <= now)) {
                return PresenceEvents.OFFLINE;
            }
            // Within the grace period: nothing changes for the world (no flapping).
            return user.setStatus() != null ? user.setStatus() : user.publishedStatus();
        }
        if (user.setStatus() != null) {
            return user.setStatus();
        }
        boolean allIdle = sessionsLastActive.stream().allMatch(lastActive -> now - lastActive >= settings.awayAfterMs());
        return allIdle ? PresenceEvents.AWAY : PresenceEvents.ONLINE;
    }

    /**
     * Brings the state up to {@code now}: clears expired custom text, keeps or starts the
     * grace timer, computes the status and says whether the world must be told. Applying it
     * twice changes nothing the second time, so concurrent scanners are harmless.
     *
     * @param textChanged the caller changed text or emoji (a {@code presence:set})
     */
    public static Outcome reconcile(UserState user, List<Long> sessionsLastActive, long now, Settings settings,
                                    boolean textChanged) {
        UserState next = user;
        boolean changed = textChanged;
        if (next.textExpiresAt() != null && next.textExpiresAt() <= now) {
            changed |= next.text() != null || next.emoji() != null;
            next = next.withCustom(null, null, null);
        }
        if (!sessionsLastActive.isEmpty()) {
            next = next.withOfflineDueAt(null);
        } else if (next.offlineDueAt() == null && !next.offline()) {
            // No session and no timer (should not happen): start the grace period now.
            next = next.withOfflineDueAt(now + settings.graceMs());
        }
        String status = statusOf(next, sessionsLastActive, now, settings);
        if (PresenceEvents.OFFLINE.equals(status)) {
            next = next.withOfflineDueAt(null);
        }
        Transition transition = Transition.NONE;
        if (!Objects.equals(status, user.publishedStatus())) {
            changed = true;
            if (PresenceEvents.OFFLINE.equals(status)) {
                transition = Transition.WENT_OFFLINE;
            } else if (user.offline()) {
                transition = Transition.CAME_ONLINE;
            }
        }
        return new Outcome(next.withPublishedStatus(status), changed, transition);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
