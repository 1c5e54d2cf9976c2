package dev.mesh.runtime.kafka;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.runtime.tracing.MeshTracing;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Sends records without ever blocking an event loop: {@code KafkaTemplate.send} may block
 * for up to {@code max.block.ms} (metadata, full buffer), so it is called on a scheduler
 * that may block (ARCHITECTURE §3).
 */
public class KafkaPublisher {

    private final KafkaTemplate<String, String> template;
    private final Scheduler scheduler;

    public KafkaPublisher(KafkaTemplate<String, String> template) {
        this(template, Schedulers.boundedElastic());
    }

    public KafkaPublisher(KafkaTemplate<String, String> template, Scheduler scheduler) {
        this.template = template;
        this.scheduler = scheduler;
    }

    /**
     * Sends a record; the trace of the command being handled (the {@link MeshTracing#CONTEXT_KEY}
     * in the subscriber's context, if any) goes with it as a {@code traceparent} header.
     */
    public Mono<SendResult<String, String>> send(String topic, String key, String value, String audience) {
        return Mono.deferContextual(context -> {
            ProducerRecord<String, String> record = record(topic, key, value, audience);
            MeshTracing.setHeader(record.headers(), context.getOrDefault(MeshTracing.CONTEXT_KEY, null));
            return Mono.fromFuture(() -> template.send(record));
        }).subscribeOn(scheduler);
    }

    /** A delivery for the gateways, keyed by its stream, with the audience header set. */
    public Mono<SendResult<String, String>> deliver(String key, Delivery delivery) {
        return send(Topics.GATEWAY_DELIVERIES, key, MeshJson.write(delivery), delivery.audience().header());
    }

    public static ProducerRecord<String, String> record(String topic, String key, String value, String audience) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
        if (audience != null) {
            record.headers().add(Topics.AUDIENCE_HEADER, audience.getBytes(StandardCharsets.UTF_8));
        }
        return record;
    }
}
