package dev.mesh.gateway.presence;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.mesh.gateway.socket.KafkaReachability;
import dev.mesh.runtime.kafka.KafkaPublisher;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The one way out for the gateway's presence records ({@code gateway.connections},
 * {@code gateway.instances}): sends through {@link KafkaPublisher} (never on the event loop),
 * counted, failures logged and swallowed. Heartbeats and {@code SessionActive} are sent once
 * (the next one supersedes a lost one); {@code SessionOpened} and {@code SessionClosed} are sent
 * {@linkplain #sendReliably again after a failure}, with backoff and a bound, because nothing
 * else would correct a lost one: presence would show a connected user offline, or a gone one
 * online, for as long as the gateway lives (docs/reliability.md). {@link #silence()} shuts it for good.
 *
 * <p>Metrics: {@code mesh.gateway.connection.events} (tag {@code type}: {@code SessionOpened},
 * {@code SessionClosed}, {@code SessionActive}, {@code InstanceHeartbeat}) per acknowledged
 * record, {@code mesh.gateway.connection.events.failed} (same tag) per failed send,
 * {@code mesh.gateway.connection.events.abandoned} per record given up after its last retry.
 */
@Component
public class PresencePublisher implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(PresencePublisher.class);
    /** How long {@link #silence()} waits for sends already handed to Kafka. */
    private static final Duration SILENCE_WAIT = Duration.ofSeconds(10);
    /**
     * Retries of a record that must arrive: the first after 500 ms, doubling to 5 s. Each send
     * itself is retried by the producer for its {@code delivery.timeout.ms} (10 s), so 8 retries
     * keep a record for about 2 minutes of Kafka outage, longer than a gateway keeps its sockets
     * when cut off (the 10 s cut-off).
     */
    static final int RETRIES = 8;
    static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final KafkaPublisher kafka;
    private final MeterRegistry meters;
    private final KafkaReachability reachability;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean silenced;
    /** The application is shutting down (after the drain sent what it could): no more retries. */
    private volatile boolean closing;

    /** Without a reachability probe (tests of the publishing alone). */
    PresencePublisher(KafkaPublisher kafka, MeterRegistry meters) {
        this(kafka, null, meters);
    }

    @Autowired
    public PresencePublisher(KafkaPublisher kafka, KafkaReachability reachability, MeterRegistry meters) {
        this.kafka = kafka;
        this.reachability = reachability;
        this.meters = meters;
    }

    /**
     * Sends one record when subscribed. Completes when Kafka acknowledged it, when the send
     * failed (logged, counted) or at once when silenced; never errors.
     */
    Mono<Void> send(String topic, String key, String type, String json) {
        return sent(topic, key, type, json).then();
    }

    /**
     * Like {@link #send}, and emits whether the send went through ({@code false} when it failed;
     * {@code true} when silenced, where nothing is sent); never errors.
     */
    Mono<Boolean> sent(String topic, String key, String type, String json) {
        return attempt(topic, key, type, json).thenReturn(true).onErrorReturn(false).defaultIfEmpty(false);
    }

    /**
     * Sends a record that must arrive: after a failed send, again with the same content (backoff
     * {@link #FIRST_BACKOFF} doubling to {@link #MAX_BACKOFF}, at most {@link #RETRIES} times) as
     * long as {@code wanted} holds and publishing is not silenced. Completes when Kafka
     * acknowledged it or when it is given up (logged, counted); never errors. Presence applies
     * each record idempotently, so a record that was written although its send failed is harmless.
     */
    Mono<Void> sendReliably(String topic, String key, String type, String json, BooleanSupplier wanted) {
        return attempt(topic, key, type, json)
                .retryWhen(Retry.backoff(RETRIES, FIRST_BACKOFF).maxBackoff(MAX_BACKOFF)
                        .filter(e -> !silenced && !closing && wanted.getAsBoolean())
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
                .doOnError(e -> {
                    meters.counter("mesh.gateway.connection.events.abandoned", "type", type).increment();
                    log.warn("Gave up sending {} for {} to {}{}", type, key, topic,
                            silenced || closing || !wanted.getAsBoolean() ? " (no longer wanted)" : " after " + RETRIES + " retries");
                })
                .onErrorComplete()
                .then();
    }

    /** One send: empty when silenced, an error when it failed (logged, counted). */
    private Mono<Void> attempt(String topic, String key, String type, String json) {
        return Mono.defer(() -> {
            inFlight.incrementAndGet();
            if (silenced) {
                inFlight.decrementAndGet();
                return Mono.<Void>empty();
            }
            return kafka.send(topic, key, json, null)
                    .doOnSuccess(sent -> {
                        if (reachability != null) {
                            reachability.sent();
                        }
                        meters.counter("mesh.gateway.connection.events", "type", type).increment();
                    })
                    .doOnError(e -> {
                        meters.counter("mesh.gateway.connection.events.failed", "type", type).increment();
                        log.warn("Could not send {} for {} to {}: {}", type, key, topic, e.toString());
                    })
                    .doFinally(signal -> inFlight.decrementAndGet())
                    .then();
        });
    }

    /** At shutdown (after the lifecycle stop, so after the drain's records): retries end with the producer. */
    @Override
    public void destroy() {
        closing = true;
    }

    /**
     * <b>Test seam: simulates a crash of this gateway process</b> as presence sees it. After
     * this returns, nothing more of this gateway reaches {@code gateway.connections} or
     * {@code gateway.instances} — no {@code SessionClosed}, no heartbeat — exactly what a dead
     * process sends. Records already handed to Kafka are waited for (up to 10 s), so none
     * lands later. Irreversible. Never called in production; call it through
     * {@link ConnectionEvents#silence()}, then close the application context.
     */
    public void silence() {
        silenced = true;
        long deadline = System.nanoTime() + SILENCE_WAIT.toNanos();
        while (inFlight.get() > 0) {
            if (System.nanoTime() > deadline) {
                log.warn("Silenced with {} presence records still in flight", inFlight.get());
                return;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        log.info("Presence publishing silenced (crash simulation)");
    }

    public boolean isSilenced() {
        return silenced;
    }
}
