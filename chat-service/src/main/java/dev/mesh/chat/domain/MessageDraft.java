package dev.mesh.chat.domain;

import java.util.List;
import java.util.UUID;

import dev.mesh.contracts.chat.ChatCommands;
import dev.mesh.contracts.wire.MeshException;

/**
 * A message as the content rule accepted it: content trimmed, 1..2000 characters; a type a
 * client may send; a well-formed reply-to; at most ten mentions. A message carrying a file is of
 * type {@code file} and may come without content (its file's name stands in, {@link #withContent}).
 */
public record MessageDraft(String content, String type, UUID replyTo, List<String> mentions) {

    public static final int MAX_MENTIONS = 10;
    public static final String DEFAULT_TYPE = "text";
    // "system" messages are the service's own; a client may not make one.
    private static final List<String> CLIENT_TYPES = List.of("text", "file");

    public static MessageDraft of(String content, String type, String replyTo, List<String> mentions) {
        return new MessageDraft(content(content), type(type), replyTo(replyTo), mentions(mentions));
    }

    /** A message with a file: type {@code file}; content optional (null until {@link #withContent}). */
    public static MessageDraft withFile(String content, String replyTo, List<String> mentions) {
        String text = content == null || content.isBlank() ? null : content(content);
        return new MessageDraft(text, "file", replyTo(replyTo), mentions(mentions));
    }

    /** The draft with content, if it had none. */
    public MessageDraft withContent(String fallback) {
        return content != null ? this : new MessageDraft(content(fallback), type, replyTo, mentions);
    }

    /**
     * Content is stored as plain text, trimmed; counted in characters (code points), not UTF-16
     * units. Control characters other than line breaks and tabs are refused: they show nothing,
     * PostgreSQL cannot store NUL, and search marks its hits with two of them.
     */
    public static String content(String raw) {
        String trimmed = raw == null ? "" : raw.strip();
        if (trimmed.isEmpty()) {
            throw MeshException.validation("A message cannot be empty");
        }
        if (trimmed.codePointCount(0, trimmed.length()) > ChatCommands.MAX_CONTENT_CHARS) {
            throw MeshException.validation("A message can have at most " + ChatCommands.MAX_CONTENT_CHARS + " characters");
        }
        if (trimmed.codePoints().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t')) {
            throw MeshException.validation("A message cannot contain control characters");
        }
        return trimmed;
    }

    private static String type(String type) {
        if (type == null || type.isBlank()) {
            return DEFAULT_TYPE;
        }
        if (!CLIENT_TYPES.contains(type)) {
            throw MeshException.validation("A message type must be text or file");
        }
        return type;
    }

    private static UUID replyTo(String replyTo) {
        if (replyTo == null || replyTo.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(replyTo);
        } catch (IllegalArgumentException e) {
            throw MeshException.validation("replyTo must be a message id");
        }
    }

    private static List<String> mentions(List<String> mentions) {
        if (mentions == null) {
            return List.of();
        }
        List<String> distinct = mentions.stream().filter(m -> m != null && !m.isBlank()).distinct().toList();
        if (distinct.size() > MAX_MENTIONS) {
            throw MeshException.validation("A message can mention at most " + MAX_MENTIONS + " users");
        }
        return distinct;
    }
}
