package dev.mesh.notification.messaging;

import java.time.Clock;
import java.util.Set;

import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.notification.NotificationCommands;
import dev.mesh.contracts.notification.NotificationEvents;
import dev.mesh.contracts.wire.MeshException;
import dev.mesh.contracts.wire.StreamTopics;
import dev.mesh.notification.config.NotificationProperties;
import dev.mesh.notification.store.DirectoryStore;
import dev.mesh.notification.store.NotificationStore;
import dev.mesh.runtime.command.CommandContext;
import dev.mesh.runtime.command.CommandHandler;
import dev.mesh.runtime.store.StreamLog;
import dev.mesh.runtime.store.StreamSeq;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code notification:sync {sinceSeq?}}, sent by the client after every connect: reads the
 * stream's seq under its row lock, replays the missed {@code notification:new} frames to the
 * session (capped like {@code chat:join}; beyond the caps none, {@code recovered:false}, and the
 * client pages over HTTP), sends the unread count, attaches the session from the next seq, then
 * acks — all in the command's transaction, in that order. The user is remembered (name, roles)
 * for announcements.
 */
@Component
public class SyncHandler implements CommandHandler {

    private final NotificationStore notifications;
    private final DirectoryStore directory;
    private final StreamSeq streams;
    private final StreamLog streamLog;
    private final NotificationProperties settings;
    private final Clock clock;

    public SyncHandler(NotificationStore notifications, DirectoryStore directory, StreamSeq streams,
                       StreamLog streamLog, NotificationProperties settings, Clock clock) {
        this.notifications = notifications;
        this.directory = directory;
        this.streams = streams;
        this.streamLog = streamLog;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public Set<String> types() {
        return Set.of(NotificationCommands.SYNC);
    }

    @Override
    public Mono<JsonNode> handle(CommandContext command) {
        NotificationCommands.Sync sync = command.data(NotificationCommands.Sync.class);
        if (sync.sinceSeq() != null && sync.sinceSeq() < 0) {
            throw MeshException.validation("sinceSeq cannot be negative");
        }
        String userId = command.user().id();
        String topic = StreamTopics.notificationsUser(userId);
        return directory.rememberUser(command.user(), clock.millis())
                .then(notifications.openStream(topic))
                .then(streams.current(topic))
                .flatMap(lastSeq -> replay(command, topic, sync.sinceSeq(), lastSeq)
                        .flatMap(recovered -> notifications.unreadCount(userId)
                                .flatMap(unread -> command.publishToSession(topic, NotificationEvents.UNREAD, null,
                                                new NotificationEvents.Unread(unread))
                                        .then(command.attach(topic, lastSeq + 1))
                                        .thenReturn(new NotificationCommands.Synced(lastSeq, recovered, unread)))))
                .map(MeshJson::tree);
    }

    private Mono<Boolean> replay(CommandContext command, String topic, Long sinceSeq, long lastSeq) {
        if (sinceSeq == null) {
            return Mono.just(true);
        }
        if (sinceSeq >= lastSeq) {
            return Mono.just(sinceSeq == lastSeq);
        }
        return streamLog.replay(topic, sinceSeq, settings.replayMaxEvents(), settings.replayMaxBytes().toBytes())
                .flatMap(missed -> {
                    boolean recovered = missed.complete() && missed.events().size() == lastSeq - sinceSeq;
                    if (!recovered) {
                        return Mono.just(false);
                    }
                    return Flux.fromIterable(missed.events())
                            .concatMap(e -> command.publishToSession(topic, e.type(), e.seq(), e.data()))
                            .then(Mono.just(true));
                });
    }
}
