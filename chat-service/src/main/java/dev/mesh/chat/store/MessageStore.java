package dev.mesh.chat.store;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

import dev.mesh.chat.domain.MessageRules;
import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.chat.ChatEvents;
import dev.mesh.contracts.chat.ChatEvents.ChatMessage;
import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A room's messages, each at the stream {@code seq} it was posted with, in their current state:
 * edited content, tombstones (no content once deleted), reactions.
 */
@Repository
public class MessageStore {

    private static final String COLUMNS =
            "id, room_id, seq, user_id, user_name, content, type, reply_to, mentions, client_ref, created_at, edited_at,"
                    + " deleted_at, attachment_id, attachment_name, attachment_type, attachment_size";

    private final DatabaseClient db;

    public MessageStore(DatabaseClient db) {
        this.db = db;
    }

    /**
     * Plain messages (no reply, no attachment) of a batch in one statement, in order. Mentions
     * travel as one JSON array per message (an array of arrays would not unnest row by row).
     */
    public Mono<Void> insertPlain(List<ChatMessage> messages) {
        if (messages.isEmpty()) {
            return Mono.empty();
        }
        int n = messages.size();
        UUID[] ids = new UUID[n];
        String[] rooms = new String[n], users = new String[n], names = new String[n], contents = new String[n],
                types = new String[n], mentions = new String[n], clientRefs = new String[n];
        Long[] seqs = new Long[n], createdAt = new Long[n];
        for (int i = 0; i < n; i++) {
            ChatMessage message = messages.get(i);
            if (message.replyTo() != null || message.attachment() != null) {
                throw new IllegalArgumentException("not a plain message: " + message.messageId());
            }
            ids[i] = UUID.fromString(message.messageId());
            rooms[i] = message.roomId();
            seqs[i] = message.seq();
            users[i] = message.userId();
            names[i] = message.userName();
            contents[i] = message.content();
            types[i] = message.type();
            mentions[i] = MeshJson.write(message.mentions());
            clientRefs[i] = message.clientRef();
            createdAt[i] = message.createdAt();
        }
        return db.sql("""
                        INSERT INTO chat_messages (id, room_id, seq, user_id, user_name, content, type, mentions, client_ref,
                                                   created_at)
                        SELECT id, room, seq, usr, name, content, type,
                               ARRAY(SELECT json_array_elements_text(mentions::json)), client_ref,
                               to_timestamp(created_at / 1000.0)
                          FROM unnest(:ids::uuid[], :rooms::text[], :seqs::bigint[], :users::text[], :names::text[],
                                      :contents::text[], :types::text[], :mentions::text[], :clientRefs::text[],
                                      :createdAt::bigint[])
                               WITH ORDINALITY AS m(id, room, seq, usr, name, content, type, mentions, client_ref, created_at, o)
                         ORDER BY o""")
                .bind("ids", ids).bind("rooms", rooms).bind("seqs", seqs).bind("users", users).bind("names", names)
                .bind("contents", contents).bind("types", types).bind("mentions", mentions).bind("clientRefs", clientRefs)
                .bind("createdAt", createdAt)
                .then();
    }

