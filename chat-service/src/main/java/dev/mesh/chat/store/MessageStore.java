package dev.mesh.chat.store;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

import dev.mesh.contracts.chat.ChatEvents.ChatMessage;
import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A room's messages, each at the stream {@code seq} it was posted with. */
@Repository
public class MessageStore {

    private static final String COLUMNS =
            "id, room_id, seq, user_id, user_name, content, type, reply_to, mentions, client_ref, created_at";

    private final DatabaseClient db;

    public MessageStore(DatabaseClient db) {
        this.db = db;
    }

    public Mono<Void> insert(ChatMessage message) {
        DatabaseClient.GenericExecuteSpec insert = db.sql("""
                        INSERT INTO chat_messages (id, room_id, seq, user_id, user_name, content, type, reply_to,
                                                   mentions, client_ref, created_at)
                        VALUES (:id, :room, :seq, :user, :userName, :content, :type, :replyTo,
                                :mentions, :clientRef, :createdAt)""")
                .bind("id", UUID.fromString(message.messageId()))
                .bind("room", message.roomId())
                .bind("seq", message.seq())
                .bind("user", message.userId())
                .bind("userName", message.userName())
                .bind("content", message.content())
                .bind("type", message.type())
                .bind("mentions", message.mentions().toArray(String[]::new))
                .bind("createdAt", OffsetDateTime.ofInstant(Instant.ofEpochMilli(message.createdAt()), ZoneOffset.UTC));
        insert = message.replyTo() == null
                ? insert.bindNull("replyTo", UUID.class)
                : insert.bind("replyTo", UUID.fromString(message.replyTo()));
        insert = message.clientRef() == null
                ? insert.bindNull("clientRef", String.class)
                : insert.bind("clientRef", message.clientRef());
        return insert.then();
    }

    /** One page of history, oldest first, and whether more lies beyond it in the direction paged. */
    public record Page(List<ChatMessage> items, boolean hasMore) {
    }

    /**
     * A page of a room's history. With {@code afterSeq} it pages forward (the messages just
     * after it); otherwise backward from {@code beforeSeq}, or from the newest message.
     * Either way the items come oldest first.
     */
    public Mono<Page> page(String roomId, Long afterSeq, Long beforeSeq, int limit) {
        long after = afterSeq == null ? 0 : afterSeq;
        long before = beforeSeq == null ? Long.MAX_VALUE : beforeSeq;
        // One row more than asked tells whether there is more.
        if (afterSeq != null) {
            return oldestBetween(roomId, after, before, limit + 1).collectList()
                    .map(rows -> new Page(List.copyOf(rows.subList(0, Math.min(limit, rows.size()))), rows.size() > limit));
        }
        return newestBetween(roomId, after, before, limit + 1).collectList()
                .map(rows -> {
                    List<ChatMessage> items = new ArrayList<>(rows.subList(0, Math.min(limit, rows.size())));
                    Collections.reverse(items);
                    return new Page(List.copyOf(items), rows.size() > limit);
                });
    }

    public Mono<Boolean> exists(String roomId, UUID messageId) {
        return db.sql("SELECT EXISTS (SELECT 1 FROM chat_messages WHERE room_id = :room AND id = :id)")
                .bind("room", roomId)
                .bind("id", messageId)
                .map(row -> row.get(0, Boolean.class))
                .one();
    }

    /** Up to {@code limit} messages with {@code afterSeq < seq < beforeSeq}, the oldest of them first. */
    public Flux<ChatMessage> oldestBetween(String roomId, long afterSeq, long beforeSeq, int limit) {
        return between(roomId, afterSeq, beforeSeq, limit, "ASC");
    }

    /** Up to {@code limit} messages with {@code afterSeq < seq < beforeSeq}, the newest of them first. */
    public Flux<ChatMessage> newestBetween(String roomId, long afterSeq, long beforeSeq, int limit) {
        return between(roomId, afterSeq, beforeSeq, limit, "DESC");
    }

    private Flux<ChatMessage> between(String roomId, long afterSeq, long beforeSeq, int limit, String order) {
        return db.sql("SELECT " + COLUMNS + """
                         FROM chat_messages
                        WHERE room_id = :room AND seq > :after AND seq < :before
                        ORDER BY seq\s""" + order + " LIMIT :limit")
                .bind("room", roomId)
                .bind("after", afterSeq)
                .bind("before", beforeSeq)
                .bind("limit", limit)
                .map(MessageStore::message)
                .all();
    }

    private static ChatMessage message(Readable row) {
        UUID replyTo = row.get("reply_to", UUID.class);
        String[] mentions = row.get("mentions", String[].class);
        return new ChatMessage(
                row.get("id", UUID.class).toString(),
                row.get("room_id", String.class),
                row.get("seq", Long.class),
                row.get("user_id", String.class),
                row.get("user_name", String.class),
                row.get("content", String.class),
                row.get("type", String.class),
                replyTo == null ? null : replyTo.toString(),
                mentions == null ? List.of() : Arrays.asList(mentions),
                row.get("created_at", OffsetDateTime.class).toInstant().toEpochMilli(),
                row.get("client_ref", String.class));
    }
}
