package dev.mesh.gateway.presence;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.mesh.gateway.socket.KafkaReachability;
import dev.mesh.runtime.kafka.KafkaPublisher;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;

/**
 * The one way out for the gateway's presence records ({@code gateway.connections},
 * {@code gateway.instances}): fire-and-forget sends through {@link KafkaPublisher} (never on
 * the event loop), counted, failures logged and swallowed — a lost record is corrected by the
 * heartbeat and timeout machinery of presence-service. {@link #silence()} shuts it for good.
 *
 * <p>Metrics: {@code mesh.gateway.connection.events} (tag {@code type}: {@code SessionOpened},
 * {@code SessionClosed}, {@code SessionActive}, {@code InstanceHeartbeat}) per acknowledged
 * record, {@code mesh.gateway.connection.events.failed} (same tag) per failed send.
 */
@Component
public class PresencePublisher {

    private static final Logger log = LoggerFactory.getLogger(PresencePublisher.class);
    /** How long {@link #silence()} waits for sends already handed to Kafka. */
    private static final Duration SILENCE_WAIT = Duration.ofSeconds(10);

    private final KafkaPublisher kafka;
    private final MeterRegistry meters;
    private final KafkaReachability reachability;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean silenced;

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
        return Mono.defer(() -> {
            inFlight.incrementAndGet();
            if (silenced) {
                inFlight.decrementAndGet();
                return Mono.empty();
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
                    .then()
                    .onErrorComplete();
        });
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
