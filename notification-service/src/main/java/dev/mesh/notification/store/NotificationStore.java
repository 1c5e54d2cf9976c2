package dev.mesh.notification.store;

import java.util.List;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

import dev.mesh.contracts.notification.NotificationEvents.Notification;
import dev.mesh.notification.domain.Announcements;
import dev.mesh.notification.domain.Draft;
import io.r2dbc.spi.Readable;
import reactor.core.publisher.Mono;

/** Notifications and their read state ({@code notifications}). */
@Repository
public class NotificationStore {

    /** A page of a user's notifications, newest first. */
    public record Page(List<Notification> items, boolean hasMore) {
    }

    /** Filters of the list: {@code kind}, {@code unreadOnly}, and {@code beforeSeq} to page back. */
    public record Filter(String kind, boolean unreadOnly, Long beforeSeq) {
    }

    private static final String COLUMNS = "id, kind, title, body, link, priority, seq, created_at, read_at";

    private final DatabaseClient db;

    public NotificationStore(DatabaseClient db) {
        this.db = db;
    }

    /**
     * Inserts a notification without its seq; false when the user already has one for that source
     * event (a redelivery). A concurrent duplicate waits for the first transaction, then is a no-op.
     */
    public Mono<Boolean> insert(String id, Draft draft, long createdAt) {
        DatabaseClient.GenericExecuteSpec insert = db.sql("""
                        INSERT INTO notifications (id, user_id, kind, priority, title, body, link, source_id, created_at)
                        VALUES (:id, :user, :kind, :priority, :title, :body, :link, :source, :created)
                        ON CONFLICT (user_id, source_id) DO NOTHING""")
                .bind("id", id)
                .bind("user", draft.userId())
                .bind("kind", draft.kind().wire())
                .bind("priority", draft.priority().name())
                .bind("title", draft.title())
                .bind("body", draft.body())
                .bind("source", draft.sourceId())
                .bind("created", createdAt);
        insert = draft.link() == null ? insert.bindNull("link", String.class) : insert.bind("link", draft.link());
        return insert.fetch().rowsUpdated().map(n -> n > 0);
    }

    /**
     * Makes sure the user's stream has its seq row (at 0 when new), so that reading its current seq
     * under the row lock ({@code StreamSeq.current}) also holds back a first notification being
     * written concurrently until the session is attached.
     */
    public Mono<Void> openStream(String topic) {
        return db.sql("INSERT INTO mesh_streams (stream_id, last_seq) VALUES (:id, 0) ON CONFLICT (stream_id) DO NOTHING")
                .bind("id", topic)
                .then();
    }

    /** Records an announcement as posted (its recipients get notifications beside it). */
    public Mono<Void> insertAnnouncement(String id, String senderId, Announcements.Checked announcement, int recipients,
                                         long at) {
        DatabaseClient.GenericExecuteSpec insert = db.sql("""
                        INSERT INTO notification_announcements (id, sender_id, title, body, priority, audience, audience_id,
                               recipients, created_at)
                        VALUES (:id, :sender, :title, :body, :priority, :audience, :audienceId, :recipients, :at)""")
                .bind("id", id)
                .bind("sender", senderId)
                .bind("title", announcement.title())
                .bind("body", announcement.body())
                .bind("priority", announcement.priority().name())
                .bind("audience", announcement.audience().name())
                .bind("recipients", recipients)
                .bind("at", at);
        insert = announcement.audienceId() == null ? insert.bindNull("audienceId", String.class)
                : insert.bind("audienceId", announcement.audienceId());
        return insert.then();
    }

    public Mono<Void> setSeq(String id, long seq) {
        return db.sql("UPDATE notifications SET seq = :seq WHERE id = :id").bind("seq", seq).bind("id", id).then();
    }

    public Mono<Long> unreadCount(String userId) {
        return db.sql("SELECT count(*) FROM notifications WHERE user_id = :user AND read_at IS NULL")
                .bind("user", userId)
                .map(row -> row.get(0, Long.class))
                .one();
    }

    public Mono<Integer> markRead(String userId, List<String> ids, long at) {
        return db.sql("UPDATE notifications SET read_at = :at WHERE user_id = :user AND read_at IS NULL AND id = ANY(:ids)")
                .bind("at", at)
                .bind("user", userId)
                .bind("ids", ids.toArray(String[]::new))
                .fetch().rowsUpdated().map(Long::intValue);
    }

    public Mono<Integer> markReadUpTo(String userId, long upToSeq, long at) {
        return db.sql("UPDATE notifications SET read_at = :at WHERE user_id = :user AND read_at IS NULL AND seq <= :seq")
                .bind("at", at)
                .bind("user", userId)
                .bind("seq", upToSeq)
                .fetch().rowsUpdated().map(Long::intValue);
    }

    public Mono<Integer> markAllRead(String userId, long at) {
        return db.sql("UPDATE notifications SET read_at = :at WHERE user_id = :user AND read_at IS NULL")
                .bind("at", at)
                .bind("user", userId)
                .fetch().rowsUpdated().map(Long::intValue);
    }

    public Mono<Page> page(String userId, Filter filter, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM notifications WHERE user_id = :user AND seq IS NOT NULL");
        if (filter.kind() != null) {
            sql.append(" AND kind = :kind");
        }
        if (filter.unreadOnly()) {
            sql.append(" AND read_at IS NULL");
        }
        if (filter.beforeSeq() != null) {
            sql.append(" AND seq < :before");
        }
        sql.append(" ORDER BY seq DESC LIMIT :limit");
        DatabaseClient.GenericExecuteSpec query = db.sql(sql.toString()).bind("user", userId).bind("limit", limit + 1);
        if (filter.kind() != null) {
            query = query.bind("kind", filter.kind());
        }
        if (filter.beforeSeq() != null) {
            query = query.bind("before", filter.beforeSeq());
        }
        return query.map(NotificationStore::view).all().collectList()
                .map(rows -> rows.size() > limit ? new Page(List.copyOf(rows.subList(0, limit)), true)
                        : new Page(List.copyOf(rows), false));
    }

    static Notification view(Readable row) {
        return new Notification(row.get("id", String.class), row.get("kind", String.class),
                row.get("title", String.class), row.get("body", String.class), row.get("link", String.class),
                row.get("priority", String.class), row.get("seq", Long.class), row.get("created_at", Long.class),
                row.get("read_at", Long.class));
    }
}
