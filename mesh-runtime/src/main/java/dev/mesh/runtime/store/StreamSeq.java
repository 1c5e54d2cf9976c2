package dev.mesh.runtime.store;

import org.springframework.r2dbc.core.DatabaseClient;

import reactor.core.publisher.Mono;

/**
 * Per-stream sequence numbers: one total order per stream, allocated in the transaction of
 * the change, so a number is used exactly when its change commits (ARCHITECTURE §5).
 */
public class StreamSeq {

    private final DatabaseClient db;

    public StreamSeq(DatabaseClient db) {
        this.db = db;
    }

    /** The next seq of the stream; locks the stream's row until the transaction ends. */
    public Mono<Long> next(String streamId) {
        return db.sql("""
                        INSERT INTO mesh_streams (stream_id, last_seq) VALUES (:id, 1)
                        ON CONFLICT (stream_id) DO UPDATE SET last_seq = mesh_streams.last_seq + 1
                        RETURNING last_seq""")
                .bind("id", streamId)
                .map(row -> row.get(0, Long.class))
                .one();
    }

    /** The stream's current seq (0 if nothing was written yet), read under its row lock. */
    public Mono<Long> current(String streamId) {
        return db.sql("SELECT last_seq FROM mesh_streams WHERE stream_id = :id FOR UPDATE")
                .bind("id", streamId)
                .map(row -> row.get(0, Long.class))
                .one()
                .defaultIfEmpty(0L);
    }
}
