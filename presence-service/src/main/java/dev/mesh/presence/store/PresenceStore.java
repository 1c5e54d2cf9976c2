package dev.mesh.presence.store;

import java.util.Collection;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

import dev.mesh.presence.domain.Privacy;
import dev.mesh.presence.domain.UserState;
import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Presence's tables. Uses the context's {@link DatabaseClient}, so calls made inside a
 * {@code meshTransactions} or command transaction join it. Times are epoch ms.
 */
@Repository
public class PresenceStore {

    private static final String USER_COLUMNS = "user_id, name, set_status, text, emoji, text_expires_at, "
            + "published_status, last_seen_at, offline_due_at, privacy";

    /** A dead boot, removed from the table by the caller's transaction. */
    public record DeadBoot(String instanceId, String bootId, long lastHeartbeatAt) {
    }

    private final DatabaseClient db;

    public PresenceStore(DatabaseClient db) {
        this.db = db;
    }

    // --- users

    /** Creates the user's row when missing; remembers the latest display name. */
    public Mono<Void> ensureUser(String userId, String name) {
        DatabaseClient.GenericExecuteSpec sql = db.sql("""
                        INSERT INTO presence_users (user_id, name) VALUES (:user, :name)
                        ON CONFLICT (user_id) DO UPDATE SET name = COALESCE(EXCLUDED.name, presence_users.name)
                        WHERE presence_users.name IS DISTINCT FROM COALESCE(EXCLUDED.name, presence_users.name)""")
                .bind("user", userId);
        return (name == null ? sql.bindNull("name", String.class) : sql.bind("name", name)).then();
    }

    /** The user's row, locked until the transaction ends: every change of a user's presence goes through it. */
    public Mono<StoredUser> lockUser(String userId) {
        return db.sql("SELECT " + USER_COLUMNS + " FROM presence_users WHERE user_id = :user FOR UPDATE")
                .bind("user", userId)
                .map(PresenceStore::user)
                .one();
    }

    public Flux<StoredUser> users(Collection<String> userIds) {
        return db.sql("SELECT " + USER_COLUMNS + " FROM presence_users WHERE user_id = ANY(:users)")
                .bind("users", userIds.toArray(String[]::new))
                .map(PresenceStore::user)
                .all();
    }

    public Mono<Void> saveUser(String userId, UserState state, long now) {
        DatabaseClient.GenericExecuteSpec sql = db.sql("""
                        UPDATE presence_users SET set_status = :setStatus, text = :text, emoji = :emoji,
                               text_expires_at = :textExpiresAt, published_status = :published,
                               last_seen_at = :lastSeenAt, offline_due_at = :offlineDueAt, updated_at = :now
                         WHERE user_id = :user""")
                .bind("user", userId)
                .bind("published", state.publishedStatus())
                .bind("now", now);
        sql = bindNullable(sql, "setStatus", state.setStatus(), String.class);
        sql = bindNullable(sql, "text", state.text(), String.class);
        sql = bindNullable(sql, "emoji", state.emoji(), String.class);
        sql = bindNullable(sql, "textExpiresAt", state.textExpiresAt(), Long.class);
        sql = bindNullable(sql, "lastSeenAt", state.lastSeenAt(), Long.class);
        sql = bindNullable(sql, "offlineDueAt", state.offlineDueAt(), Long.class);
        return sql.then();
    }

    public Mono<Void> setPrivacy(String userId, Privacy privacy) {
        return db.sql("UPDATE presence_users SET privacy = :privacy WHERE user_id = :user")
                .bind("user", userId)
                .bind("privacy", privacy.name())
                .then();
    }

    /**
     * Users one of whose timers is due: offline after the grace period, custom text expired,
     * or every session idle for the away time while shown online.
     */
    public Flux<String> dueUsers(long now, long idleBefore, int limit) {
        return db.sql("""
                        SELECT u.user_id FROM presence_users u
                         WHERE (u.offline_due_at <= :now AND u.published_status <> 'offline')
                            OR u.text_expires_at <= :now
                            OR (u.published_status = 'online' AND u.set_status IS NULL
                                AND EXISTS (SELECT 1 FROM presence_sessions s WHERE s.user_id = u.user_id)
                                AND NOT EXISTS (SELECT 1 FROM presence_sessions s
                                                 WHERE s.user_id = u.user_id AND s.last_active_at > :idleBefore))
                         LIMIT :limit""")
                .bind("now", now)
                .bind("idleBefore", idleBefore)
                .bind("limit", limit)
                .map(row -> row.get(0, String.class))
                .all();
    }

