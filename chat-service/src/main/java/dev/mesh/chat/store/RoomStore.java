package dev.mesh.chat.store;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

import dev.mesh.chat.domain.MemberRole;
import dev.mesh.chat.domain.RoomAdministration;
import dev.mesh.chat.domain.RoomSpec;
import dev.mesh.chat.domain.RoomType;
import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Rooms and their members. Uses the context's {@link DatabaseClient}, so calls made inside
 * the command processor's or {@code meshTransactions}' transaction join it.
 */
@Repository
public class RoomStore {

    private static final String COLUMNS =
            "r.id, r.name, r.type, r.description, r.max_members, r.slow_mode_seconds, r.allow_files, r.history_retention_days, r.created_by, r.created_at";

    private final DatabaseClient db;

    public RoomStore(DatabaseClient db) {
        this.db = db;
    }

    public Mono<Void> insert(String id, RoomSpec spec, String createdBy, Instant createdAt) {
        DatabaseClient.GenericExecuteSpec insert = db.sql("""
                        INSERT INTO chat_rooms (id, name, type, description, max_members, created_by, created_at)
                        VALUES (:id, :name, :type, :description, :maxMembers, :createdBy, :createdAt)""")
                .bind("id", id)
                .bind("name", spec.name())
                .bind("type", spec.type().value())
                .bind("maxMembers", spec.maxMembers())
                .bind("createdBy", createdBy)
                .bind("createdAt", OffsetDateTime.ofInstant(createdAt, ZoneOffset.UTC));
        insert = spec.description() == null
                ? insert.bindNull("description", String.class)
                : insert.bind("description", spec.description());
        return insert.then();
    }

    /**
     * A direct conversation's room, with both users as members, unless it exists already (two
     * first messages of one pair are ordered by their Kafka key, and the conflict clause covers a
     * partition moving between owners). Emits whether it was created.
     */
    public Mono<Boolean> insertDirect(String id, String userId, String userName, String otherId, Instant createdAt) {
        return db.sql("""
                        INSERT INTO chat_rooms (id, name, type, max_members, created_by, created_at)
                        VALUES (:id, :name, 'direct', 2, :createdBy, :createdAt)
                        ON CONFLICT (id) DO NOTHING""")
                .bind("id", id)
                .bind("name", "Direct messages")
                .bind("createdBy", userId)
                .bind("createdAt", OffsetDateTime.ofInstant(createdAt, ZoneOffset.UTC))
                .fetch().rowsUpdated()
                .flatMap(inserted -> inserted == 0 ? Mono.just(false)
                        : addMember(id, userId, userName, MemberRole.member, createdAt)
                                // The recipient's display name is not known here; their id stands in for it.
                                .then(addMember(id, otherId, otherId, MemberRole.member, createdAt))
                                .thenReturn(true));
    }

    public Mono<StoredRoom> find(String id) {
        return db.sql("SELECT " + COLUMNS + " FROM chat_rooms r WHERE r.id = :id")
                .bind("id", id)
                .map(RoomStore::room)
                .one();
    }

    /**
     * The room, its row locked until the transaction ends: joins of one room are ordered by
     * their Kafka partition already, and the lock keeps the capacity check exact while a
     * partition moves between owners.
     */
    public Mono<StoredRoom> lock(String id) {
        return db.sql("SELECT " + COLUMNS + " FROM chat_rooms r WHERE r.id = :id FOR UPDATE")
                .bind("id", id)
                .map(RoomStore::room)
                .one();
    }

    /** Public rooms and the rooms the user is a member of, newest first. */
    public Flux<StoredRoom> visibleTo(String userId) {
        return db.sql("SELECT " + COLUMNS + """
                         FROM chat_rooms r
                        WHERE r.type = 'public'
                           OR EXISTS (SELECT 1 FROM chat_members m WHERE m.room_id = r.id AND m.user_id = :user)
                        ORDER BY r.created_at DESC, r.id DESC""")
                .bind("user", userId)
                .map(RoomStore::room)
                .all();
    }

    public Mono<Void> addMember(String roomId, String userId, String userName, MemberRole role, Instant joinedAt) {
        return db.sql("""
                        INSERT INTO chat_members (room_id, user_id, user_name, role, joined_at)
                        VALUES (:room, :user, :name, :role, :joinedAt)""")
                .bind("room", roomId)
                .bind("user", userId)
                .bind("name", userName)
                .bind("role", role.name())
                .bind("joinedAt", OffsetDateTime.ofInstant(joinedAt, ZoneOffset.UTC))
                .then();
    }

