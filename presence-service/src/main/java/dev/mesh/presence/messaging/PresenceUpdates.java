package dev.mesh.presence.messaging;

import java.time.Clock;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;

import org.springframework.stereotype.Component;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.contracts.presence.ConnectionEvent;
import dev.mesh.contracts.presence.PresenceEvents;
import dev.mesh.contracts.wire.StreamTopics;
import dev.mesh.presence.config.PresenceProperties;
import dev.mesh.presence.domain.PresenceRules;
import dev.mesh.presence.domain.UserState;
import dev.mesh.presence.store.PresenceStore;
import dev.mesh.presence.store.StoredUser;
import dev.mesh.runtime.store.Outbox;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Every change of a user's presence, whoever causes it (a connection event, a command, the
 * scanner): under the user's row lock, apply the change, bring the state up to now with
 * {@link PresenceRules#reconcile}, store it and write what the world must hear to the outbox —
 * all in the caller's transaction. Because the reconcile is idempotent and runs under the lock,
 * any number of instances may race on one user: exactly one publishes each transition.
 */
@Component
public class PresenceUpdates {

    private final PresenceStore store;
    private final Outbox outbox;
    private final PresenceProperties settings;
    private final Clock clock;

    public PresenceUpdates(PresenceStore store, Outbox outbox, PresenceProperties settings, Clock clock) {
        this.store = store;
        this.outbox = outbox;
        this.settings = settings;
        this.clock = clock;
    }

    /** Applies a gateway connection event; call it inside a transaction. Redeliveries change nothing. */
    public Mono<Void> apply(ConnectionEvent event) {
        PresenceRules.Settings rules = settings.rules();
        String userId = event.userId();
        return switch (event.type()) {
            // The boot row first (lock order boot → user, as the scanner takes them).
            case ConnectionEvent.OPENED -> store.heartbeat(event.instanceId(), event.bootId(), event.at())
                    .then(store.ensureUser(userId, event.userName()))
                    .then(change(userId, user -> store.openSession(event.sessionId(), userId, event.instanceId(),
                                    event.bootId(), event.at())
                            .thenReturn(PresenceRules.opened(user.state(), event.at()))))
                    .then();
            case ConnectionEvent.CLOSED -> change(userId, user -> store.closeSession(event.sessionId(), userId)
                    .filter(Boolean::booleanValue)
                    .flatMap(closed -> store.sessionCount(userId))
                    .map(left -> PresenceRules.closed(user.state(), left, event.at(), rules)))
                    .then();
            // Most activity changes nothing others see (the user is online and stays so): one statement.
            // Otherwise (away until now, offline pending, text due to expire) the locked reconcile.
            case ConnectionEvent.ACTIVE -> {
                long now = clock.millis();
                yield store.touchWhileUnchanged(event.sessionId(), userId, event.at(), now, now - rules.awayAfterMs())
                        .flatMap(touched -> touched ? Mono.<Void>empty()
                                : change(userId, user -> store.touchSession(event.sessionId(), userId, event.at())
                                        .filter(Boolean::booleanValue)
                                        .map(active -> PresenceRules.active(user.state(), event.at())))
                                        .then());
            }
            default -> Mono.empty();
        };
    }

    /**
     * Locks the user's row, applies {@code change} (empty: nothing to do), reconciles with the
     * user's sessions at the current time, stores and publishes. Emits the user as stored
     * after, or empty when the user has no row or the change was empty.
     */
    public Mono<StoredUser> change(String userId, Function<StoredUser, Mono<UserState>> change) {
        return store.lockUser(userId)
                .flatMap(user -> change.apply(user)
                        .flatMap(changed -> store.sessionsOf(userId).collectList()
                                .flatMap(sessions -> {
                                    long now = clock.millis();
                                    boolean textChanged = !Objects.equals(user.state().text(), changed.text())
                                            || !Objects.equals(user.state().emoji(), changed.emoji());
                                    PresenceRules.Outcome outcome = PresenceRules.reconcile(changed, sessions, now,
                                            settings.rules(), textChanged);
                                    StoredUser after = new StoredUser(userId, user.name(), outcome.state(), user.privacy());
                                    Mono<Void> save = outcome.state().equals(user.state())
                                            ? Mono.empty()
                                            : store.saveUser(userId, outcome.state(), now);
                                    return save.then(outcome.changed() ? publish(after, outcome, now) : Mono.empty())
                                            .thenReturn(after);
                                })));
    }

    /** Brings a user up to now (the scanner's step). */
    public Mono<StoredUser> reconcile(String userId) {
        return change(userId, user -> Mono.just(user.state()));
    }

    /**
     * Closes the sessions of a dead gateway boot (already removed from {@code presence_boots} by
     * this transaction): users are locked in id order first, then their sessions go, and the
     * grace of those left with none counts from the boot's last heartbeat.
     */
    public Mono<Integer> closeDeadBoot(PresenceStore.DeadBoot boot) {
        return store.usersOfBoot(boot.instanceId(), boot.bootId()).collectList()
                .flatMap(users -> Flux.fromIterable(users).concatMap(store::lockUser).then()
                        .then(store.closeSessionsOfBoot(boot.instanceId(), boot.bootId()))
                        .then(Flux.fromIterable(users)
                                .concatMap(userId -> change(userId, user -> store.sessionCount(userId)
                                        .map(left -> PresenceRules.bootDied(user.state(), left, boot.lastHeartbeatAt(),
                                                settings.rules()))))
                                .then())
                        .thenReturn(users.size()));
    }

    private Mono<Void> publish(StoredUser user, PresenceRules.Outcome outcome, long now) {
        String topic = StreamTopics.presenceUser(user.userId());
        // Whoever may attach to this topic shares a room with the user (presence:subscribe checks it).
        PresenceEvents.Presence presence = user.view(user.privacy().showsLastSeen(false, true));
        Mono<Void> changed = outbox.deliver(user.userId(), Delivery.event(Delivery.Audience.topic(topic), null,
                new Delivery.Event(PresenceEvents.CHANGED, topic, null, MeshJson.tree(presence))));
        Mono<Void> fact = switch (outcome.transition()) {
            case CAME_ONLINE -> outbox.event(Topics.PRESENCE_EVENTS, user.userId(),
                    new PresenceEvents.UserCameOnline(UUID.randomUUID().toString(), user.userId(), now));
            case WENT_OFFLINE -> outbox.event(Topics.PRESENCE_EVENTS, user.userId(),
                    new PresenceEvents.UserWentOffline(UUID.randomUUID().toString(), user.userId(),
                            user.state().lastSeenAt() == null ? now : user.state().lastSeenAt()));
            case NONE -> Mono.empty();
        };
        return changed.then(fact);
    }
}
