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

    /** Rows written by one statement: its parameters are five arrays, whatever the number of rows. */
    private static final int ROWS_PER_INSERT = 1_000;

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
        // One statement of five array parameters (not five per row: binding a named parameter copies
        // the statement's map of them, so a row-by-row VALUES list cost quadratic time). Ids (BIGSERIAL)
        // follow the arrays' order.
        int n = rows.size();
        String[] topics = new String[n], keys = new String[n], audiences = new String[n], payloads = new String[n],
                traces = new String[n];
        for (int i = 0; i < n; i++) {
            PendingRow row = rows.get(i);
            topics[i] = row.topic();
            keys[i] = row.key();
            audiences[i] = row.audience();
            payloads[i] = row.payload();
            traces[i] = row.traceparent();
        }
        return db.sql("""
                        INSERT INTO mesh_outbox (topic, record_key, audience, payload, trace_parent)
                        SELECT t, k, a, p, r
                        FROM unnest(:topics::text[], :keys::text[], :audiences::text[], :payloads::text[], :traces::text[])
                             WITH ORDINALITY AS row(t, k, a, p, r, n)
                        ORDER BY n""")
                .bind("topics", topics).bind("keys", keys).bind("audiences", audiences).bind("payloads", payloads)
                .bind("traces", traces)
                .then();
    }
}
