package dev.mesh.chat.web;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.mesh.chat.domain.MemberRole;
import dev.mesh.chat.domain.RoomAccess;
import dev.mesh.chat.domain.RoomAdministration;
import dev.mesh.chat.domain.UuidV7;
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

/**
 * A room's members and invitations over HTTP: the member list (for those who may read the
 * room), naming moderators (owner and admins), inviting (owner, moderators, admins) and
 * withdrawing or declining an invitation, and the caller's own open invitations.
 */
@RestController
public class MemberController {

    public record MemberList(List<RoomStore.MemberView> items) {
    }

    public record InviteList(List<RoomStore.InviteView> items) {
    }

    public record ChangeRole(String role) {
    }

    public record Invite(String userId) {
    }

    private final RoomStore rooms;
    private final RoomStream roomStream;
    private final Outbox outbox;
    private final TransactionalOperator meshTransactions;
    private final MeshUsers users;
    private final Clock clock;

    public MemberController(RoomStore rooms, RoomStream roomStream, Outbox outbox,
                            TransactionalOperator meshTransactions, MeshUsers users, Clock clock) {
        this.rooms = rooms;
        this.roomStream = roomStream;
        this.outbox = outbox;
        this.meshTransactions = meshTransactions;
        this.users = users;
        this.clock = clock;
    }

    @GetMapping("/api/chat/rooms/{id}/members")
    public Mono<MemberList> members(@AuthenticationPrincipal Jwt jwt, @PathVariable String id) {
        UserRef user = users.userOf(jwt);
        return visibleRoom(id, user).flatMap(scope -> rooms.members(id).collectList().map(MemberList::new));
    }

    /** Makes a member a moderator or a member again; the room gets {@code chat:member_updated} with a seq. */
    @PutMapping("/api/chat/rooms/{id}/members/{userId}")
    public Mono<RoomStore.MemberView> changeRole(@AuthenticationPrincipal Jwt jwt, @PathVariable String id,
                                                 @PathVariable String userId, @RequestBody ChangeRole body) {
        UserRef user = users.userOf(jwt);
        Mono<RoomStore.MemberView> write = visibleRoom(id, user)
                .flatMap(scope -> rooms.member(id, userId).map(Optional::of).defaultIfEmpty(Optional.empty())
                        .flatMap(target -> {
                            MemberRole role = RoomAdministration.changeRole(user, scope.room().type(),
                                    scope.role().orElse(null), target.map(RoomStore.Member::role).orElse(null),
                                    body.role());
                            String name = target.orElseThrow().name();
                            return rooms.setRole(id, userId, role)
                                    .then(roomStream.publish(id, ChatEvents.MEMBER_UPDATED,
                                            new ChatEvents.MemberUpdated(id, userId, name, role.name(), user.id())))
                                    .then(rooms.members(id).filter(m -> m.userId().equals(userId)).next());
                        }));
        return meshTransactions.transactional(write);
    }

    /**
     * Invites a user: {@code 201} with the invitation, or {@code 200} when it existed already
     * (nothing is announced twice). The invitee's sessions get {@code chat:invited}; other
     * services get {@code MemberInvited} (notification-service tells the invitee).
     */
    @PostMapping("/api/chat/rooms/{id}/invites")
    public Mono<ResponseEntity<RoomStore.InviteView>> invite(@AuthenticationPrincipal Jwt jwt, @PathVariable String id,
                                                            @RequestBody Invite body) {
        UserRef user = users.userOf(jwt);
        Instant now = Instant.ofEpochMilli(clock.millis());
        Mono<ResponseEntity<RoomStore.InviteView>> write = visibleRoom(id, user)
                .flatMap(scope -> rooms.isMember(id, body.userId() == null ? "" : body.userId())
                        .flatMap(member -> {
                            StoredRoom room = scope.room();
                            String invitee = RoomAdministration.invite(user, room.type(), scope.role().orElse(null),
                                    body.userId(), member);
                            RoomStore.InviteView view = new RoomStore.InviteView(id, room.name(), room.type().value(),
                                    user.id(), now.toEpochMilli());
                            return rooms.invite(id, invitee, user.id(), now).flatMap(created -> created
                                    ? roomStream.tell(id, invitee, ChatEvents.INVITED, new ChatEvents.Invited(id,
                                                    room.name(), room.type().value(), user.id(), now.toEpochMilli()))
                                            .then(outbox.event(Topics.CHAT_EVENTS, id, new ChatEvents.MemberInvited(
                                                    UuidV7.next().toString(), id, room.name(), invitee, user.id(),
                                                    now.toEpochMilli())))
                                            .thenReturn(ResponseEntity.status(HttpStatus.CREATED).body(view))
                                    : Mono.just(ResponseEntity.ok(view)));
                        }));
        return meshTransactions.transactional(write);
    }

    /** Withdraws (owner, moderators, admins) or declines (the invitee) an invitation. */
    @DeleteMapping("/api/chat/rooms/{id}/invites/{userId}")
    public Mono<ResponseEntity<Void>> uninvite(@AuthenticationPrincipal Jwt jwt, @PathVariable String id,
                                               @PathVariable String userId) {
        UserRef user = users.userOf(jwt);
        Mono<ResponseEntity<Void>> write = rooms.find(id)
                .switchIfEmpty(Mono.error(RoomAccess::noSuchRoom))
                .flatMap(room -> roleOf(id, user).flatMap(role -> {
                    RoomAdministration.uninvite(user, room.type(), role.orElse(null), userId);
                    return rooms.removeInvite(id, userId);
                }))
                .flatMap(removed -> removed
                        ? Mono.just(ResponseEntity.noContent().<Void>build())
                        : Mono.error(MeshException.notFound("There is no such invitation")));
        return meshTransactions.transactional(write);
    }

    /** The caller's open invitations, newest first. */
    @GetMapping("/api/chat/invites")
    public Mono<InviteList> myInvites(@AuthenticationPrincipal Jwt jwt) {
        return rooms.invitesOf(users.userOf(jwt).id()).collectList().map(InviteList::new);
    }

    private record Scope(StoredRoom room, Optional<MemberRole> role) {
    }

    /** The room with the caller's role; a room they may not read is answered as missing. */
    private Mono<Scope> visibleRoom(String id, UserRef user) {
        return rooms.find(id)
                .switchIfEmpty(Mono.error(RoomAccess::noSuchRoom))
                .flatMap(room -> roleOf(id, user)
                        .filter(role -> RoomAccess.canRead(user, room.type(), role.isPresent()))
                        .switchIfEmpty(Mono.error(RoomAccess::noSuchRoom))
                        .map(role -> new Scope(room, role)));
    }

    private Mono<Optional<MemberRole>> roleOf(String roomId, UserRef user) {
        return rooms.role(roomId, user.id()).map(Optional::of).defaultIfEmpty(Optional.empty());
    }
}
