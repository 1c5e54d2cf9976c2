package dev.mesh.chat.store;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

import reactor.core.publisher.Mono;

/**
 * Deletes history older than each room's {@code history_retention_days}, in bounded batches so
 * one sweep never holds a long transaction. Deleting is idempotent, so several instances may
 * sweep at once.
 */
@Repository
public class RetentionStore {

    private final DatabaseClient db;

    public RetentionStore(DatabaseClient db) {
        this.db = db;
    }

    /** Deletes up to {@code batch} expired messages (with their edits, reactions and files); emits how many. */
    public Mono<Long> deleteExpiredMessages(Instant now, int batch) {
        return db.sql("""
                        WITH expired AS (
                            SELECT m.id, m.attachment_id FROM chat_messages m JOIN chat_rooms r ON r.id = m.room_id
                             WHERE m.created_at < :now - make_interval(days => r.history_retention_days)
                             LIMIT :batch
                        ), files AS (
                            DELETE FROM chat_attachments WHERE id IN (SELECT attachment_id FROM expired)
                        )
                        DELETE FROM chat_messages WHERE id IN (SELECT id FROM expired)""")
                .bind("now", OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                .bind("batch", batch)
                .fetch().rowsUpdated();
    }

    /** Deletes up to {@code batch} expired events of rooms' streams (a resume past them pages over HTTP); emits how many. */
    public Mono<Long> deleteExpiredStreamEvents(Instant now, int batch) {
        return db.sql("""
                        DELETE FROM mesh_stream_events WHERE (stream_id, seq) IN (
                            SELECT e.stream_id, e.seq FROM mesh_stream_events e
                              JOIN chat_rooms r ON e.stream_id = 'chat:room:' || r.id
                             WHERE e.created_at < :now - make_interval(days => r.history_retention_days)
                             LIMIT :batch)""")
                .bind("now", OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                .bind("batch", batch)
                .fetch().rowsUpdated();
    }
}
