package dev.mesh.runtime.store;

import org.springframework.r2dbc.core.DatabaseClient;

import reactor.core.publisher.Mono;

/**
 * Remembers each applied command by (user, command id) with a hash of its payload and its
 * result, in the transaction of the change, so a retry returns the first result and changes
 * nothing (ARCHITECTURE §4, idempotency). Errors are not stored: a retry is tried afresh.
 */
public class IdempotencyStore {

    /** What was stored for a command: its payload hash and the result (the ack's data as JSON). */
    public record Processed(String payloadHash, String result) {
    }

    private final DatabaseClient db;

    public IdempotencyStore(DatabaseClient db) {
        this.db = db;
    }

    public Mono<Processed> find(String userId, String commandId) {
        return db.sql("SELECT payload_hash, result FROM mesh_processed_commands WHERE user_id = :user AND command_id = :id")
                .bind("user", userId)
                .bind("id", commandId)
                .map(row -> new Processed(row.get("payload_hash", String.class), row.get("result", String.class)))
                .one();
    }

    public Mono<Void> save(String userId, String commandId, String type, String payloadHash, String result) {
        return db.sql("""
                        INSERT INTO mesh_processed_commands (user_id, command_id, type, payload_hash, result)
                        VALUES (:user, :id, :type, :hash, :result)""")
                .bind("user", userId)
                .bind("id", commandId)
                .bind("type", type)
                .bind("hash", payloadHash)
                .bind("result", result == null ? "null" : result)
                .then();
    }
}
