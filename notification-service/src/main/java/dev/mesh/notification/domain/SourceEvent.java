package dev.mesh.notification.domain;

import java.util.List;

/** The facts of other services that may notify someone, as the rules need them. */
public sealed interface SourceEvent {

    String eventId();

    /** {@code MessagePosted}: {@code mentions} are user ids; {@code recipientId} is set in a direct conversation. */
    record Message(String eventId, String roomId, String messageId, String authorId, String content,
                   List<String> mentions, String replyToAuthorId, String recipientId) implements SourceEvent {
    }

    /** {@code MemberInvited}: {@code userId} was invited to a room by {@code invitedBy}. */
    record Invite(String eventId, String roomId, String userId, String invitedBy) implements SourceEvent {
    }

    /** {@code QuizSessionOpened}; {@code roomId} null for a session outside any room. */
    record QuizOpened(String eventId, String sessionId, String quizId, String roomId, String hostId)
            implements SourceEvent {
    }

    /** {@code QuizCompleted}; {@code participants} may be empty when the event does not list them. */
    record QuizCompleted(String eventId, String sessionId, String quizId, String roomId, String hostId,
                         List<String> participants) implements SourceEvent {
    }

    /** {@code UserMuted}, {@code UserUnmuted} or {@code UserKicked}; {@code until} only for a mute (epoch ms). */
    record Moderation(String eventId, String roomId, String userId, Action action, String by, Long until)
            implements SourceEvent {
        public enum Action { muted, unmuted, kicked }
    }

    /** An announcement to its resolved recipients (the sender among them). */
    record Announcement(String eventId, String senderId, String title, String body, Priority priority,
                        List<String> recipients) implements SourceEvent {
    }
}
