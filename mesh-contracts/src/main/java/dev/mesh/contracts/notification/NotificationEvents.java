package dev.mesh.contracts.notification;

/**
 * What notification-service tells clients: {@code notification:new} on
 * {@code notifications:user:<id>} (with a {@code seq}) and {@code notification:unread} to the same
 * topic without a seq (the next count supersedes it).
 */
public final class NotificationEvents {
    public static final String NEW = "notification:new";
    public static final String UNREAD = "notification:unread";

    public static final String KIND_MENTION = "mention";
    public static final String KIND_DM = "dm";
    public static final String KIND_REPLY = "reply";
    public static final String KIND_INVITE = "invite";
    public static final String KIND_QUIZ_OPENED = "quiz_opened";
    public static final String KIND_QUIZ_RESULTS = "quiz_results";
    public static final String KIND_MODERATION = "moderation";
    public static final String KIND_ANNOUNCEMENT = "announcement";

    private NotificationEvents() {
    }

    /**
     * A notification as the client sees it (the data of {@code notification:new}, an item of the
     * HTTP list): {@code kind} one of the KIND_ names, {@code priority} low/normal/high/critical,
     * {@code link} a room, message or quiz session reference, {@code readAt} null while unread.
     */
    public record Notification(String id, String kind, String title, String body, String link, String priority,
                               long seq, long createdAt, Long readAt) {
    }

    /** The data of {@code notification:unread}. */
    public record Unread(long count) {
    }
}
