package dev.mesh.chat.domain;

import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.ErrorCode;
import dev.mesh.contracts.wire.MeshException;

/**
 * A room as its creator asked for it, once the creation rule accepted it: only instructors
 * and admins create rooms; direct rooms are made by a first DM, never by hand.
 */
public record RoomSpec(String name, RoomType type, String description, int maxMembers) {

    public static final int MAX_NAME_CHARS = 100;
    public static final int MAX_DESCRIPTION_CHARS = 1000;
    public static final int DEFAULT_MAX_MEMBERS = 100;
    public static final int MIN_MAX_MEMBERS = 2;
    public static final int MAX_MAX_MEMBERS = 1000;

    public static RoomSpec create(UserRef creator, String name, String type, String description, Integer maxMembers) {
        return create(creator, name, type, description, maxMembers, MAX_MAX_MEMBERS);
    }

    /**
     * As above with the largest capacity this deployment allows ({@code mesh.chat.max-room-members},
     * default {@value #MAX_MAX_MEMBERS}; the benchmark profile lifts it).
     */
    public static RoomSpec create(UserRef creator, String name, String type, String description, Integer maxMembers,
                                  int largestCapacity) {
        if (!creator.hasRole("instructor") && !creator.isAdmin()) {
            throw new MeshException(ErrorCode.FORBIDDEN, "Only instructors and admins can create rooms");
        }
        String trimmedName = name == null ? "" : name.strip();
        if (trimmedName.isEmpty() || trimmedName.codePointCount(0, trimmedName.length()) > MAX_NAME_CHARS) {
            throw MeshException.validation("A room name must have 1 to " + MAX_NAME_CHARS + " characters");
        }
        RoomType roomType = RoomType.parse(type).filter(t -> t != RoomType.DIRECT)
                .orElseThrow(() -> MeshException.validation("A room type must be public, private or study_group"));
        String trimmedDescription = description == null || description.isBlank() ? null : description.strip();
        if (trimmedDescription != null
                && trimmedDescription.codePointCount(0, trimmedDescription.length()) > MAX_DESCRIPTION_CHARS) {
            throw MeshException.validation("A room description must have at most " + MAX_DESCRIPTION_CHARS + " characters");
        }
        int capacity = maxMembers == null ? DEFAULT_MAX_MEMBERS : maxMembers;
        if (capacity < MIN_MAX_MEMBERS || capacity > largestCapacity) {
            throw MeshException.validation("maxMembers must be between " + MIN_MAX_MEMBERS + " and " + largestCapacity);
        }
        return new RoomSpec(trimmedName, roomType, trimmedDescription, capacity);
    }
}