    // --- sessions

    /** Inserts a session; false when it was already there (a redelivered SessionOpened). */
    public Mono<Boolean> openSession(String sessionId, String userId, String instanceId, String bootId, long at) {
        return db.sql("""
                        INSERT INTO presence_sessions (session_id, user_id, instance_id, boot_id, opened_at, last_active_at)
                        VALUES (:session, :user, :instance, :boot, :at, :at)
                        ON CONFLICT (session_id) DO NOTHING""")
                .bind("session", sessionId)
                .bind("user", userId)
                .bind("instance", instanceId)
                .bind("boot", bootId)
                .bind("at", at)
                .fetch().rowsUpdated()
                .map(rows -> rows > 0);
    }

    /** Deletes a session; false when it was unknown. */
    public Mono<Boolean> closeSession(String sessionId, String userId) {
        return db.sql("DELETE FROM presence_sessions WHERE session_id = :session AND user_id = :user")
                .bind("session", sessionId)
                .bind("user", userId)
                .fetch().rowsUpdated()
                .map(rows -> rows > 0);
    }

    /** Moves a session's last activity forward; false when the session is unknown. */
    public Mono<Boolean> touchSession(String sessionId, String userId, long at) {
        return db.sql("""
                        UPDATE presence_sessions SET last_active_at = GREATEST(last_active_at, :at)
                         WHERE session_id = :session AND user_id = :user""")
                .bind("session", sessionId)
                .bind("user", userId)
                .bind("at", at)
                .fetch().rowsUpdated()
                .map(rows -> rows > 0);
    }

    /**
     * Activity on a session that changes nothing others see, in one statement: the session's last
     * activity and the user's last seen move forward — only when the session is open, the user is
     * shown as what activity keeps them ({@code online}, or the status they set), no offline is
     * pending, no custom text is due to expire and the activity is recent ({@code at} after
     * {@code activeSince}). The user's row is locked by the update, as {@link #lockUser} would.
     * False when any of that does not hold: then the full, locked reconcile decides.
     */
    public Mono<Boolean> touchWhileUnchanged(String sessionId, String userId, long at, long now, long activeSince) {
        return db.sql("""
                        WITH seen AS (
                            UPDATE presence_users SET last_seen_at = GREATEST(COALESCE(last_seen_at, :at), :at), updated_at = :now
                             WHERE user_id = :user
                               AND published_status = COALESCE(set_status, 'online')
                               AND offline_due_at IS NULL
                               AND (text_expires_at IS NULL OR text_expires_at > :now)
                               AND :at > :activeSince
                               AND EXISTS (SELECT 1 FROM presence_sessions WHERE session_id = :session AND user_id = :user)
                            RETURNING user_id)
                        UPDATE presence_sessions SET last_active_at = GREATEST(last_active_at, :at)
                         WHERE session_id = :session AND user_id = :user AND EXISTS (SELECT 1 FROM seen)""")
                .bind("session", sessionId)
                .bind("user", userId)
                .bind("at", at)
                .bind("now", now)
                .bind("activeSince", activeSince)
                .fetch().rowsUpdated()
                .map(rows -> rows > 0);
    }

    /** The last activity of each of the user's open sessions. */
    public Flux<Long> sessionsOf(String userId) {
        return db.sql("SELECT last_active_at FROM presence_sessions WHERE user_id = :user")
                .bind("user", userId)
                .map(row -> row.get(0, Long.class))
                .all();
    }

    public Mono<Integer> sessionCount(String userId) {
        return db.sql("SELECT count(*) FROM presence_sessions WHERE user_id = :user")
                .bind("user", userId)
                .map(row -> row.get(0, Long.class).intValue())
                .one();
    }

    // --- gateway boots

    /** A heartbeat (or a SessionOpened, so a boot is known before its first heartbeat): the newest time wins. */
    public Mono<Void> heartbeat(String instanceId, String bootId, long at) {
        return db.sql("""
                        INSERT INTO presence_boots (instance_id, boot_id, last_heartbeat_at) VALUES (:instance, :boot, :at)
                        ON CONFLICT (instance_id, boot_id) DO UPDATE
                           SET last_heartbeat_at = GREATEST(presence_boots.last_heartbeat_at, EXCLUDED.last_heartbeat_at)
                         WHERE presence_boots.last_heartbeat_at < EXCLUDED.last_heartbeat_at""")
                .bind("instance", instanceId)
                .bind("boot", bootId)
                .bind("at", at)
                .then();
    }

