package dev.mesh.contracts.chat;

import java.util.List;
import java.util.Map;

/**
 * What chat-service tells the world: client events on {@code chat:room:<id>} and domain
 * events on {@code chat.events} (facts, each with an {@code eventId}).
 */
public final class ChatEvents {
    /** Client event: a message in a room, with its stream {@code seq}. */
    public static final String MESSAGE = "chat:message";
    public static final String USER_JOINED = "chat:user_joined";
    public static final String USER_LEFT = "chat:user_left";
    public static final String MESSAGE_EDITED = "chat:message_edited";
    public static final String MESSAGE_DELETED = "chat:message_deleted";
    public static final String REACTION_UPDATED = "chat:reaction_updated";
    /** Ephemeral: no seq, not replayed. */
    public static final String TYPING_UPDATE = "chat:typing_update";
    /** To the authors of messages just read, in direct conversations and small rooms; no seq. */
    public static final String READ_RECEIPT = "chat:read_receipt";
    /** To every session of a reader ({@code user:<id>}), so their other devices update; no seq. */
    public static final String UNREAD = "chat:unread";
    public static final String ROOM_UPDATED = "chat:room_updated";
    public static final String MEMBER_UPDATED = "chat:member_updated";
    public static final String ROOM_DELETED = "chat:room_deleted";
    public static final String INVITED = "chat:invited";
    /** To the moderated user only ({@code user:<id>}), no seq: a moderation action on them. */
    public static final String MODERATED = "chat:moderated";

    private ChatEvents() {
    }

    /**
     * The data of a {@code chat:message} frame; {@code clientRef} is the sender's command id. In
     * history pages and a join's snapshot it is the message's current state at the seq it was
     * posted with: {@code editedAt} once edited (with the edited content), {@code deleted} true and
     * no content for a tombstone, and {@code reactions} (emoji → count). {@code attachment} is the
     * file a {@code file} message carries. Absent fields are null.
     */
    public record ChatMessage(String messageId, String roomId, long seq, String userId, String userName,
                              String content, String type, String replyTo, List<String> mentions, long createdAt,
                              String clientRef, Long editedAt, Boolean deleted, Map<String, Integer> reactions,
                              Attachment attachment) {

        /** A message as posted: never edited, not deleted, no reactions. */
        public ChatMessage(String messageId, String roomId, long seq, String userId, String userName,
                           String content, String type, String replyTo, List<String> mentions, long createdAt,
                           String clientRef, Attachment attachment) {
            this(messageId, roomId, seq, userId, userName, content, type, replyTo, mentions, createdAt, clientRef,
                    null, null, null, attachment);
        }

        /** The same message with its reaction counts. */
        public ChatMessage withReactions(Map<String, Integer> counts) {
            return new ChatMessage(messageId, roomId, seq, userId, userName, content, type, replyTo, mentions,
                    createdAt, clientRef, editedAt, deleted, counts, attachment);
        }
    }

    /** A file attached to a message; its bytes are at {@code GET /api/chat/attachments/{id}} (members only). */
    public record Attachment(String id, String name, String contentType, long size) {
    }

    /** The data of a {@code chat:message_edited} frame (with a seq). */
    public record EditedMessage(String messageId, String roomId, String content, long editedAt, String editedBy) {
    }

    /** The data of a {@code chat:message_deleted} frame (with a seq). */
    public record DeletedMessage(String messageId, String roomId, long deletedAt, String deletedBy) {
    }

    /** The data of a {@code chat:reaction_updated} frame (with a seq); {@code counts} is every emoji's count after the change. */
    public record ReactionUpdated(String messageId, String roomId, String emoji, String userId, boolean added,
                                  Map<String, Integer> counts) {
    }

    /** The data of a {@code chat:typing_update} frame: ephemeral, no seq. */
    public record TypingUpdate(String roomId, String userId, String name, boolean isTyping) {
    }

