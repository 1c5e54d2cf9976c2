package dev.mesh.presence.messaging;

import java.util.Map;
import java.util.Set;

import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.presence.PresenceCommands;
import dev.mesh.presence.domain.PresenceRules;
import dev.mesh.presence.domain.UserState;
import dev.mesh.presence.store.PresenceStore;
import dev.mesh.runtime.command.CommandContext;
import dev.mesh.runtime.command.CommandHandler;
import reactor.core.publisher.Mono;

/**
 * {@code presence:set {status?, text?, emoji?, expiresAt?}} (keyed by the caller's id): the
 * rule in {@link PresenceRules#set}; a visible change is published in the command's
 * transaction. The ack is {@code {presence: {...}}}, the caller's own presence.
 */
@Component
public class SetPresenceHandler implements CommandHandler {

    private final PresenceStore store;
    private final PresenceUpdates updates;

    public SetPresenceHandler(PresenceStore store, PresenceUpdates updates) {
        this.store = store;
        this.updates = updates;
    }

    @Override
    public Set<String> types() {
        return Set.of(PresenceCommands.SET);
    }

    @Override
    public Mono<JsonNode> handle(CommandContext command) {
        PresenceCommands.SetPresence set = command.data(PresenceCommands.SetPresence.class);
        UserRef user = command.user();
        // Validate before touching anything; the rule runs again under the lock on the stored state.
        PresenceRules.set(UserState.unknown(), set, command.receivedAt());
        return store.ensureUser(user.id(), user.name())
                .then(updates.change(user.id(), stored -> Mono.just(PresenceRules.set(stored.state(), set, command.receivedAt()))))
                .map(after -> MeshJson.tree(Map.of("presence", after.view(true))));
    }
}
