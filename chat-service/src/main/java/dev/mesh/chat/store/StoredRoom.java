package dev.mesh.chat.store;

import dev.mesh.chat.domain.RoomType;
import dev.mesh.contracts.chat.ChatEvents;

/** A row of {@code chat_rooms}. */
public record StoredRoom(String id, String name, RoomType type, String description, int maxMembers,
                         int slowModeSeconds, String createdBy, long createdAt) {

    /** The room as the API and the join's ack show it. */
    public ChatEvents.Room view() {
        return new ChatEvents.Room(id, name, type.value(), description, maxMembers, createdBy, createdAt);
    }
}
