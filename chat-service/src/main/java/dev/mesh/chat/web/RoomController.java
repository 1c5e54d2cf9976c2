package dev.mesh.chat.web;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.mesh.chat.config.ChatProperties;
import dev.mesh.chat.domain.MemberRole;
import dev.mesh.chat.domain.MessageRules;
import dev.mesh.chat.domain.RoomAccess;
import dev.mesh.chat.domain.RoomAdministration;
import dev.mesh.chat.domain.RoomSpec;
import dev.mesh.chat.domain.UuidV7;
import dev.mesh.chat.store.MessageStore;
import dev.mesh.chat.store.RoomStore;
import dev.mesh.chat.store.RoomStream;
import dev.mesh.chat.store.StoredRoom;
import dev.mesh.contracts.chat.ChatEvents;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.MeshException;
import dev.mesh.runtime.security.MeshUsers;
import dev.mesh.runtime.store.Outbox;
import reactor.core.publisher.Mono;

/** Rooms and their history over HTTP ({@code /api/chat/rooms}); the caller comes from the token. */
@RestController
@RequestMapping("/api/chat/rooms")
public class RoomController {

    public record CreateRoom(String name, String type, String description, Integer maxMembers) {
    }

    public record RoomList(List<ChatEvents.Room> items) {
    }

    /** {@code PATCH} body: the settings to change; absent fields stay. */
    public record UpdateRoom(String name, String description, Integer maxMembers, Integer slowModeSeconds,
                             Boolean allowFiles, Integer historyRetentionDays) {
    }

    private final RoomStore rooms;
    private final RoomStream roomStream;
    private final MessageStore messages;
    private final Outbox outbox;
    private final TransactionalOperator meshTransactions;
    private final MeshUsers users;
    private final ChatProperties settings;
    private final Clock clock;

    public RoomController(RoomStore rooms, RoomStream roomStream, MessageStore messages, Outbox outbox,
                          TransactionalOperator meshTransactions, MeshUsers users, ChatProperties settings,
                          Clock clock) {
        this.rooms = rooms;
        this.roomStream = roomStream;
        this.messages = messages;
        this.outbox = outbox;
        this.meshTransactions = meshTransactions;
        this.users = users;
        this.settings = settings;
        this.clock = clock;
    }

    /** Creates a room; its creator is its owner. {@code RoomCreated} leaves through the outbox with the rows. */
    @PostMapping
    public Mono<ResponseEntity<ChatEvents.Room>> create(@AuthenticationPrincipal Jwt jwt, @RequestBody CreateRoom body) {
        return Mono.defer(() -> {
            UserRef creator = users.userOf(jwt);
            RoomSpec spec = RoomSpec.create(creator, body.name(), body.type(), body.description(), body.maxMembers(),
                    settings.maxRoomMembers());
            // Millisecond precision, so what the 201 shows is what a later GET reads back.
            Instant now = Instant.ofEpochMilli(clock.millis());
            String id = UuidV7.at(now.toEpochMilli()).toString();
            ChatEvents.Room room = new ChatEvents.Room(id, spec.name(), spec.type().value(), spec.description(),
                    spec.maxMembers(), 0, true, RoomAdministration.DEFAULT_RETENTION_DAYS, creator.id(),
                    now.toEpochMilli());
            Mono<Void> write = rooms.insert(id, spec, creator.id(), now)
                    .then(rooms.addMember(id, creator.id(), creator.name(), MemberRole.owner, now))
                    .then(outbox.event(Topics.CHAT_EVENTS, id, new ChatEvents.RoomCreated(UuidV7.next().toString(),
                            id, spec.name(), spec.type().value(), creator.id(), now.toEpochMilli())));
            return meshTransactions.transactional(write)
                    .thenReturn(ResponseEntity.created(URI.create("/api/chat/rooms/" + id)).body(room));
        });
    }

