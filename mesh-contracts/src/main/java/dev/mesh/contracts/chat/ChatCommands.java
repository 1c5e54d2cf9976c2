package dev.mesh.contracts.chat;

import java.util.List;

/** The data of chat client commands (FEATURES.md, Chat). */
public final class ChatCommands {
    public static final String JOIN = "chat:join";
    public static final String LEAVE = "chat:leave";
    public static final String MESSAGE = "chat:message";
    public static final String TYPING = "chat:typing";

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
}