    /** Removes a member; emits whether they were one. */
    public Mono<Boolean> removeMember(String roomId, String userId) {
        return db.sql("DELETE FROM chat_members WHERE room_id = :room AND user_id = :user")
                .bind("room", roomId)
                .bind("user", userId)
                .fetch().rowsUpdated()
                .map(deleted -> deleted > 0);
    }

    /** The members' user ids, in id order. */
    public Flux<String> memberIds(String roomId) {
        return db.sql("SELECT user_id FROM chat_members WHERE room_id = :room ORDER BY user_id")
                .bind("room", roomId)
                .map(row -> row.get(0, String.class))
                .all();
    }

    public Mono<Boolean> isMember(String roomId, String userId) {
        return db.sql("SELECT EXISTS (SELECT 1 FROM chat_members WHERE room_id = :room AND user_id = :user)")
                .bind("room", roomId)
                .bind("user", userId)
                .map(row -> row.get(0, Boolean.class))
                .one();
    }

    /** A room as a poster meets it: the room, the poster's role (null: not a member) and mute (null: none). */
    public record PosterView(StoredRoom room, MemberRole role, Instant mutedUntil) {
    }

    /** The room with the user's membership and mute, in one round trip; empty when there is no such room. */
    public Mono<PosterView> forPoster(String roomId, String userId) {
        Poster poster = new Poster(roomId, userId);
        return forPosters(List.of(poster)).mapNotNull(views -> views.get(poster));
    }

    /** Who posts where, for {@link #forPosters}. */
    public record Poster(String roomId, String userId) {
    }