    /**
     * Removes one boot silent since before {@code deadBefore}, if any; the row lock (SKIP LOCKED)
     * gives each dead boot to exactly one scanner, and a concurrent SessionOpened of that boot
     * waits for this transaction.
     */
    public Mono<DeadBoot> takeDeadBoot(long deadBefore) {
        return db.sql("""
                        DELETE FROM presence_boots
                         WHERE (instance_id, boot_id) IN (
                               SELECT instance_id, boot_id FROM presence_boots
                                WHERE last_heartbeat_at < :deadBefore
                                ORDER BY last_heartbeat_at
                                LIMIT 1
                                  FOR UPDATE SKIP LOCKED)
                           AND last_heartbeat_at < :deadBefore
                        RETURNING instance_id, boot_id, last_heartbeat_at""")
                .bind("deadBefore", deadBefore)
                .map(row -> new DeadBoot(row.get("instance_id", String.class), row.get("boot_id", String.class),
                        row.get("last_heartbeat_at", Long.class)))
                .one();
    }

    /** The users with a session on a boot, in lock order. */
    public Flux<String> usersOfBoot(String instanceId, String bootId) {
        return db.sql("SELECT DISTINCT user_id FROM presence_sessions WHERE instance_id = :instance AND boot_id = :boot ORDER BY user_id")
                .bind("instance", instanceId)
                .bind("boot", bootId)
                .map(row -> row.get(0, String.class))
                .all();
    }

    public Mono<Void> closeSessionsOfBoot(String instanceId, String bootId) {
        return db.sql("DELETE FROM presence_sessions WHERE instance_id = :instance AND boot_id = :boot")
                .bind("instance", instanceId)
                .bind("boot", bootId)
                .then();
    }

    // --- room membership (projection of chat.events)

    public Mono<Void> addMember(String roomId, String userId) {
        return db.sql("INSERT INTO presence_room_members (room_id, user_id) VALUES (:room, :user) ON CONFLICT DO NOTHING")
                .bind("room", roomId)
                .bind("user", userId)
                .then();
    }

    public Mono<Void> removeMember(String roomId, String userId) {
        return db.sql("DELETE FROM presence_room_members WHERE room_id = :room AND user_id = :user")
                .bind("room", roomId)
                .bind("user", userId)
                .then();
    }

    /** Forgets a deleted room's members. */
    public Mono<Void> removeRoom(String roomId) {
        return db.sql("DELETE FROM presence_room_members WHERE room_id = :room")
                .bind("room", roomId)
                .then();
    }

    /** Which of {@code userIds} share at least one room with {@code userId}. */
    public Flux<String> coMembers(String userId, Collection<String> userIds) {
        return db.sql("""
                        SELECT DISTINCT other.user_id
                          FROM presence_room_members mine
                          JOIN presence_room_members other ON other.room_id = mine.room_id
                         WHERE mine.user_id = :user AND other.user_id = ANY(:others)""")
                .bind("user", userId)
                .bind("others", userIds.toArray(String[]::new))
                .map(row -> row.get(0, String.class))
                .all();
    }

    public Mono<Boolean> isMember(String roomId, String userId) {
        return db.sql("SELECT EXISTS (SELECT 1 FROM presence_room_members WHERE room_id = :room AND user_id = :user)")
                .bind("room", roomId)
                .bind("user", userId)
                .map(row -> row.get(0, Boolean.class))
                .one();
    }

    /** Members of a room who are not shown offline. */
    public Mono<Integer> onlineCount(String roomId) {
        return db.sql("""
                        SELECT count(*) FROM presence_room_members m
                          JOIN presence_users u ON u.user_id = m.user_id
                         WHERE m.room_id = :room AND u.published_status <> 'offline'""")
                .bind("room", roomId)
                .map(row -> row.get(0, Long.class).intValue())
                .one();
    }

    private static <T> DatabaseClient.GenericExecuteSpec bindNullable(DatabaseClient.GenericExecuteSpec sql, String name,
                                                                     T value, Class<T> type) {
        return value == null ? sql.bindNull(name, type) : sql.bind(name, value);
    }

    private static StoredUser user(Readable row) {
        UserState state = new UserState(
                row.get("set_status", String.class),
                row.get("text", String.class),
                row.get("emoji", String.class),
                row.get("text_expires_at", Long.class),
                row.get("published_status", String.class),
                row.get("last_seen_at", Long.class),
                row.get("offline_due_at", Long.class));
        return new StoredUser(row.get("user_id", String.class), row.get("name", String.class), state,
                Privacy.valueOf(row.get("privacy", String.class)));
    }
}
