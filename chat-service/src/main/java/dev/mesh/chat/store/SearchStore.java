package dev.mesh.chat.store;

import java.time.OffsetDateTime;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

import dev.mesh.chat.domain.Search;
import reactor.core.publisher.Flux;

/**
 * PostgreSQL full-text search over the messages of the rooms a user is a member of, ranked
 * ({@code ts_rank}), newest first among equals, with a marked snippet ({@code ts_headline}).
 */
@Repository
public class SearchStore {

    /** A hit: where it is, who wrote it, and the snippet with the matches marked (see {@link Search}). */
    public record Hit(String messageId, String roomId, String roomName, long seq, String userId, String userName,
                      long createdAt, float rank, String markedSnippet) {
    }

    private final DatabaseClient db;

    public SearchStore(DatabaseClient db) {
        this.db = db;
    }

    /** The best {@code query.limit()} hits for {@code userId}, in one room or (roomId null) in all of theirs. */
    public Flux<Hit> search(String userId, Search.Query query, String roomId) {
        String sql = """
                SELECT m.id::text AS id, m.room_id, r.name AS room_name, m.seq, m.user_id, m.user_name, m.created_at,
                       ts_rank(m.search, q.query) AS rank,
                       ts_headline('english', translate(m.content, chr(2) || chr(3), ''), q.query,
                                   'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxFragments=2, MaxWords=30, MinWords=8')
                           AS snippet
                  FROM websearch_to_tsquery('english', :q) AS q (query),
                       chat_messages m
                  JOIN chat_members mem ON mem.room_id = m.room_id AND mem.user_id = :user
                  JOIN chat_rooms r ON r.id = m.room_id
                 WHERE m.search @@ q.query
                """ + (roomId == null ? "" : " AND m.room_id = :room\n") + """
                 ORDER BY rank DESC, m.created_at DESC, m.id
                 LIMIT :limit""";
        DatabaseClient.GenericExecuteSpec spec = db.sql(sql)
                .bind("q", query.text())
                .bind("user", userId)
                .bind("limit", query.limit());
        if (roomId != null) {
            spec = spec.bind("room", roomId);
        }
        return spec.map(row -> new Hit(row.get("id", String.class), row.get("room_id", String.class),
                        row.get("room_name", String.class), row.get("seq", Long.class), row.get("user_id", String.class),
                        row.get("user_name", String.class),
                        row.get("created_at", OffsetDateTime.class).toInstant().toEpochMilli(),
                        row.get("rank", Float.class), row.get("snippet", String.class)))
                .all();
    }
}
