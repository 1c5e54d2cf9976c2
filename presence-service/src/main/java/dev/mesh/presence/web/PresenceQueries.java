package dev.mesh.presence.web;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.stereotype.Component;

import dev.mesh.contracts.presence.PresenceEvents;
import dev.mesh.contracts.wire.MeshException;
import dev.mesh.presence.config.PresenceProperties;
import dev.mesh.presence.store.PresenceStore;
import dev.mesh.presence.store.StoredUser;
import reactor.core.publisher.Mono;

/** Reading other users' presence, for presence:subscribe and the HTTP API: the co-member rule and privacy. */
@Component
public class PresenceQueries {

    private final PresenceStore store;
    private final PresenceProperties settings;

    public PresenceQueries(PresenceStore store, PresenceProperties settings) {
        this.store = store;
        this.settings = settings;
    }

    /**
     * The presence of {@code userIds} as {@code viewer} may see it, in the order asked (duplicates
     * once). FORBIDDEN, naming nobody, when any of them shares no room with the viewer.
     */
    public Mono<List<PresenceEvents.Presence>> presenceOf(String viewer, List<String> userIds) {
        return Mono.defer(() -> {
            if (userIds == null) {
                throw MeshException.validation("userIds is required");
            }
            Set<String> ids = new LinkedHashSet<>();
            for (String id : userIds) {
                if (id == null || id.isBlank()) {
                    throw MeshException.validation("userIds must be user ids");
                }
                ids.add(id.strip());
            }
            if (ids.size() > settings.maxSubscribe()) {
                throw MeshException.validation("At most " + settings.maxSubscribe() + " users at once");
            }
            Set<String> others = ids.stream().filter(id -> !id.equals(viewer)).collect(Collectors.toSet());
            Mono<Set<String>> shared = others.isEmpty()
                    ? Mono.just(Set.of())
                    : store.coMembers(viewer, others).collect(Collectors.toSet());
            return shared.flatMap(coMembers -> {
                if (!coMembers.containsAll(others)) {
                    throw MeshException.forbidden("You can only see the presence of people who share a room with you");
                }
                if (ids.isEmpty()) {
                    return Mono.just(List.<PresenceEvents.Presence>of());
                }
                return store.users(ids).collectMap(StoredUser::userId, Function.identity())
                        .map(found -> view(viewer, ids, found));
            });
        });
    }

    private static List<PresenceEvents.Presence> view(String viewer, Set<String> ids, Map<String, StoredUser> found) {
        return ids.stream()
                .map(id -> {
                    StoredUser user = found.getOrDefault(id, StoredUser.unknown(id));
                    boolean self = id.equals(viewer);
                    // Everyone asked for here shares a room with the viewer (checked above).
                    return user.view(user.privacy().showsLastSeen(self, true));
                })
                .toList();
    }
}
