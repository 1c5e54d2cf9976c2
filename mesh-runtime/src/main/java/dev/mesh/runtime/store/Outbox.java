package dev.mesh.runtime.store;

import java.util.ArrayList;
import java.util.List;

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
 *
 * <p>When the subscriber's context holds a {@link Pending} (a batch of commands applied in one
 * transaction, see {@code CommandProcessor}), rows are collected there and written by
 * {@link #flush} in one statement before the commit: same transaction, same order, fewer round trips.
 */
public class Outbox {

    /** Rows appended by the commands of one transaction, waiting for {@link #flush}. */
    public static final class Pending {
        private final List<PendingRow> rows = new ArrayList<>();

        public int size() {
            return rows.size();
        }
    }

    private record PendingRow(String topic, String key, String audience, String payload, String traceparent) {
    }

    /** Rows written by one statement (5 parameters each, well below PostgreSQL's 65,535). */
    private static final int ROWS_PER_INSERT = 500;

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
            Pending pending = context.getOrDefault(Pending.class, null);
            if (pending != null) {
                pending.rows.add(new PendingRow(topic, key, audience, payload, traceparent));
                return Mono.<Void>empty();
            }
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

    /** Writes the collected rows, in the order appended; call it inside their transaction. */
    public Mono<Void> flush(Pending pending) {
        List<PendingRow> rows = List.copyOf(pending.rows);
        pending.rows.clear();
        Mono<Void> inserts = Mono.empty();
        for (int from = 0; from < rows.size(); from += ROWS_PER_INSERT) {
            List<PendingRow> part = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_INSERT));
            inserts = inserts.then(Mono.defer(() -> insert(part)));
        }
        return inserts;
    }

    private Mono<Void> insert(List<PendingRow> rows) {
        // One multi-row VALUES list: PostgreSQL takes the ids (BIGSERIAL) in list order.
        DatabaseClient.GenericExecuteSpec insert = db.sql("INSERT INTO mesh_outbox (topic, record_key, audience, payload, trace_parent) VALUES "
                + Tuples.of(rows.size(), "t", "k", "a", "p", "r"));
        for (int i = 0; i < rows.size(); i++) {
            PendingRow row = rows.get(i);
            insert = insert.bind("t" + i, row.topic()).bind("p" + i, row.payload());
            insert = bindOrNull(insert, "k" + i, row.key());
            insert = bindOrNull(insert, "a" + i, row.audience());
            insert = bindOrNull(insert, "r" + i, row.traceparent());
        }
        return insert.then();
    }

    private static DatabaseClient.GenericExecuteSpec bindOrNull(DatabaseClient.GenericExecuteSpec spec, String name, String value) {
        return value == null ? spec.bindNull(name, String.class) : spec.bind(name, value);
    }
}
