package dev.mesh.notification.store;

import java.time.Instant;
import java.util.List;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.notification.domain.PresenceState;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What the service knows of the rest of the mesh: users seen (names, roles), rooms and their
 * members (from chat.events), who is online (from presence.events). Every write is idempotent,
 * so a redelivered event changes nothing.
 */
@Repository
public class DirectoryStore {

    private final DatabaseClient db;

    public DirectoryStore(DatabaseClient db) {
        this.db = db;
    }

    public Mono<Void> rememberUser(UserRef user, long at) {
        return db.sql("""
                        INSERT INTO notification_users (user_id, name, roles, seen_at) VALUES (:id, :name, :roles, :at)
                        ON CONFLICT (user_id) DO UPDATE SET name = EXCLUDED.name, roles = EXCLUDED.roles, seen_at = EXCLUDED.seen_at""")
                .bind("id", user.id())
                .bind("name", user.name() == null ? user.id() : user.name())
                .bind("roles", user.roles().toArray(String[]::new))
                .bind("at", at)
                .then();
    }

    /** How a user is shown: the name they last came with, or their id. */
    public Mono<String> nameOf(String userId) {
        return db.sql("SELECT name FROM notification_users WHERE user_id = :id")
                .bind("id", userId)
                .map(row -> row.get("name", String.class))
                .one()
                .defaultIfEmpty(userId);
    }

    public Flux<String> allUsers() {
        return db.sql("SELECT user_id FROM notification_users ORDER BY user_id").map(row -> row.get(0, String.class)).all();
    }

    public Flux<String> usersWithRole(String role) {
        return db.sql("SELECT user_id FROM notification_users WHERE :role = ANY(roles) ORDER BY user_id")
                .bind("role", role)
                .map(row -> row.get(0, String.class))
                .all();
    }

    public Mono<Void> roomCreated(String roomId, String name, String createdBy) {
        return db.sql("""
                        INSERT INTO notification_rooms (room_id, name, created_by) VALUES (:id, :name, :by)
                        ON CONFLICT (room_id) DO UPDATE SET name = EXCLUDED.name, created_by = EXCLUDED.created_by""")
                .bind("id", roomId)
                .bind("name", name == null ? roomId : name)
                .bind("by", createdBy)
                .then()
                .then(addMember(roomId, createdBy));
    }

    public Mono<String> roomName(String roomId) {
        return db.sql("SELECT name FROM notification_rooms WHERE room_id = :id")
                .bind("id", roomId)
                .map(row -> row.get("name", String.class))
                .one()
                .defaultIfEmpty(roomId.startsWith("dm:") ? "a direct conversation" : "a room");
    }

    public Mono<Boolean> ownsRoom(String roomId, String userId) {
        return db.sql("SELECT 1 FROM notification_rooms WHERE room_id = :id AND created_by = :user")
                .bind("id", roomId)
                .bind("user", userId)
                .map(row -> true)
                .one()
                .defaultIfEmpty(false);
    }

    public Mono<Void> addMember(String roomId, String userId) {
        return db.sql("INSERT INTO notification_room_members (room_id, user_id) VALUES (:room, :user) ON CONFLICT DO NOTHING")
                .bind("room", roomId)
                .bind("user", userId)
                .then();
    }

    public Mono<Void> removeMember(String roomId, String userId) {
        return db.sql("DELETE FROM notification_room_members WHERE room_id = :room AND user_id = :user")
                .bind("room", roomId)
                .bind("user", userId)
                .then();
    }

    public Mono<List<String>> members(String roomId) {
        return db.sql("SELECT user_id FROM notification_room_members WHERE room_id = :room ORDER BY user_id")
                .bind("room", roomId)
                .map(row -> row.get(0, String.class))
                .all()
                .collectList();
    }

    /** Records a presence fact unless a newer one is already known (events of one user are ordered, but be safe). */
    public Mono<Void> presence(String userId, boolean online, long at) {
        DatabaseClient.GenericExecuteSpec upsert = db.sql("""
                        INSERT INTO notification_presence (user_id, online, offline_since, changed_at)
                        VALUES (:user, :online, :since, :at)
                        ON CONFLICT (user_id) DO UPDATE SET online = EXCLUDED.online,
                            offline_since = EXCLUDED.offline_since, changed_at = EXCLUDED.changed_at
                        WHERE notification_presence.changed_at <= EXCLUDED.changed_at""")
                .bind("user", userId)
                .bind("online", online)
                .bind("at", at);
        return (online ? upsert.bindNull("since", Long.class) : upsert.bind("since", at)).then();
    }

    public Mono<PresenceState> presenceOf(String userId) {
        return db.sql("SELECT online, offline_since FROM notification_presence WHERE user_id = :user")
                .bind("user", userId)
                .map(row -> {
                    Boolean online = row.get("online", Boolean.class);
                    Long since = row.get("offline_since", Long.class);
                    return Boolean.TRUE.equals(online) ? PresenceState.onlineNow()
                            : PresenceState.offlineSince(since == null ? null : Instant.ofEpochMilli(since));
                })
                .one()
                .defaultIfEmpty(PresenceState.UNKNOWN);
    }
}