    /** The data of a {@code chat:read_receipt} frame: {@code userId} has read up to {@code upToSeq}. */
    public record ReadReceipt(String roomId, String userId, String name, long upToSeq, long readAt) {
    }

    /** The data of a {@code chat:unread} frame and of {@code chat:read}'s ack: the reader's marker and unread count. */
    public record Unread(String roomId, long lastReadSeq, long unreadCount) {
    }

    /** The data of a {@code chat:user_joined} frame. */
    public record UserJoined(String roomId, String userId, String name, int memberCount) {
    }

    /** The data of a {@code chat:user_left} frame; {@code memberCount} is the count after the leave. */
    public record UserLeft(String roomId, String userId, String name, int memberCount) {
    }

    /**
     * The data of a {@code chat:moderated} frame: {@code action} mute/unmute/kick, {@code by} the
     * moderator's user id, {@code until} (epoch ms) for a mute only.
     */
    public record Moderated(String roomId, String action, String by, Long until) {
    }

    /** A room as the API and the join's ack show it. */
    public record Room(String id, String name, String type, String description, int maxMembers, int slowModeSeconds,
                       boolean allowFiles, int historyRetentionDays, String createdBy, long createdAt) {
    }

    /** The data of a {@code chat:room_updated} frame (with a seq): the room's settings after a change. */
    public record RoomUpdated(Room room, String updatedBy) {
    }

    /** The data of a {@code chat:member_updated} frame (with a seq): a member's new role. */
    public record MemberUpdated(String roomId, String userId, String name, String role, String updatedBy) {
    }

    /** The data of a {@code chat:room_deleted} frame (no seq: the stream ends with it). */
    public record DeletedRoom(String roomId, String deletedBy) {
    }

    /** The data of a {@code chat:invited} frame, to the invitee's sessions ({@code user:<id>}, no seq). */
    public record Invited(String roomId, String roomName, String roomType, String invitedBy, long invitedAt) {
    }

    // Domain events on chat.events (written with their type name: DomainEvents)

    public record RoomCreated(String eventId, String roomId, String name, String roomType, String createdBy,
                              long createdAt) {
    }

    public record MemberJoined(String eventId, String roomId, String userId, long joinedAt) {
    }

    /** {@code userId} was invited to the room by {@code invitedBy}. */
    public record MemberInvited(String eventId, String roomId, String roomName, String userId, String invitedBy,
                                long at) {
    }

    /** The room and its history are gone; its members are members no more. */
    public record RoomDeleted(String eventId, String roomId, String deletedBy, long at) {
    }

    public record MemberLeft(String eventId, String roomId, String userId, long leftAt) {
    }

    /**
     * A message: {@code mentions} are user ids, {@code replyToAuthorId} the author of the message
     * replied to, {@code recipientId} the other user of a direct conversation (null elsewhere).
     */
    public record MessagePosted(String eventId, String roomId, String messageId, long seq, String authorId,
                                String content, List<String> mentions, String replyTo, String replyToAuthorId,
                                long createdAt, String recipientId) {
    }

    /** A message's content replaced by {@code editedBy}. */
    public record MessageEdited(String eventId, String roomId, String messageId, long seq, String authorId,
                                String editedBy, String content, long editedAt) {
    }

    /** A message soft-deleted by {@code deletedBy}. */
    public record MessageDeleted(String eventId, String roomId, String messageId, long seq, String authorId,
                                 String deletedBy, long deletedAt) {
    }

    /** A member muted in a room until {@code until} (epoch ms) by {@code by}. */
    public record UserMuted(String eventId, String roomId, String userId, String by, long at, long until) {
    }

    public record UserUnmuted(String eventId, String roomId, String userId, String by, long at) {
    }

    /** A member removed from a room by {@code by}; {@code MemberLeft} is published with it. */
    public record UserKicked(String eventId, String roomId, String userId, String by, long at) {
    }
}
