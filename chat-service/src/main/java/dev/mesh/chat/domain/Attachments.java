package dev.mesh.chat.domain;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import dev.mesh.contracts.wire.MeshException;

/**
 * The rules for files attached to messages: members upload to rooms that allow files, up to a
 * size, of a type on the allow-list whose bytes really are that type (a PNG starts like a PNG;
 * text is UTF-8), under a name with no path or control characters. A message carries a file its
 * author uploaded to the same room. Pure.
 */
public final class Attachments {

    public static final int MAX_NAME_CHARS = 200;

    private Attachments() {
    }

    /** Who may upload: members of rooms that allow files. */
    public static void mayUpload(boolean member, boolean allowFiles) {
        if (!member) {
            throw MeshException.forbidden("Join the room before uploading files to it");
        }
        if (!allowFiles) {
            throw MeshException.forbidden("This room does not allow files");
        }
    }

    /** The content type to store: the declared one, lower-cased without parameters, if allowed and true to the bytes. */
    public static String contentType(String declared, byte[] data, long maxBytes, List<String> allowed) {
        if (data.length == 0) {
            throw MeshException.validation("The file is empty");
        }
        if (data.length > maxBytes) {
            throw MeshException.validation("A file can be at most " + maxBytes / (1024 * 1024) + " MB");
        }
        String type = declared == null ? "" : declared.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!allowed.contains(type)) {
            throw MeshException.validation("Files of type '" + type + "' are not accepted; accepted: " + String.join(", ", allowed));
        }
        if (!matches(type, data)) {
            throw MeshException.validation("The file's content is not " + type);
        }
        return type;
    }

    /** The name to store: its last path segment, without control characters, at most 200 characters. */
    public static String name(String raw) {
        String name = raw == null ? "" : raw;
        name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        StringBuilder clean = new StringBuilder();
        name.codePoints().filter(c -> !Character.isISOControl(c)).forEach(clean::appendCodePoint);
        name = clean.toString().strip();
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            return "file";
        }
        return name.codePointCount(0, name.length()) > MAX_NAME_CHARS
                ? name.substring(0, name.offsetByCodePoints(0, MAX_NAME_CHARS))
                : name;
    }

    /** A message may carry a file its author uploaded to the same room. */
    public static void attach(String uploaderId, String attachmentRoomId, String roomId, String authorId) {
        if (!attachmentRoomId.equals(roomId) || !uploaderId.equals(authorId)) {
            throw MeshException.validation("attachmentId is not a file you uploaded to this room");
        }
    }

    private static boolean matches(String type, byte[] data) {
        return switch (type) {
            case "image/png" -> startsWith(data, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A);
            case "image/jpeg" -> startsWith(data, 0xFF, 0xD8, 0xFF);
            case "image/gif" -> startsWith(data, 'G', 'I', 'F', '8');
            case "image/webp" -> startsWith(data, 'R', 'I', 'F', 'F') && data.length > 12
                    && data[8] == 'W' && data[9] == 'E' && data[10] == 'B' && data[11] == 'P';
            case "application/pdf" -> startsWith(data, '%', 'P', 'D', 'F', '-');
            default -> type.startsWith("text/") ? isUtf8(data) : true;
        };
    }

    private static boolean startsWith(byte[] data, int... prefix) {
        if (data.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((data[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isUtf8(byte[] data) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
