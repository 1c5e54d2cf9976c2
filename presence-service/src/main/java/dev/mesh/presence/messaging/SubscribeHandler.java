package dev.mesh.presence.messaging;

import java.util.Map;
import java.util.Set;

import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.presence.PresenceCommands;
import dev.mesh.contracts.wire.StreamTopics;
import dev.mesh.presence.web.PresenceQueries;
import dev.mesh.runtime.command.CommandContext;
import dev.mesh.runtime.command.CommandHandler;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code presence:subscribe {userIds}}: allowed only for users who share a room with the
 * caller (or the caller); then the caller's session is attached to each
 * {@code presence:user:<id>} (its events carry no seq, so {@code fromSeq} 0) and the ack is
 * {@code {presence: [{userId, status, text, emoji, lastSeenAt}]}}, lastSeenAt per each user's privacy.
 */
@Component
public class SubscribeHandler implements CommandHandler {

    private final PresenceQueries queries;

    public SubscribeHandler(PresenceQueries queries) {
        this.queries = queries;
    }

    @Override
    public Set<String> types() {
        return Set.of(PresenceCommands.SUBSCRIBE);
    }

    @Override
    public Mono<JsonNode> handle(CommandContext command) {
        PresenceCommands.Subscribe subscribe = command.data(PresenceCommands.Subscribe.class);
        String caller = command.user().id();
        return queries.presenceOf(caller, subscribe.userIds())
                .flatMap(list -> Flux.fromIterable(list)
                        .concatMap(presence -> command.attach(StreamTopics.presenceUser(presence.userId()), 0))
                        .then(Mono.fromSupplier(() -> MeshJson.tree(Map.of("presence", list)))));
    }
}
