package dev.mesh.contracts.notification;

import java.util.List;

/** The data of notification client commands (FEATURES.md, Notifications); all keyed by the user's id. */
public final class NotificationCommands {
    public static final String SYNC = "notification:sync";
    public static final String READ = "notification:read";
    public static final String READ_ALL = "notification:read_all";

    private NotificationCommands() {
    }

    /**
     * {@code notification:sync {sinceSeq?}}, sent by the client after every connect: attaches the
     * session to {@code notifications:user:<id>} and replays what it missed after {@code sinceSeq}.
     */
    public record Sync(Long sinceSeq) {
    }

    /** {@code notification:read}: either {@code ids} or {@code upToSeq} (every notification with a seq up to it). */
    public record Read(List<String> ids, Long upToSeq) {
    }

    /** The ack of {@code notification:sync}: the stream's last seq, whether the gap was replayed, the unread count. */
    public record Synced(long lastSeq, boolean recovered, long unread) {
    }

    /** The ack of {@code notification:read} and {@code notification:read_all}. */
    public record ReadResult(int updated, long unread) {
    }
}
