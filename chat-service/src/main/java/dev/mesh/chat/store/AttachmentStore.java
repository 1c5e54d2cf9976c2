package dev.mesh.chat.store;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

import dev.mesh.contracts.chat.ChatEvents;
import reactor.core.publisher.Mono;

/** Attachment metadata ({@code chat_attachments}) and, as the default {@link AttachmentStorage}, their bytes. */
@Repository
public class AttachmentStore implements AttachmentStorage {

    /** An uploaded file: where it was uploaded and by whom. */
    public record StoredAttachment(UUID id, String roomId, String uploaderId, String name, String contentType, long size,
                                   String sha256) {

        public ChatEvents.Attachment view() {
            return new ChatEvents.Attachment(id.toString(), name, contentType, size);
        }
    }

    private final DatabaseClient db;

    public AttachmentStore(DatabaseClient db) {
        this.db = db;
    }

    public Mono<Void> insert(StoredAttachment attachment, Instant at) {
        return db.sql("""
                        INSERT INTO chat_attachments (id, room_id, uploader_id, name, content_type, size, sha256, created_at)
                        VALUES (:id, :room, :uploader, :name, :type, :size, :sha, :at)""")
                .bind("id", attachment.id())
                .bind("room", attachment.roomId())
                .bind("uploader", attachment.uploaderId())
                .bind("name", attachment.name())
                .bind("type", attachment.contentType())
                .bind("size", attachment.size())
                .bind("sha", attachment.sha256())
                .bind("at", OffsetDateTime.ofInstant(at, ZoneOffset.UTC))
                .then();
    }

    public Mono<StoredAttachment> find(UUID id) {
        return db.sql("SELECT id, room_id, uploader_id, name, content_type, size, sha256 FROM chat_attachments WHERE id = :id")
                .bind("id", id)
                .map(row -> new StoredAttachment(row.get("id", UUID.class), row.get("room_id", String.class),
                        row.get("uploader_id", String.class), row.get("name", String.class),
                        row.get("content_type", String.class), row.get("size", Long.class), row.get("sha256", String.class)))
                .one();
    }

    @Override
    public Mono<Void> put(UUID id, byte[] data) {
        return db.sql("INSERT INTO chat_attachment_data (attachment_id, data) VALUES (:id, :data)")
                .bind("id", id)
                .bind("data", data)
                .then();
    }

    @Override
    public Mono<byte[]> get(UUID id) {
        return db.sql("SELECT data FROM chat_attachment_data WHERE attachment_id = :id")
                .bind("id", id)
                .map(row -> row.get(0, byte[].class))
                .one();
    }
}