    /**
     * Changes a room's settings (owner and admins; moderators slow mode only); the room gets
     * {@code chat:room_updated} with a seq, so attached clients apply it in stream order.
     */
    @PatchMapping("/{id}")
    public Mono<ChatEvents.Room> update(@AuthenticationPrincipal Jwt jwt, @PathVariable String id,
                                        @RequestBody UpdateRoom body) {
        UserRef user = users.userOf(jwt);
        RoomAdministration.Patch patch = new RoomAdministration.Patch(body.name(), body.description(),
                body.maxMembers(), body.slowModeSeconds(), body.allowFiles(), body.historyRetentionDays());
        Mono<ChatEvents.Room> write = rooms.lock(id)
                .switchIfEmpty(Mono.error(RoomAccess::noSuchRoom))
                .flatMap(room -> roleOf(id, user).flatMap(role -> rooms.memberCount(id).flatMap(count -> {
                    if (role.isEmpty() && !RoomAccess.canRead(user, room.type(), false)) {
                        return Mono.error(RoomAccess.noSuchRoom());
                    }
                    StoredRoom updated = room.with(RoomAdministration.update(user, room.type(), role.orElse(null),
                            room.settings(), count, patch));
                    return rooms.update(id, updated.settings())
                            .then(roomStream.publish(id, ChatEvents.ROOM_UPDATED,
                                    new ChatEvents.RoomUpdated(updated.view(), user.id())))
                            .thenReturn(updated.view());
                })));
        return meshTransactions.transactional(write);
    }

    /**
     * Deletes a room with its history (owner and admins). Attached clients get
     * {@code chat:room_deleted}; other services get {@code RoomDeleted}.
     */
    @DeleteMapping("/{id}")
    public Mono<ResponseEntity<Void>> delete(@AuthenticationPrincipal Jwt jwt, @PathVariable String id) {
        UserRef user = users.userOf(jwt);
        Mono<Void> write = rooms.lock(id)
                .switchIfEmpty(Mono.error(RoomAccess::noSuchRoom))
                .flatMap(room -> roleOf(id, user).flatMap(role -> {
                    if (role.isEmpty() && !RoomAccess.canRead(user, room.type(), false)) {
                        return Mono.error(RoomAccess.noSuchRoom());
                    }
                    RoomAdministration.delete(user, room.type(), role.orElse(null));
                    return roomStream.announce(id, ChatEvents.ROOM_DELETED, new ChatEvents.DeletedRoom(id, user.id()))
                            .then(outbox.event(Topics.CHAT_EVENTS, id, new ChatEvents.RoomDeleted(
                                    UuidV7.next().toString(), id, user.id(), clock.millis())))
                            .then(rooms.delete(id));
                }));
        return meshTransactions.transactional(write).thenReturn(ResponseEntity.noContent().build());
    }

    private Mono<Optional<MemberRole>> roleOf(String roomId, UserRef user) {
        return rooms.role(roomId, user.id()).map(Optional::of).defaultIfEmpty(Optional.empty());
    }

    /** Public rooms and the caller's own. */
    @GetMapping
    public Mono<RoomList> list(@AuthenticationPrincipal Jwt jwt) {
        return rooms.visibleTo(users.userOf(jwt).id()).map(StoredRoom::view).collectList().map(RoomList::new);
    }

    public record UnreadList(List<MessageStore.UnreadCount> items) {
    }

    /** The caller's read marker and unread count in every room they are a member of. */
    @GetMapping("/unread")
    public Mono<UnreadList> unread(@AuthenticationPrincipal Jwt jwt) {
        return messages.unreadCounts(users.userOf(jwt).id()).collectList().map(UnreadList::new);
    }

