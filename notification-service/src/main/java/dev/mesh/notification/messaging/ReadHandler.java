package dev.mesh.notification.messaging;

import java.time.Clock;
import java.util.List;
import java.util.Set;

import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.notification.NotificationCommands;
import dev.mesh.contracts.wire.MeshException;
import dev.mesh.notification.store.NotificationStore;
import dev.mesh.runtime.command.CommandContext;
import dev.mesh.runtime.command.CommandHandler;
import reactor.core.publisher.Mono;

/**
 * {@code notification:read {ids | upToSeq}} and {@code notification:read_all}: marks the caller's
 * notifications read; when the unread count changed, the new count goes to every session attached
 * to the user's topic before the ack.
 */
@Component
public class ReadHandler implements CommandHandler {

    /** Most ids one {@code notification:read} may name. */
    public static final int MAX_IDS = 500;

    private final NotificationStore notifications;
    private final NotificationWriter writer;
    private final Clock clock;

    public ReadHandler(NotificationStore notifications, NotificationWriter writer, Clock clock) {
        this.notifications = notifications;
        this.writer = writer;
        this.clock = clock;
    }

    @Override
    public Set<String> types() {
        return Set.of(NotificationCommands.READ, NotificationCommands.READ_ALL);
    }

    @Override
    public Mono<JsonNode> handle(CommandContext command) {
        String userId = command.user().id();
        long now = clock.millis();
        Mono<Integer> update;
        if (NotificationCommands.READ_ALL.equals(command.envelope().type())) {
            update = notifications.markAllRead(userId, now);
        } else {
            NotificationCommands.Read read = command.data(NotificationCommands.Read.class);
            boolean byIds = read.ids() != null;
            if (byIds == (read.upToSeq() != null)) {
                throw MeshException.validation("give either ids or upToSeq");
            }
            if (byIds) {
                List<String> ids = read.ids();
                if (ids.isEmpty() || ids.size() > MAX_IDS || ids.stream().anyMatch(id -> id == null || id.isBlank())) {
                    throw MeshException.validation("ids must list 1 to " + MAX_IDS + " notification ids");
                }
                update = notifications.markRead(userId, ids, now);
            } else {
                if (read.upToSeq() < 1) {
                    throw MeshException.validation("upToSeq must be positive");
                }
                update = notifications.markReadUpTo(userId, read.upToSeq(), now);
            }
        }
        return update.flatMap(updated -> (updated > 0 ? writer.pushUnread(userId) : Mono.<Void>empty())
                        .then(notifications.unreadCount(userId))
                        .map(unread -> new NotificationCommands.ReadResult(updated, unread)))
                .map(MeshJson::tree);
    }
}
