package dev.mesh.notification.store;

import java.time.Instant;
import java.util.List;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

import dev.mesh.notification.domain.DigestItem;
import dev.mesh.notification.domain.Kind;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The email outbox ({@code notification_emails}) and the record of delivery attempts
 * ({@code notification_attempts}). An email is claimed with a lease before it is sent, so two
 * instances never send the same row at once, and one that dies mid-send leaves it to be retried.
 */
@Repository
public class EmailStore {

    /** An email ready to go out. */
    public record Email(long id, String userId, String notificationId, String to, String subject, String text,
                        String html, int attempts) {
    }

    /** A failed email as admins see it. */
    public record Failed(long id, String userId, String notificationId, String kind, String to, String subject,
                         int attempts, String lastError, long createdAt) {
    }

    /** One recorded delivery attempt. */
    public record Attempt(String channel, String outcome, String detail, long at) {
    }

    private final DatabaseClient db;

    public EmailStore(DatabaseClient db) {
        this.db = db;
    }

    /** Queues an email ({@code pending}, due at {@code dueAt}) or a digest line ({@code digest_item}). */
    public Mono<Long> queue(String userId, String notificationId, Kind kind, String status, String to, String subject,
                            String text, String html, long dueAt, long now) {
        DatabaseClient.GenericExecuteSpec insert = db.sql("""
                        INSERT INTO notification_emails (user_id, notification_id, kind, status, to_address, subject,
                               text_body, html_body, due_at, created_at)
                        VALUES (:user, :notification, :kind, :status, :to, :subject, :text, :html, :due, :now)
                        RETURNING id""")
                .bind("user", userId)
                .bind("kind", kind.wire())
                .bind("status", status)
                .bind("to", to)
                .bind("subject", subject)
                .bind("text", text)
                .bind("html", html)
                .bind("due", dueAt)
                .bind("now", now);
        insert = notificationId == null ? insert.bindNull("notification", String.class)
                : insert.bind("notification", notificationId);
        return insert.map(row -> row.get(0, Long.class)).one();
    }

    public Mono<Void> attempt(String notificationId, Long emailId, String userId, String channel, String outcome,
                              String detail, long at) {
        DatabaseClient.GenericExecuteSpec insert = db.sql("""
                        INSERT INTO notification_attempts (notification_id, email_id, user_id, channel, outcome, detail, at)
                        VALUES (:notification, :email, :user, :channel, :outcome, :detail, :at)""")
                .bind("user", userId)
                .bind("channel", channel)
                .bind("outcome", outcome)
                .bind("at", at);
        insert = notificationId == null ? insert.bindNull("notification", String.class) : insert.bind("notification", notificationId);
        insert = emailId == null ? insert.bindNull("email", Long.class) : insert.bind("email", emailId);
        insert = detail == null ? insert.bindNull("detail", String.class) : insert.bind("detail", detail);
        return insert.then();
    }

    /** Claims up to {@code limit} due emails for {@code leaseMillis}; skips rows another instance holds. */
    public Flux<Email> claimDue(long now, long leaseMillis, int limit) {
        return db.sql("""
                        UPDATE notification_emails SET leased_until = :until
                         WHERE id IN (SELECT id FROM notification_emails
                                       WHERE status = 'pending' AND due_at <= :now
                                         AND (leased_until IS NULL OR leased_until < :now)
                                       ORDER BY due_at, id LIMIT :limit FOR UPDATE SKIP LOCKED)
                        RETURNING id, user_id, notification_id, to_address, subject, text_body, html_body, attempts""")
                .bind("until", now + leaseMillis)
                .bind("now", now)
                .bind("limit", limit)
                .map(row -> new Email(row.get("id", Long.class), row.get("user_id", String.class),
                        row.get("notification_id", String.class), row.get("to_address", String.class),
                        row.get("subject", String.class), row.get("text_body", String.class),
                        row.get("html_body", String.class), row.get("attempts", Integer.class)))
                .all();
    }

    public Mono<Void> sent(long id, long at) {
        return db.sql("""
                        UPDATE notification_emails SET status = 'sent', sent_at = :at, attempts = attempts + 1,
                               leased_until = NULL, last_error = NULL WHERE id = :id""")
                .bind("id", id).bind("at", at).then();
    }

    public Mono<Void> retryAt(long id, long dueAt, String error) {
        return db.sql("""
                        UPDATE notification_emails SET attempts = attempts + 1, due_at = :due, leased_until = NULL,
                               last_error = :error WHERE id = :id""")
                .bind("id", id).bind("due", dueAt).bind("error", error).then();
    }

    public Mono<Void> failed(long id, String error) {
        return db.sql("""
                        UPDATE notification_emails SET status = 'failed', attempts = attempts + 1, leased_until = NULL,
                               last_error = :error WHERE id = :id""")
                .bind("id", id).bind("error", error).then();
    }

    /** Users with digest lines due by {@code now}. */
    public Flux<String> usersWithDueDigest(long now, int limit) {
        return db.sql("""
                        SELECT DISTINCT user_id FROM notification_emails
                         WHERE status = 'digest_item' AND due_at <= :now LIMIT :limit""")
                .bind("now", now).bind("limit", limit)
                .map(row -> row.get(0, String.class))
                .all();
    }

    /** A user's waiting digest lines (a line keeps the notification's title as subject and its link as text body), locked for the transaction that turns them into one email. */
    public Mono<List<DigestItem>> lockDigestItems(String userId) {
        return db.sql("""
                        SELECT id, kind, subject, text_body, created_at, due_at FROM notification_emails
                         WHERE user_id = :user AND status = 'digest_item' ORDER BY id FOR UPDATE SKIP LOCKED""")
                .bind("user", userId)
                .map(row -> new DigestItem(row.get("id", Long.class), userId,
                        Kind.parse(row.get("kind", String.class)).orElse(Kind.announcement),
                        row.get("subject", String.class), row.get("text_body", String.class),
                        Instant.ofEpochMilli(row.get("created_at", Long.class)),
                        Instant.ofEpochMilli(row.get("due_at", Long.class))))
                .all()
                .collectList();
    }

    public Mono<Void> digested(List<Long> itemIds, long digestId) {
        return db.sql("UPDATE notification_emails SET status = 'digested', digest_id = :digest WHERE id = ANY(:ids)")
                .bind("digest", digestId)
                .bind("ids", itemIds.toArray(Long[]::new))
                .then();
    }

    public Flux<Failed> failed(int limit) {
        return db.sql("""
                        SELECT id, user_id, notification_id, kind, to_address, subject, attempts, last_error, created_at
                          FROM notification_emails WHERE status = 'failed' ORDER BY id DESC LIMIT :limit""")
                .bind("limit", limit)
                .map(row -> new Failed(row.get("id", Long.class), row.get("user_id", String.class),
                        row.get("notification_id", String.class), row.get("kind", String.class),
                        row.get("to_address", String.class), row.get("subject", String.class),
                        row.get("attempts", Integer.class), row.get("last_error", String.class),
                        row.get("created_at", Long.class)))
                .all();
    }

    public Flux<Attempt> attemptsOf(long emailId) {
        return db.sql("SELECT channel, outcome, detail, at FROM notification_attempts WHERE email_id = :id ORDER BY id")
                .bind("id", emailId)
                .map(row -> new Attempt(row.get("channel", String.class), row.get("outcome", String.class),
                        row.get("detail", String.class), row.get("at", Long.class)))
                .all();
    }
}
