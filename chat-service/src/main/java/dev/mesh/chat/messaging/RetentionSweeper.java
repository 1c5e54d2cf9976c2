package dev.mesh.chat.messaging;

import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.mesh.chat.config.ChatProperties;
import dev.mesh.chat.store.RetentionStore;
import dev.mesh.runtime.schedule.PeriodicTask;
import reactor.core.publisher.Mono;

/**
 * Every {@code mesh.chat.retention-sweep-interval}, deletes the history rooms keep no longer
 * ({@code historyRetentionDays}), in batches until none is left.
 */
@Component
public class RetentionSweeper extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(RetentionSweeper.class);

    private final RetentionStore store;
    private final ChatProperties settings;
    private final Clock clock;

    public RetentionSweeper(RetentionStore store, ChatProperties settings, Clock clock) {
        super("chat-retention", settings.retentionSweepInterval());
        this.store = store;
        this.settings = settings;
        this.clock = clock;
    }

    /** One sweep; emits how many messages and stream events it deleted. */
    public Mono<Long> sweepOnce() {
        int batch = settings.retentionBatch();
        Mono<Long> messages = store.deleteExpiredMessages(clock.instant(), batch)
                .repeat().takeUntil(count -> count < batch).reduce(0L, Long::sum);
        Mono<Long> events = store.deleteExpiredStreamEvents(clock.instant(), batch)
                .repeat().takeUntil(count -> count < batch).reduce(0L, Long::sum);
        return messages.zipWith(events, Long::sum)
                .doOnNext(deleted -> {
                    if (deleted > 0) {
                        log.info("Retention sweep deleted {} messages and stream events past their rooms' retention", deleted);
                    }
                });
    }

    @Override
    protected Mono<?> runOnce() {
        return sweepOnce();
    }
}