    /**
     * The room as each poster meets it (the hot path of every message: a batch's posters in one
     * round trip): the view of each poster whose room exists; a poster missing from the map has
     * no such room.
     */
    public Mono<Map<Poster, PosterView>> forPosters(Collection<Poster> posters) {
        if (posters.isEmpty()) {
            return Mono.just(Map.of());
        }
        List<Poster> distinct = List.copyOf(new LinkedHashSet<>(posters));
        return db.sql("SELECT p.room_id AS poster_room, p.user_id AS poster_user, " + COLUMNS + """
                        , (SELECT m.role FROM chat_members m WHERE m.room_id = r.id AND m.user_id = p.user_id) AS member_role,
                          (SELECT u.until_at FROM chat_mutes u WHERE u.room_id = r.id AND u.user_id = p.user_id) AS muted_until
                         FROM unnest(:rooms::text[], :users::text[]) AS p(room_id, user_id)
                         JOIN chat_rooms r ON r.id = p.room_id""")
                .bind("rooms", distinct.stream().map(Poster::roomId).toArray(String[]::new))
                .bind("users", distinct.stream().map(Poster::userId).toArray(String[]::new))
                .map(row -> {
                    String role = row.get("member_role", String.class);
                    OffsetDateTime muted = row.get("muted_until", OffsetDateTime.class);
                    return Map.entry(new Poster(row.get("poster_room", String.class), row.get("poster_user", String.class)),
                            new PosterView(room(row), role == null ? null : MemberRole.valueOf(role),
                                    muted == null ? null : muted.toInstant()));
                })
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    /** The user's role in the room; empty when not a member. */
    public Mono<MemberRole> role(String roomId, String userId) {
        return db.sql("SELECT role FROM chat_members WHERE room_id = :room AND user_id = :user")
                .bind("room", roomId)
                .bind("user", userId)
                .map(row -> MemberRole.valueOf(row.get(0, String.class)))
                .one();
    }

    /** A member of a room as moderation sees it. */
    public record Member(String userId, String name, MemberRole role) {
    }

    /** The member; empty when the user is not one. */
    public Mono<Member> member(String roomId, String userId) {
        return db.sql("SELECT user_id, user_name, role FROM chat_members WHERE room_id = :room AND user_id = :user")
                .bind("room", roomId)
                .bind("user", userId)
                .map(row -> new Member(row.get("user_id", String.class), row.get("user_name", String.class),
                        MemberRole.valueOf(row.get("role", String.class))))
                .one();
    }

    /** Mutes the user in the room until {@code until}, replacing an earlier mute. */
    public Mono<Void> mute(String roomId, String userId, Instant until, String mutedBy) {
        return db.sql("""
                        INSERT INTO chat_mutes (room_id, user_id, until_at, muted_by)
                        VALUES (:room, :user, :until, :by)
                        ON CONFLICT (room_id, user_id) DO UPDATE SET until_at = EXCLUDED.until_at, muted_by = EXCLUDED.muted_by""")
                .bind("room", roomId)
                .bind("user", userId)
                .bind("until", OffsetDateTime.ofInstant(until, ZoneOffset.UTC))
                .bind("by", mutedBy)
                .then();
    }

    /** Removes the user's mute in the room; emits whether there was one. */
    public Mono<Boolean> unmute(String roomId, String userId) {
        return db.sql("DELETE FROM chat_mutes WHERE room_id = :room AND user_id = :user")
                .bind("room", roomId)
                .bind("user", userId)
                .fetch().rowsUpdated()
                .map(deleted -> deleted > 0);
    }

    /** Until when the user is (or was) muted in the room; empty when there is no mute. */
    public Mono<Instant> mutedUntil(String roomId, String userId) {
        return db.sql("SELECT until_at FROM chat_mutes WHERE room_id = :room AND user_id = :user")
                .bind("room", roomId)
                .bind("user", userId)
                .map(row -> row.get(0, OffsetDateTime.class).toInstant())
                .one();
    }

    public Mono<Integer> memberCount(String roomId) {
        return db.sql("SELECT count(*) FROM chat_members WHERE room_id = :room")
                .bind("room", roomId)
                .map(row -> row.get(0, Long.class).intValue())
                .one();
    }

    private static StoredRoom room(Readable row) {
        return new StoredRoom(
                row.get("id", String.class),
                row.get("name", String.class),
                RoomType.parse(row.get("type", String.class)).orElseThrow(),
                row.get("description", String.class),
                row.get("max_members", Integer.class),
                row.get("slow_mode_seconds", Integer.class),
                row.get("allow_files", Boolean.class),
                row.get("history_retention_days", Integer.class),
                row.get("created_by", String.class),
                row.get("created_at", OffsetDateTime.class).toInstant().toEpochMilli());
    }

    /** The member's read marker, the member row locked until the transaction ends; empty when not a member. */
    public Mono<Long> lockReadMarker(String roomId, String userId) {
        return db.sql("SELECT last_read_seq FROM chat_members WHERE room_id = :room AND user_id = :user FOR UPDATE")
                .bind("room", roomId)
                .bind("user", userId)
                .map(row -> row.get(0, Long.class))
                .one();
    }

    /** The member's read marker; empty when not a member. */
    public Mono<Long> readMarker(String roomId, String userId) {
        return db.sql("SELECT last_read_seq FROM chat_members WHERE room_id = :room AND user_id = :user")
                .bind("room", roomId)
                .bind("user", userId)
                .map(row -> row.get(0, Long.class))
                .one();
    }

    /** Moves the member's read marker forward to {@code seq} (never back). */
    public Mono<Void> markRead(String roomId, String userId, long seq) {
        return db.sql("""
                        UPDATE chat_members SET last_read_seq = GREATEST(last_read_seq, :seq)
                        WHERE room_id = :room AND user_id = :user""")
                .bind("room", roomId)
                .bind("user", userId)
                .bind("seq", seq)
                .then();
    }

    /** Stores a room's new settings. */
    public Mono<Void> update(String roomId, RoomAdministration.Settings settings) {
        DatabaseClient.GenericExecuteSpec update = db.sql("""
                        UPDATE chat_rooms SET name = :name, description = :description, max_members = :maxMembers,
                               slow_mode_seconds = :slowMode, allow_files = :allowFiles,
                               history_retention_days = :retention
                        WHERE id = :id""")
                .bind("id", roomId)
                .bind("name", settings.name())
                .bind("maxMembers", settings.maxMembers())
                .bind("slowMode", settings.slowModeSeconds())
                .bind("allowFiles", settings.allowFiles())
                .bind("retention", settings.historyRetentionDays());
        update = settings.description() == null
                ? update.bindNull("description", String.class)
                : update.bind("description", settings.description());
        return update.then();
    }

    /** Deletes a room with its members, messages and invitations. */
    public Mono<Void> delete(String roomId) {
        return db.sql("DELETE FROM chat_rooms WHERE id = :id").bind("id", roomId).then();
    }

    /** A member as the members list shows them. */
    public record MemberView(String userId, String name, String role, long joinedAt) {
    }

    /** The members, the owner first, then moderators, then by name. */
    public Flux<MemberView> members(String roomId) {
        return db.sql("""
                        SELECT user_id, user_name, role, joined_at FROM chat_members WHERE room_id = :room
                        ORDER BY CASE role WHEN 'owner' THEN 0 WHEN 'moderator' THEN 1 ELSE 2 END, user_name, user_id""")
                .bind("room", roomId)
                .map(row -> new MemberView(row.get("user_id", String.class), row.get("user_name", String.class),
                        row.get("role", String.class), row.get("joined_at", OffsetDateTime.class).toInstant().toEpochMilli()))
                .all();
    }

    public Mono<Void> setRole(String roomId, String userId, MemberRole role) {
        return db.sql("UPDATE chat_members SET role = :role WHERE room_id = :room AND user_id = :user")
                .bind("room", roomId)
                .bind("user", userId)
                .bind("role", role.name())
                .then();
    }

    /** Invites a user; emits false when they were invited already (the first invitation stands). */
    public Mono<Boolean> invite(String roomId, String userId, String invitedBy, Instant at) {
        return db.sql("""
                        INSERT INTO chat_invites (room_id, user_id, invited_by, invited_at)
                        VALUES (:room, :user, :by, :at) ON CONFLICT (room_id, user_id) DO NOTHING""")
                .bind("room", roomId)
                .bind("user", userId)
                .bind("by", invitedBy)
                .bind("at", OffsetDateTime.ofInstant(at, ZoneOffset.UTC))
                .fetch().rowsUpdated()
                .map(inserted -> inserted > 0);
    }

    public Mono<Boolean> isInvited(String roomId, String userId) {
        return db.sql("SELECT EXISTS (SELECT 1 FROM chat_invites WHERE room_id = :room AND user_id = :user)")
                .bind("room", roomId)
                .bind("user", userId)
                .map(row -> row.get(0, Boolean.class))
                .one();
    }

    /** Removes an invitation (used up by a join, withdrawn or declined); emits whether there was one. */
    public Mono<Boolean> removeInvite(String roomId, String userId) {
        return db.sql("DELETE FROM chat_invites WHERE room_id = :room AND user_id = :user")
                .bind("room", roomId)
                .bind("user", userId)
                .fetch().rowsUpdated()
                .map(deleted -> deleted > 0);
    }

    /** An invitation as its invitee sees it. */
    public record InviteView(String roomId, String roomName, String roomType, String invitedBy, long invitedAt) {
    }

    /** The user's open invitations, newest first. */
    public Flux<InviteView> invitesOf(String userId) {
        return db.sql("""
                        SELECT i.room_id, r.name, r.type, i.invited_by, i.invited_at
                        FROM chat_invites i JOIN chat_rooms r ON r.id = i.room_id
                        WHERE i.user_id = :user ORDER BY i.invited_at DESC, i.room_id""")
                .bind("user", userId)
                .map(row -> new InviteView(row.get("room_id", String.class), row.get("name", String.class),
                        row.get("type", String.class), row.get("invited_by", String.class),
                        row.get("invited_at", OffsetDateTime.class).toInstant().toEpochMilli()))
                .all();
    }

    /** The member's last post time (epoch ms, empty when never), the member row locked until the transaction ends. */
    public Mono<Optional<Long>> lockLastPost(String roomId, String userId) {
        return db.sql("SELECT last_posted_at FROM chat_members WHERE room_id = :room AND user_id = :user FOR UPDATE")
                .bind("room", roomId)
                .bind("user", userId)
                .map(row -> Optional.ofNullable(row.get(0, OffsetDateTime.class))
                        .map(at -> at.toInstant().toEpochMilli()))
                .one();
    }

    public Mono<Void> touchLastPost(String roomId, String userId, long at) {
        return db.sql("UPDATE chat_members SET last_posted_at = :at WHERE room_id = :room AND user_id = :user")
                .bind("room", roomId)
                .bind("user", userId)
                .bind("at", OffsetDateTime.ofInstant(Instant.ofEpochMilli(at), ZoneOffset.UTC))
                .then();
    }
}