    public Mono<Void> insert(ChatMessage message) {
        DatabaseClient.GenericExecuteSpec insert = db.sql("""
                        INSERT INTO chat_messages (id, room_id, seq, user_id, user_name, content, type, reply_to,
                                                   mentions, client_ref, created_at, attachment_id, attachment_name,
                                                   attachment_type, attachment_size)
                        VALUES (:id, :room, :seq, :user, :userName, :content, :type, :replyTo,
                                :mentions, :clientRef, :createdAt, :attachmentId, :attachmentName,
                                :attachmentType, :attachmentSize)""")
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
        ChatEvents.Attachment attachment = message.attachment();
        insert = attachment == null
                ? insert.bindNull("attachmentId", UUID.class).bindNull("attachmentName", String.class)
                        .bindNull("attachmentType", String.class).bindNull("attachmentSize", Long.class)
                : insert.bind("attachmentId", UUID.fromString(attachment.id())).bind("attachmentName", attachment.name())
                        .bind("attachmentType", attachment.contentType()).bind("attachmentSize", attachment.size());
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
                    .flatMap(rows -> withReactions(rows.subList(0, Math.min(limit, rows.size())))
                            .map(items -> new Page(items, rows.size() > limit)));
        }
        return newestBetween(roomId, after, before, limit + 1).collectList()
                .flatMap(rows -> {
                    List<ChatMessage> items = new ArrayList<>(rows.subList(0, Math.min(limit, rows.size())));
                    Collections.reverse(items);
                    return withReactions(items).map(withCounts -> new Page(withCounts, rows.size() > limit));
                });
    }

    /**
     * A thread: every message whose reply-to chain leads to {@code rootId}, oldest first, in its
     * current state, up to {@code limit} (and whether there are more).
     */
    public Mono<Page> thread(String roomId, UUID rootId, int limit) {
        return db.sql("""
                        WITH RECURSIVE thread (id) AS (
                            SELECT id FROM chat_messages WHERE room_id = :room AND reply_to = :root
                            UNION
                            SELECT c.id FROM chat_messages c JOIN thread t ON c.reply_to = t.id
                        )
                        SELECT\s""" + COLUMNS + """
                         FROM chat_messages WHERE room_id = :room AND id IN (SELECT id FROM thread)
                        ORDER BY seq LIMIT :limit""")
                .bind("room", roomId)
                .bind("root", rootId)
                .bind("limit", limit + 1)
                .map(MessageStore::message)
                .all()
                .collectList()
                .flatMap(rows -> withReactions(rows.subList(0, Math.min(limit, rows.size())))
                        .map(items -> new Page(items, rows.size() > limit)));
    }

    /** The messages with their reaction counts ({@code {}} when none; tombstones keep none). */
    private Mono<List<ChatMessage>> withReactions(List<ChatMessage> messages) {
        if (messages.isEmpty()) {
            return Mono.just(List.of());
        }
        UUID[] ids = messages.stream().map(m -> UUID.fromString(m.messageId())).toArray(UUID[]::new);
        return db.sql("""
                        SELECT message_id, emoji, count(*) AS n FROM chat_reactions
                         WHERE message_id = ANY(:ids)
                         GROUP BY message_id, emoji
                         ORDER BY message_id, min(created_at), emoji""")
                .bind("ids", ids)
                .map(row -> Map.entry(row.get("message_id", UUID.class).toString(),
                        Map.entry(row.get("emoji", String.class), row.get("n", Long.class).intValue())))
                .all()
                .collectList()
                .map(rows -> {
                    Map<String, Map<String, Integer>> counts = new HashMap<>();
                    rows.forEach(r -> counts.computeIfAbsent(r.getKey(), k -> new LinkedHashMap<>())
                            .put(r.getValue().getKey(), r.getValue().getValue()));
                    return messages.stream()
                            .map(m -> m.withReactions(counts.getOrDefault(m.messageId(), Map.of())))
                            .toList();
                });
    }

    /** A message of the room, its row locked until the transaction ends; empty when it is not in the room. */
    public Mono<MessageRules.Target> lock(String roomId, UUID messageId) {
        return db.sql("SELECT user_id, created_at, deleted_at FROM chat_messages WHERE room_id = :room AND id = :id FOR UPDATE")
                .bind("room", roomId)
                .bind("id", messageId)
                .map(row -> new MessageRules.Target(row.get("user_id", String.class),
                        row.get("created_at", OffsetDateTime.class).toInstant().toEpochMilli(),
                        row.get("deleted_at", OffsetDateTime.class) != null))
                .one();
    }

    /** Replaces the content and keeps the previous one in the edit history. */
    public Mono<Void> edit(UUID messageId, String content, String editedBy, long editedAt) {
        OffsetDateTime at = OffsetDateTime.ofInstant(Instant.ofEpochMilli(editedAt), ZoneOffset.UTC);
        return db.sql("""
                        INSERT INTO chat_message_edits (message_id, previous_content, edited_at, edited_by)
                        SELECT id, content, :at, :by FROM chat_messages WHERE id = :id""")
                .bind("id", messageId)
                .bind("at", at)
                .bind("by", editedBy)
                .then()
                .then(db.sql("UPDATE chat_messages SET content = :content, edited_at = :at WHERE id = :id")
                        .bind("id", messageId)
                        .bind("content", content)
                        .bind("at", at)
                        .then());
    }

    /** A previous content of a message and when and by whom it was replaced. */
    public record Edit(String previousContent, long editedAt, String editedBy) {
    }

    /** The previous contents of a message, oldest first. */
    public Flux<Edit> editHistory(UUID messageId) {
        return db.sql("""
                        SELECT previous_content, edited_at, edited_by FROM chat_message_edits
                        WHERE message_id = :id ORDER BY edited_at""")
                .bind("id", messageId)
                .map(row -> new Edit(row.get("previous_content", String.class),
                        row.get("edited_at", OffsetDateTime.class).toInstant().toEpochMilli(),
                        row.get("edited_by", String.class)))
                .all();
    }

    /**
     * A soft delete: the row stays (the tombstone at its seq); its content, edit history,
     * reactions and file go.
     */
    public Mono<Void> delete(UUID messageId, String deletedBy, long deletedAt) {
        return db.sql("UPDATE chat_messages SET content = NULL, deleted_at = :at, deleted_by = :by WHERE id = :id")
                .bind("id", messageId)
                .bind("at", OffsetDateTime.ofInstant(Instant.ofEpochMilli(deletedAt), ZoneOffset.UTC))
                .bind("by", deletedBy)
                .then()
                .then(db.sql("DELETE FROM chat_message_edits WHERE message_id = :id").bind("id", messageId).then())
                .then(db.sql("DELETE FROM chat_reactions WHERE message_id = :id").bind("id", messageId).then())
                .then(db.sql("DELETE FROM chat_attachments WHERE id = (SELECT attachment_id FROM chat_messages WHERE id = :id)")
                        .bind("id", messageId).then());
    }

    /** Whether a message carries the file already. */
    public Mono<Boolean> carries(UUID attachmentId) {
        return db.sql("SELECT EXISTS (SELECT 1 FROM chat_messages WHERE attachment_id = :id)")
                .bind("id", attachmentId)
                .map(row -> row.get(0, Boolean.class))
                .one();
    }

    /** Takes a user's reaction back; emits whether they had it. */
    public Mono<Boolean> removeReaction(UUID messageId, String userId, String emoji) {
        return db.sql("DELETE FROM chat_reactions WHERE message_id = :id AND user_id = :user AND emoji = :emoji")
                .bind("id", messageId)
                .bind("user", userId)
                .bind("emoji", emoji)
                .fetch().rowsUpdated()
                .map(removed -> removed > 0);
    }

    public Mono<Void> addReaction(UUID messageId, String userId, String emoji) {
        return db.sql("INSERT INTO chat_reactions (message_id, user_id, emoji) VALUES (:id, :user, :emoji)")
                .bind("id", messageId)
                .bind("user", userId)
                .bind("emoji", emoji)
                .then();
    }

    /** Every emoji's count on a message, the first used first. */
    public Mono<Map<String, Integer>> reactionCounts(UUID messageId) {
        return db.sql("""
                        SELECT emoji, count(*) AS n FROM chat_reactions WHERE message_id = :id
                         GROUP BY emoji ORDER BY min(created_at), emoji""")
                .bind("id", messageId)
                .map(row -> Map.entry(row.get("emoji", String.class), row.get("n", Long.class).intValue()))
                .all()
                .collectList()
                .map(rows -> {
                    Map<String, Integer> counts = new LinkedHashMap<>();
                    rows.forEach(e -> counts.put(e.getKey(), e.getValue()));
                    return counts;
                });
    }

    /** The author of a message of the room; empty when the room has no such message. */
    public Mono<String> authorOf(String roomId, UUID messageId) {
        return db.sql("SELECT user_id FROM chat_messages WHERE room_id = :room AND id = :id")
                .bind("room", roomId)
                .bind("id", messageId)
                .map(row -> row.get(0, String.class))
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
                row.get("client_ref", String.class),
                millis(row.get("edited_at", OffsetDateTime.class)),
                row.get("deleted_at", OffsetDateTime.class) != null ? Boolean.TRUE : null,
                null,
                attachment(row));
    }

    /** A message's attachment, gone with a deleted message's content. */
    private static ChatEvents.Attachment attachment(Readable row) {
        UUID id = row.get("attachment_id", UUID.class);
        if (id == null || row.get("deleted_at", OffsetDateTime.class) != null) {
            return null;
        }
        return new ChatEvents.Attachment(id.toString(), row.get("attachment_name", String.class),
                row.get("attachment_type", String.class), row.get("attachment_size", Long.class));
    }

    private static Long millis(OffsetDateTime at) {
        return at == null ? null : at.toInstant().toEpochMilli();
    }

    /** Messages after {@code afterSeq} that {@code userId} did not write and that are not deleted. */
    public Mono<Long> unreadCount(String roomId, String userId, long afterSeq) {
        return db.sql("""
                        SELECT count(*) FROM chat_messages
                        WHERE room_id = :room AND seq > :after AND user_id <> :user AND deleted_at IS NULL""")
                .bind("room", roomId)
                .bind("after", afterSeq)
                .bind("user", userId)
                .map(row -> row.get(0, Long.class))
                .one();
    }

    /** A room's unread count for one of its members. */
    public record UnreadCount(String roomId, long lastReadSeq, long unreadCount) {
    }

    /** The unread count of every room {@code userId} is a member of, rooms with the most recent join first. */
    public Flux<UnreadCount> unreadCounts(String userId) {
        return db.sql("""
                        SELECT m.room_id, m.last_read_seq,
                               (SELECT count(*) FROM chat_messages c
                                WHERE c.room_id = m.room_id AND c.seq > m.last_read_seq
                                  AND c.user_id <> m.user_id AND c.deleted_at IS NULL) AS unread
                        FROM chat_members m WHERE m.user_id = :user
                        ORDER BY m.joined_at DESC, m.room_id""")
                .bind("user", userId)
                .map(row -> new UnreadCount(row.get("room_id", String.class), row.get("last_read_seq", Long.class),
                        row.get("unread", Long.class)))
                .all();
    }

    /** The authors other than {@code readerId} of the messages with {@code afterSeq < seq <= upToSeq}. */
    public Flux<String> authorsBetween(String roomId, long afterSeq, long upToSeq, String readerId) {
        return db.sql("""
                        SELECT DISTINCT user_id FROM chat_messages
                        WHERE room_id = :room AND seq > :after AND seq <= :upTo AND user_id <> :reader
                          AND deleted_at IS NULL
                        ORDER BY user_id""")
                .bind("room", roomId)
                .bind("after", afterSeq)
                .bind("upTo", upToSeq)
                .bind("reader", readerId)
                .map(row -> row.get(0, String.class))
                .all();
    }
}
