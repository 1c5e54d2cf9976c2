package dev.mesh.gateway.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.stereotype.Component;

import tools.jackson.core.JacksonException;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.gateway.metrics.CommandLatency;
import dev.mesh.gateway.socket.SessionRegistry;
import dev.mesh.runtime.MeshProperties;
import dev.mesh.runtime.tracing.MeshTracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;

/**
 * Reads every partition of {@code gateway.deliveries} (assigned, no consumer group, nothing
 * committed), from the end: what was published while this instance was down was for sockets
 * that died with it, and those clients resume by seq (ARCHITECTURE §3). The instance is ready
 * only once positioned. Records whose audience header names no socket here are skipped
 * without being parsed.
 */
@Component("deliveries")
public class DeliveryConsumer implements SmartLifecycle, HealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(DeliveryConsumer.class);

    private final ConsumerFactory<String, String> consumers;
    private final SessionRegistry registry;
    private final DeliveryFanout fanout;
    private final CountDownLatch positioned = new CountDownLatch(1);
    private volatile Consumer<String, String> consumer;
    private volatile boolean running;
    private Thread worker;
    private final MeshTracing tracing;
    private final String instanceId;
    private final Timer fanoutLatency;

    public DeliveryConsumer(ConsumerFactory<String, String> consumers, SessionRegistry registry, DeliveryFanout fanout,
                            MeterRegistry meters, MeshTracing tracing, MeshProperties mesh) {
        this.tracing = tracing;
        this.instanceId = mesh.instanceId();
        this.fanoutLatency = Timer.builder("mesh.gateway.fanout.latency")
                .description("From the record's publication (relay send) to its frames queued on this gateway's sockets")
                .serviceLevelObjectives(CommandLatency.BUCKETS)
                .register(meters);
        this.consumers = consumers;
        this.registry = registry;
        this.fanout = fanout;
    }

    @Override
    public void start() {
        running = true;
        worker = Thread.ofPlatform().name("gateway-deliveries").daemon().start(this::run);
        try {
            if (!positioned.await(60, TimeUnit.SECONDS)) {
                log.warn("Not yet positioned on {} after 60 s; readiness stays down until it is", Topics.GATEWAY_DELIVERIES);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (running) {
            try (Consumer<String, String> c = consumers.createConsumer(null, "gateway-deliveries", null,
                    propertiesWithoutGroup())) {
                consumer = c;
                List<TopicPartition> partitions = c.partitionsFor(Topics.GATEWAY_DELIVERIES, Duration.ofSeconds(30))
                        .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                c.assign(partitions);
                c.seekToEnd(partitions);
                partitions.forEach(c::position); // resolve the lazy seek now, so "ready" means positioned
                positioned.countDown();
                log.info("Reading {} partitions of {} from the end", partitions.size(), Topics.GATEWAY_DELIVERIES);
                while (running) {
                    for (ConsumerRecord<String, String> record : c.poll(Duration.ofMillis(200))) {
                        handle(record);
                    }
                }
            } catch (WakeupException e) {
                // stopping
            } catch (RuntimeException e) {
                if (running) {
                    log.warn("Delivery consumer failed ({}); restarting from the end", e.toString());
                    sleepQuietly();
                }
            }
        }
    }

    private void handle(ConsumerRecord<String, String> record) {
        Header audience = record.headers().lastHeader(Topics.AUDIENCE_HEADER);
        if (audience != null && !registry.hasAudience(new String(audience.value(), StandardCharsets.UTF_8))) {
            return;
        }
        // A traced command's delivery continues its trace here, on every receiving gateway.
        Span span = MeshTracing.headerOf(record.headers()) == null ? null
                : tracing.startFrom("mesh.gateway.deliver", record.headers()).tag("mesh.instance", instanceId);
        try (Tracer.SpanInScope scope = span == null ? null : tracing.inScope(span)) {
            Delivery delivery = MeshJson.read(record.value(), Delivery.class);
            fanout.apply(delivery);
            if (delivery.event() != null && record.timestamp() > 0) {
                fanoutLatency.record(Math.max(0, System.currentTimeMillis() - record.timestamp()), TimeUnit.MILLISECONDS);
            }
        } catch (JacksonException e) {
            log.error("Unreadable delivery at {}-{}@{}", record.topic(), record.partition(), record.offset());
        } catch (RuntimeException e) {
            log.error("Delivery at {}-{}@{} failed", record.topic(), record.partition(), record.offset(), e);
        } finally {
            if (span != null) {
                span.end();
            }
        }
    }

    private static java.util.Properties propertiesWithoutGroup() {
        java.util.Properties p = new java.util.Properties();
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        return p;
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void stop() {
        running = false;
        Consumer<String, String> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (worker != null) {
            try {
                worker.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // Before the web server starts taking sockets (its phase is later), so nothing is missed.
        return 0;
    }

    @Override
    public Health health() {
        return positioned.getCount() == 0 && running ? Health.up().build() : Health.down().build();
    }
}
