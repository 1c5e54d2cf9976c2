package dev.mesh.runtime.schedule;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Work a service repeats every {@code interval} while it runs (a scan of stored timers, a
 * retention sweep): on its own single thread, never on an event loop; one pass at a time, a
 * slow pass makes the next tick be skipped, not queued; a failed pass is logged and the next
 * one retries.
 */
public abstract class PeriodicTask implements SmartLifecycle {

    private final Logger log = LoggerFactory.getLogger(getClass());
    private final String threadName;
    private final Duration interval;
    private Scheduler scheduler;
    private volatile Disposable running;

    protected PeriodicTask(String threadName, Duration interval) {
        this.threadName = threadName;
        this.interval = interval;
    }

    /** One pass. */
    protected abstract Mono<?> runOnce();

    @Override
    public void start() {
        scheduler = Schedulers.newSingle(threadName);
        running = Flux.interval(interval, interval, scheduler)
                .onBackpressureDrop()
                .concatMap(tick -> runOnce()
                        .onErrorResume(e -> {
                            log.warn("{} failed; the next pass retries: {}", threadName, e.toString());
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
