package dev.mesh.runtime.store;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.r2dbc.core.DatabaseClient;

import reactor.core.publisher.Mono;

/**
 * Remembers each applied command by (user, command id) with a hash of its payload and its
 * result, in the transaction of the change, so a retry returns the first result and changes
 * nothing (ARCHITECTURE §4, idempotency). Errors are not stored: a retry is tried afresh.
 *
 * <p>When the subscriber's context holds a {@link Pending} (commands applied together in one
 * transaction), saves are collected there — and found there by a retry in the same batch — and
 * written by {@link #flush} in one statement before the commit.
 */
public class IdempotencyStore {

    /** Commands saved in one transaction, waiting for {@link #flush}; keyed by user and command id. */
    public static final class Pending {
        private final Map<String, PendingRow> rows = new LinkedHashMap<>();
        /** What {@link #prefetch} found stored for the batch's commands; null until it ran. */
        private Map<String, Processed> stored;
    }

    private record PendingRow(String userId, String commandId, String type, String payloadHash, String result) {
    }

    /** What was stored for a command: its payload hash and the result (the ack's data as JSON). */
    public record Processed(String payloadHash, String result) {
    }

    private final DatabaseClient db;

    public IdempotencyStore(DatabaseClient db) {
        this.db = db;
    }

    public Mono<Processed> find(String userId, String commandId) {
        return Mono.deferContextual(context -> {
            Pending pending = context.getOrDefault(Pending.class, null);
            if (pending == null) {
                return stored(userId, commandId);
            }
            PendingRow row = pending.rows.get(userId + '\n' + commandId);
            if (row != null) {
                return Mono.just(new Processed(row.payloadHash(), row.result()));
            }
            return pending.stored == null ? stored(userId, commandId)
                    : Mono.justOrEmpty(pending.stored.get(userId + '\n' + commandId));
        });
    }

    private Mono<Processed> stored(String userId, String commandId) {
        return db.sql("SELECT payload_hash, result FROM mesh_processed_commands WHERE user_id = :user AND command_id = :id")
                .bind("user", userId)
                .bind("id", commandId)
                .map(row -> new Processed(row.get("payload_hash", String.class), row.get("result", String.class)))
                .one();
    }

    public Mono<Void> save(String userId, String commandId, String type, String payloadHash, String result) {
        String stored = result == null ? "null" : result;
        return Mono.deferContextual(context -> {
            Pending pending = context.getOrDefault(Pending.class, null);
            if (pending != null) {
                pending.rows.put(userId + '\n' + commandId, new PendingRow(userId, commandId, type, payloadHash, stored));
                return Mono.<Void>empty();
            }
            return insertOne(userId, commandId, type, payloadHash, stored);
        });
    }

    private Mono<Void> insertOne(String userId, String commandId, String type, String payloadHash, String result) {
        return db.sql("""
                        INSERT INTO mesh_processed_commands (user_id, command_id, type, payload_hash, result)
                        VALUES (:user, :id, :type, :hash, :result)""")
                .bind("user", userId)
                .bind("id", commandId)
                .bind("type", type)
                .bind("hash", payloadHash)
                .bind("result", result)
                .then();
    }

    /**
     * Reads what is stored for a batch's commands ({@code userId, commandId} pairs) in one round
     * trip, inside the batch's transaction; {@link #find} answers from it afterwards.
     */
    public Mono<Void> prefetch(Pending pending, List<Map.Entry<String, String>> commands) {
        if (commands.isEmpty()) {
            pending.stored = Map.of();
            return Mono.empty();
        }
        // Two array parameters, whatever the batch's size (named parameters one by one cost quadratic time).
        DatabaseClient.GenericExecuteSpec select = db.sql("""
                        SELECT user_id, command_id, payload_hash, result FROM mesh_processed_commands
                        WHERE (user_id, command_id) IN (SELECT * FROM unnest(:users::text[], :ids::text[]))""")
                .bind("users", commands.stream().map(Map.Entry::getKey).toArray(String[]::new))
                .bind("ids", commands.stream().map(Map.Entry::getValue).toArray(String[]::new));
        Map<String, Processed> found = new HashMap<>();
        return select.map(row -> Map.entry(row.get("user_id", String.class) + '\n' + row.get("command_id", String.class),
                        new Processed(row.get("payload_hash", String.class), row.get("result", String.class))))
                .all()
                .doOnNext(entry -> found.put(entry.getKey(), entry.getValue()))
                .then(Mono.fromRunnable(() -> pending.stored = found));
    }

    /** Writes the collected saves in one statement; call it inside their transaction. */
    public Mono<Void> flush(Pending pending) {
        if (pending.rows.isEmpty()) {
            return Mono.empty();
        }
        List<PendingRow> rows = List.copyOf(pending.rows.values());
        pending.rows.clear();
        return db.sql("""
                        INSERT INTO mesh_processed_commands (user_id, command_id, type, payload_hash, result)
                        SELECT * FROM unnest(:users::text[], :ids::text[], :types::text[], :hashes::text[], :results::text[])""")
                .bind("users", rows.stream().map(PendingRow::userId).toArray(String[]::new))
                .bind("ids", rows.stream().map(PendingRow::commandId).toArray(String[]::new))
                .bind("types", rows.stream().map(PendingRow::type).toArray(String[]::new))
                .bind("hashes", rows.stream().map(PendingRow::payloadHash).toArray(String[]::new))
                .bind("results", rows.stream().map(PendingRow::result).toArray(String[]::new))
                .then();
    }
}