    /** A room the caller may see; a room they may not see is answered as missing, so its name does not leak. */
    @GetMapping("/{id}")
    public Mono<ChatEvents.Room> get(@AuthenticationPrincipal Jwt jwt, @PathVariable String id) {
        UserRef user = users.userOf(jwt);
        return rooms.find(id)
                .filterWhen(room -> rooms.isMember(id, user.id())
                        .map(member -> RoomAccess.canRead(user, room.type(), member)))
                .map(StoredRoom::view)
                .switchIfEmpty(Mono.error(RoomAccess::noSuchRoom));
    }

    /** A page of history, oldest first: forward with {@code afterSeq}, backward with {@code beforeSeq} or from the newest. */
    @GetMapping("/{id}/messages")
    public Mono<MessageStore.Page> history(@AuthenticationPrincipal Jwt jwt, @PathVariable String id,
                                           @RequestParam(required = false) Long afterSeq,
                                           @RequestParam(required = false) Long beforeSeq,
                                           @RequestParam(required = false) Integer limit) {
        return Mono.defer(() -> {
            int pageSize = limit == null ? settings.historyPageDefault() : limit;
            if (pageSize < 1 || pageSize > settings.historyPageMax()) {
                throw MeshException.validation("limit must be between 1 and " + settings.historyPageMax());
            }
            if ((afterSeq != null && afterSeq < 0) || (beforeSeq != null && beforeSeq < 1)) {
                throw MeshException.validation("afterSeq and beforeSeq must be positive");
            }
            UserRef user = users.userOf(jwt);
            return rooms.find(id)
                    .switchIfEmpty(Mono.error(RoomAccess::noSuchRoom))
                    .flatMap(room -> rooms.isMember(id, user.id())
                            .filter(member -> RoomAccess.canRead(user, room.type(), member))
                            .switchIfEmpty(Mono.error(() -> MeshException.forbidden("This room's history is for its members only"))))
                    .then(messages.page(id, afterSeq, beforeSeq, pageSize));
        });
    }

    /**
     * A thread: the replies (and replies to replies) of a message, oldest first, each in its
     * current state; {@code limit} as for history.
     */
    @GetMapping("/{id}/messages/{messageId}/thread")
    public Mono<MessageStore.Page> thread(@AuthenticationPrincipal Jwt jwt, @PathVariable String id,
                                          @PathVariable String messageId,
                                          @RequestParam(required = false) Integer limit) {
        return Mono.defer(() -> {
            int pageSize = limit == null ? settings.historyPageMax() : limit;
            if (pageSize < 1 || pageSize > settings.historyPageMax()) {
                throw MeshException.validation("limit must be between 1 and " + settings.historyPageMax());
            }
            UUID root = MessageRules.messageId(messageId);
            return readableMessage(jwt, id, root).then(messages.thread(id, root, pageSize));
        });
    }

    public record EditList(List<MessageStore.Edit> items) {
    }

    /** A message's edit history: its previous contents, oldest first (gone with a deleted message's content). */
    @GetMapping("/{id}/messages/{messageId}/edits")
    public Mono<EditList> edits(@AuthenticationPrincipal Jwt jwt, @PathVariable String id,
                                @PathVariable String messageId) {
        return Mono.defer(() -> {
            UUID message = MessageRules.messageId(messageId);
            return readableMessage(jwt, id, message)
                    .then(messages.editHistory(message).collectList().map(EditList::new));
        });
    }

    /** Completes when the caller may read the room and the message is in it. */
    private Mono<Void> readableMessage(Jwt jwt, String roomId, UUID messageId) {
        UserRef user = users.userOf(jwt);
        return rooms.find(roomId)
                .switchIfEmpty(Mono.error(RoomAccess::noSuchRoom))
                .flatMap(room -> rooms.isMember(roomId, user.id())
                        .filter(member -> RoomAccess.canRead(user, room.type(), member))
                        .switchIfEmpty(Mono.error(() -> MeshException.forbidden("This room's history is for its members only"))))
                .then(messages.authorOf(roomId, messageId))
                .switchIfEmpty(Mono.error(MessageRules::noSuchMessage))
                .then();
    }
}
