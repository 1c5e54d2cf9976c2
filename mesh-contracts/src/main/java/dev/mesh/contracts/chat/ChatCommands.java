package dev.mesh.contracts.chat;

import java.util.List;

/** The data of chat client commands (FEATURES.md, Chat). */
public final class ChatCommands {
    public static final String JOIN = "chat:join";
    public static final String LEAVE = "chat:leave";
    public static final String MESSAGE = "chat:message";
    public static final String EDIT = "chat:edit";
    public static final String DELETE = "chat:delete";
    public static final String REACT = "chat:react";
    /** Ephemeral: no id from the client, no reply, no seq. */
    public static final String TYPING = "chat:typing";
    /** A read marker: {@code chat:read {roomId, upToSeq}}. */
    public static final String READ = "chat:read";
    /** Moderation of a member by the room's owner or moderators, or an admin. */
    public static final String MODERATE = "chat:moderate";

    /** The longest mute, in minutes (a week), and the one given when {@code minutes} is absent. */
    public static final int MAX_MUTE_MINUTES = 10080;
    public static final int DEFAULT_MUTE_MINUTES = 10;

    /** Content limit after trim, in characters (FEATURES.md). */
    public static final int MAX_CONTENT_CHARS = 2000;

    private ChatCommands() {
    }

    /** {@code chat:join {roomId, sinceSeq?}}: join and resume are one command. */
    public record JoinRoom(String roomId, Long sinceSeq) {
    }

    /** {@code chat:leave {roomId}}: idempotent; every session of the user is detached from the room. */
    public record LeaveRoom(String roomId) {
    }

    /** {@code chat:message}: to a room by {@code roomId}, or a DM by {@code recipientId}. */
    public record PostMessage(String roomId, String recipientId, String content, String type, String replyTo,
                              List<String> mentions, String attachmentId) {
    }

    /** {@code chat:edit {roomId, messageId, content}}. */
    public record EditMessage(String roomId, String messageId, String content) {
    }

    /** {@code chat:delete {roomId, messageId}}: a soft delete; a second one changes nothing. */
    public record DeleteMessage(String roomId, String messageId) {
    }

    /** {@code chat:react {roomId, messageId, emoji}}: toggles the sender's reaction. */
    public record React(String roomId, String messageId, String emoji) {
    }

    /** {@code chat:typing {roomId, isTyping}}: ephemeral. */
    public record Typing(String roomId, Boolean isTyping) {
    }

    /** {@code chat:moderate {roomId, action: mute|unmute|kick, userId, minutes?}}; {@code minutes} for a mute only. */
    public record Moderate(String roomId, String action, String userId, Integer minutes) {
    }

    /** {@code chat:read {roomId, upToSeq}}: everything up to that seq of the room's stream is read. */
    public record Read(String roomId, Long upToSeq) {
    }
}
