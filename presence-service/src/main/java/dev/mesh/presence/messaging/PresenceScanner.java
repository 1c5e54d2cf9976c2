package dev.mesh.presence.messaging;

import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import dev.mesh.contracts.presence.InstanceHeartbeat;
import dev.mesh.presence.config.PresenceProperties;
import dev.mesh.presence.store.PresenceStore;
import dev.mesh.runtime.schedule.PeriodicTask;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The timers, which live in the database (ARCHITECTURE §5): every {@code scan-interval} it
 * closes the sessions of dead gateway boots, then reconciles users with a due timer (offline
 * after the grace period, away after idleness, custom text expiry). Any number of instances
 * may run it at once: dead boots are taken with {@code FOR UPDATE SKIP LOCKED} and every user
 * change is an idempotent reconcile under the user's row lock, so each transition is applied
 * and published once. Runs as a {@link PeriodicTask}.
 */
@Component
public class PresenceScanner extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(PresenceScanner.class);
    private static final int MAX_BOOTS_PER_SCAN = 100;

    private final PresenceStore store;
    private final PresenceUpdates updates;
    private final TransactionalOperator meshTransactions;
    private final HeartbeatListener heartbeats;
    private final PresenceProperties settings;
    private final Clock clock;

    public PresenceScanner(PresenceStore store, PresenceUpdates updates, TransactionalOperator meshTransactions,
                           HeartbeatListener heartbeats, PresenceProperties settings, Clock clock) {
        super("presence-scanner", settings.scanInterval());
        this.store = store;
        this.updates = updates;
        this.meshTransactions = meshTransactions;
        this.heartbeats = heartbeats;
        this.settings = settings;
        this.clock = clock;
    }

    /** One pass: dead boots first (their users' grace may already be over), then due timers. */
    public Mono<Void> scanOnce() {
        return closeDeadBoots().then(reconcileDueUsers());
    }

    private Mono<Void> closeDeadBoots() {
        long now = clock.millis();
        Long positionedAt = heartbeats.positionedAt();
        if (positionedAt == null || now - positionedAt < InstanceHeartbeat.DEAD_AFTER_MS) {
            return Mono.empty();
        }
        long deadBefore = now - InstanceHeartbeat.DEAD_AFTER_MS;
        Mono<Boolean> closeOne = meshTransactions.transactional(store.takeDeadBoot(deadBefore)
                        .flatMap(boot -> updates.closeDeadBoot(boot)
                                .doOnNext(users -> log.info("Gateway boot {}/{} silent since {}: closed the sessions of {} users",
                                        boot.instanceId(), boot.bootId(), boot.lastHeartbeatAt(), users))
                                .thenReturn(true)))
                .defaultIfEmpty(false);
        return Flux.range(0, MAX_BOOTS_PER_SCAN)
                .concatMap(i -> closeOne)
                .takeUntil(closed -> !closed)
                .then();
    }

    private Mono<Void> reconcileDueUsers() {
        long now = clock.millis();
        return store.dueUsers(now, now - settings.awayAfter().toMillis(), settings.scanBatch())
                .collectList()
                .flatMapMany(Flux::fromIterable)
                .concatMap(userId -> meshTransactions.transactional(updates.reconcile(userId))
                        .onErrorResume(e -> {
                            log.warn("Could not reconcile a user's presence; next scan retries: {}", e.toString());
                            return Mono.empty();
                        }))
                .then();
    }

    @Override
    protected Mono<?> runOnce() {
        return scanOnce();
    }
}
