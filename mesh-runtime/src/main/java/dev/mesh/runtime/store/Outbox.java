package dev.mesh.runtime.store;

import org.springframework.r2dbc.core.DatabaseClient;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.DomainEvents;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.runtime.tracing.MeshTracing;
import reactor.core.publisher.Mono;

/**
 * Appends records to the transactional outbox. Call it inside the transaction of the change
 * the record announces: it is published only if that transaction commits, and in the order
 * appended (ARCHITECTURE §5).
 */
public class Outbox {

    private final DatabaseClient db;

    public Outbox(DatabaseClient db) {
        this.db = db;
    }

    /**
     * Appends a row. The trace of the command being applied (the {@link MeshTracing#CONTEXT_KEY}
     * in the subscriber's context, if any) is stored with it, so the relay continues that trace.
     */
    public Mono<Void> append(String topic, String key, String payload, String audience) {
        return Mono.deferContextual(context -> {
            String traceparent = context.getOrDefault(MeshTracing.CONTEXT_KEY, null);
            DatabaseClient.GenericExecuteSpec insert = db
                    .sql("INSERT INTO mesh_outbox (topic, record_key, audience, payload, trace_parent)"
                            + " VALUES (:topic, :key, :audience, :payload, :traceParent)")
                    .bind("topic", topic)
                    .bind("payload", payload);
            insert = key == null ? insert.bindNull("key", String.class) : insert.bind("key", key);
            insert = audience == null ? insert.bindNull("audience", String.class) : insert.bind("audience", audience);
            insert = traceparent == null ? insert.bindNull("traceParent", String.class) : insert.bind("traceParent", traceparent);
            return insert.then();
        });
    }

    /** A delivery for the gateways, keyed by {@code key} (the stream's id, or the command's key). */
    public Mono<Void> deliver(String key, Delivery delivery) {
        return append(Topics.GATEWAY_DELIVERIES, key, MeshJson.write(delivery), delivery.audience().header());
    }

    /** A domain event (a fact, with its eventId) on a domain's event topic, with its {@code type}. */
    public Mono<Void> event(String topic, String key, Object domainEvent) {
        return append(topic, key, DomainEvents.write(domainEvent), null);
    }
}
