package dev.mesh.contracts.presence;

import java.util.List;

/** The data of presence client commands (FEATURES.md, Presence). */
public final class PresenceCommands {
    public static final String SET = "presence:set";
    public static final String SUBSCRIBE = "presence:subscribe";
    /** Ephemeral, handled by the gateway: the user did something (turned into a throttled SessionActive). */
    public static final String ACTIVITY = "presence:activity";

    private PresenceCommands() {
    }

    /**
     * {@code presence:set}: {@code status} one of online/away/busy ({@code online} clears a set
     * away/busy); custom {@code text} ≤ 100 code points, optional {@code emoji} and {@code expiresAt}
     * (epoch ms) after which the text and emoji are cleared.
     */
    public record SetPresence(String status, String text, String emoji, Long expiresAt) {
    }

    /** {@code presence:subscribe}: users who share a room with the caller. */
    public record Subscribe(List<String> userIds) {
    }
}
