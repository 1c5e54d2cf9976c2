package dev.mesh.notification.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Who gets what (FEATURES.md, Notifications). Each rule turns one source event into at most one
 * draft per user: when a user qualifies twice (mentioned in a reply to them, say), the more
 * specific kind wins — a DM, then a mention, then a reply. The actor of an event is never
 * notified of their own act, except the sender of an announcement (who sees it like everyone).
 */
public final class NotificationRules {

    /** Longest message excerpt in a notification's body, in code points. */
    public static final int EXCERPT = 140;

    private NotificationRules() {
    }

    /**
     * {@code MessagePosted}: the recipient of a DM who is offline gets {@code dm}; mentioned users get
     * {@code mention}; the author of the message replied to gets {@code reply}.
     *
     * @param authorName how the author is shown (their id when unknown)
     * @param online     whether a user is online now (per presence.events)
     */
    public static List<Draft> forMessage(SourceEvent.Message message, String authorName, Predicate<String> online) {
        Map<String, Draft> byUser = new LinkedHashMap<>();
        String link = roomLink(message.roomId()) + "?message=" + message.messageId();
        String excerpt = excerpt(message.content());
        String author = message.authorId();
        if (message.recipientId() != null && !message.recipientId().equals(author)
                && !online.test(message.recipientId())) {
            byUser.put(message.recipientId(), new Draft(message.recipientId(), Kind.dm, Kind.dm.defaultPriority(),
                    "New message from " + authorName, excerpt, link, message.eventId()));
        }
        if (message.mentions() != null) {
            for (String mentioned : message.mentions()) {
                if (mentioned != null && !mentioned.isBlank() && !mentioned.equals(author)) {
                    byUser.putIfAbsent(mentioned, new Draft(mentioned, Kind.mention, Kind.mention.defaultPriority(),
                            authorName + " mentioned you", excerpt, link, message.eventId()));
                }
            }
        }
        String repliedTo = message.replyToAuthorId();
        if (repliedTo != null && !repliedTo.equals(author)) {
            byUser.putIfAbsent(repliedTo, new Draft(repliedTo, Kind.reply, Kind.reply.defaultPriority(),
                    authorName + " replied to your message", excerpt, link, message.eventId()));
        }
        return List.copyOf(byUser.values());
    }

    /** {@code MemberInvited}: the invited user, unless they invited themselves. */
    public static List<Draft> forInvite(SourceEvent.Invite invite, String inviterName, String roomName) {
        if (invite.userId() == null || invite.userId().equals(invite.invitedBy())) {
            return List.of();
        }
        return List.of(new Draft(invite.userId(), Kind.invite, Kind.invite.defaultPriority(),
                inviterName + " invited you to " + roomName, "You can join the room now.",
                roomLink(invite.roomId()), invite.eventId()));
    }

    /** {@code QuizSessionOpened} for a room: every member of the room but the host. No room, nobody. */
    public static List<Draft> forQuizOpened(SourceEvent.QuizOpened opened, String roomName,
                                            Collection<String> roomMembers) {
        if (opened.roomId() == null) {
            return List.of();
        }
        List<Draft> drafts = new ArrayList<>();
        for (String member : distinct(roomMembers)) {
            if (!member.equals(opened.hostId())) {
                drafts.add(new Draft(member, Kind.quiz_opened, Kind.quiz_opened.defaultPriority(),
                        "A quiz is open in " + roomName, "Join the session before it starts.",
                        sessionLink(opened.sessionId()), opened.eventId()));
            }
        }
        return drafts;
    }

    /**
     * {@code QuizCompleted}: the host, the participants the event names, and the members of the
     * session's room (who may have played) — each once.
     */
    public static List<Draft> forQuizCompleted(SourceEvent.QuizCompleted completed, Collection<String> roomMembers) {
        List<String> recipients = new ArrayList<>();
        if (completed.hostId() != null) {
            recipients.add(completed.hostId());
        }
        if (completed.participants() != null) {
            recipients.addAll(completed.participants());
        }
        if (completed.roomId() != null) {
            recipients.addAll(roomMembers);
        }
        return distinct(recipients).stream()
                .map(user -> new Draft(user, Kind.quiz_results, Kind.quiz_results.defaultPriority(),
                        "Quiz results are ready", "See the final ranking of the session.",
                        sessionLink(completed.sessionId()) + "/results", completed.eventId()))
                .toList();
    }

    /** A moderation action on a user: that user, unless they acted on themselves. */
    public static List<Draft> forModeration(SourceEvent.Moderation moderation, String roomName) {
        if (moderation.userId() == null || moderation.userId().equals(moderation.by())) {
            return List.of();
        }
        String title = switch (moderation.action()) {
            case muted -> "You were muted in " + roomName;
            case unmuted -> "You can write again in " + roomName;
            case kicked -> "You were removed from " + roomName;
        };
        String body = switch (moderation.action()) {
            case muted -> "A moderator muted you" + (moderation.until() == null ? "." : " until a set time.");
            case unmuted -> "A moderator lifted your mute.";
            case kicked -> "A moderator removed you from the room.";
        };
        return List.of(new Draft(moderation.userId(), Kind.moderation, Kind.moderation.defaultPriority(), title, body,
                roomLink(moderation.roomId()), moderation.eventId()));
    }

    /** An announcement: every recipient, the sender included, once each. */
    public static List<Draft> forAnnouncement(SourceEvent.Announcement announcement) {
        Priority priority = announcement.priority() == null ? Kind.announcement.defaultPriority()
                : announcement.priority();
        return distinct(announcement.recipients()).stream()
                .map(user -> new Draft(user, Kind.announcement, priority, announcement.title(), announcement.body(),
                        "/announcements/" + announcement.eventId(), announcement.eventId()))
                .toList();
    }

    static String excerpt(String content) {
        if (content == null) {
            return "";
        }
        String text = content.strip();
        if (text.codePointCount(0, text.length()) <= EXCERPT) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, EXCERPT - 1)) + "…";
    }

    private static String roomLink(String roomId) {
        return "/rooms/" + roomId;
    }

    private static String sessionLink(String sessionId) {
        return "/quiz/sessions/" + sessionId;
    }

    private static List<String> distinct(Collection<String> users) {
        return users.stream().filter(u -> u != null && !u.isBlank()).distinct().toList();
    }
}
