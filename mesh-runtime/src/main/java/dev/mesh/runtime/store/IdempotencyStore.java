package dev.mesh.runtime.store;

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
            PendingRow row = pending == null ? null : pending.rows.get(userId + '\n' + commandId);
            return row != null ? Mono.just(new Processed(row.payloadHash(), row.result())) : stored(userId, commandId);
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

    /** Writes the collected saves in one statement; call it inside their transaction. */
    public Mono<Void> flush(Pending pending) {
        if (pending.rows.isEmpty()) {
            return Mono.empty();
        }
        List<PendingRow> rows = List.copyOf(pending.rows.values());
        pending.rows.clear();
        StringBuilder sql = new StringBuilder(
                "INSERT INTO mesh_processed_commands (user_id, command_id, type, payload_hash, result) VALUES ");
        for (int i = 0; i < rows.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("(:u").append(i).append(", :c").append(i).append(", :t").append(i)
                    .append(", :h").append(i).append(", :r").append(i).append(')');
        }
        DatabaseClient.GenericExecuteSpec insert = db.sql(sql.toString());
        for (int i = 0; i < rows.size(); i++) {
            PendingRow row = rows.get(i);
            insert = insert.bind("u" + i, row.userId()).bind("c" + i, row.commandId()).bind("t" + i, row.type())
                    .bind("h" + i, row.payloadHash()).bind("r" + i, row.result());
        }
        return insert.then();
    }
}
