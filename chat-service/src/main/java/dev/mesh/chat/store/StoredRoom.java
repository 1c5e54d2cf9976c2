package dev.mesh.chat.store;

import dev.mesh.chat.domain.RoomAdministration;
import dev.mesh.chat.domain.RoomType;
import dev.mesh.contracts.chat.ChatEvents;

/** A row of {@code chat_rooms}. */
public record StoredRoom(String id, String name, RoomType type, String description, int maxMembers,
                         int slowModeSeconds, boolean allowFiles, int historyRetentionDays, String createdBy,
                         long createdAt) {

    /** The room as the API and the join's ack show it. */
    public ChatEvents.Room view() {
        return new ChatEvents.Room(id, name, type.value(), description, maxMembers, slowModeSeconds, allowFiles,
                historyRetentionDays, createdBy, createdAt);
    }

    /** The settings its owner may change. */
    public RoomAdministration.Settings settings() {
        return new RoomAdministration.Settings(name, description, maxMembers, slowModeSeconds, allowFiles,
                historyRetentionDays);
    }

    public StoredRoom with(RoomAdministration.Settings settings) {
        return new StoredRoom(id, settings.name(), type, settings.description(), settings.maxMembers(),
                settings.slowModeSeconds(), settings.allowFiles(), settings.historyRetentionDays(), createdBy, createdAt);
    }
}
