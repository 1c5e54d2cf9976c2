package dev.mesh.chat.messaging;

import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.mesh.chat.config.ChatProperties;
import dev.mesh.chat.store.RetentionStore;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Every {@code mesh.chat.retention-sweep-interval}, deletes the history rooms keep no longer
 * ({@code historyRetentionDays}): batches until none is left, on its own thread; a slow sweep
 * makes the next tick be skipped, not queued.
 */
@Component
public class RetentionSweeper implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RetentionSweeper.class);

    private final RetentionStore store;
    private final ChatProperties settings;
    private final Clock clock;
    private Scheduler scheduler;
    private volatile Disposable running;

    public RetentionSweeper(RetentionStore store, ChatProperties settings, Clock clock) {
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
    public void start() {
        scheduler = Schedulers.newSingle("chat-retention");
        running = Flux.interval(settings.retentionSweepInterval(), settings.retentionSweepInterval(), scheduler)
                .onBackpressureDrop()
                .concatMap(tick -> sweepOnce()
                        .onErrorResume(e -> {
                            log.warn("Retention sweep failed; the next one retries: {}", e.toString());
                            return Mono.empty();
                        }), 1)
                .subscribe();
    }

    @Override
    public void stop() {
        Disposable current = running;
        if (current != null) {
            current.dispose();
        }
        running = null;
        if (scheduler != null) {
            scheduler.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        return running != null;
    }
}
