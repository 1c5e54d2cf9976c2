package dev.mesh.presence.web;

import java.util.Arrays;
import java.util.List;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.presence.PresenceEvents;
import dev.mesh.contracts.wire.MeshException;
import dev.mesh.presence.domain.Privacy;
import dev.mesh.presence.store.PresenceStore;
import dev.mesh.presence.store.StoredUser;
import dev.mesh.runtime.security.MeshUsers;
import reactor.core.publisher.Mono;

/** Presence over HTTP ({@code /api/presence}); the caller comes from the token. */
@RestController
@RequestMapping("/api/presence")
public class PresenceController {

    public record PresenceList(List<PresenceEvents.Presence> presence) {
    }

    public record Me(String userId, String status, String setStatus, String text, String emoji, Long textExpiresAt,
                     Long lastSeenAt, String privacy) {
    }

    public record Settings(String privacy) {
    }

    public record RoomOnline(String roomId, int online) {
    }

    private final PresenceQueries queries;
    private final PresenceStore store;
    private final TransactionalOperator meshTransactions;
    private final MeshUsers users;

    public PresenceController(PresenceQueries queries, PresenceStore store, TransactionalOperator meshTransactions,
                              MeshUsers users) {
        this.queries = queries;
        this.store = store;
        this.meshTransactions = meshTransactions;
        this.users = users;
    }

    /** {@code ?userIds=a,b,c}: users who share a room with the caller (403 otherwise). */
    @GetMapping
    public Mono<PresenceList> bulk(@AuthenticationPrincipal Jwt jwt, @RequestParam String userIds) {
        List<String> ids = Arrays.stream(userIds.split(",")).map(String::strip).filter(id -> !id.isEmpty()).toList();
        return queries.presenceOf(users.userOf(jwt).id(), ids).map(PresenceList::new);
    }

    @GetMapping("/me")
    public Mono<Me> me(@AuthenticationPrincipal Jwt jwt) {
        String id = users.userOf(jwt).id();
        return store.users(List.of(id)).next()
                .defaultIfEmpty(StoredUser.unknown(id))
                .map(PresenceController::me);
    }

    @PutMapping("/me/settings")
    public Mono<Settings> settings(@AuthenticationPrincipal Jwt jwt, @RequestBody Settings body) {
        return Mono.defer(() -> {
            Privacy privacy = Privacy.parse(body == null ? null : body.privacy());
            UserRef user = users.userOf(jwt);
            return meshTransactions.transactional(store.ensureUser(user.id(), user.name())
                            .then(store.setPrivacy(user.id(), privacy)))
                    .thenReturn(new Settings(privacy.name()));
        });
    }

    /** How many members of a room are not offline; for its members only. */
    @GetMapping("/rooms/{roomId}/online")
    public Mono<RoomOnline> roomOnline(@AuthenticationPrincipal Jwt jwt, @PathVariable String roomId) {
        return store.isMember(roomId, users.userOf(jwt).id())
                .flatMap(member -> member
                        ? store.onlineCount(roomId).map(count -> new RoomOnline(roomId, count))
                        : Mono.error(MeshException.forbidden("Room presence is for the room's members only")));
    }

    private static Me me(StoredUser user) {
        var state = user.state();
        return new Me(user.userId(), state.publishedStatus(), state.setStatus(), state.text(), state.emoji(),
                state.textExpiresAt(), state.lastSeenAt(), user.privacy().name());
    }
}
