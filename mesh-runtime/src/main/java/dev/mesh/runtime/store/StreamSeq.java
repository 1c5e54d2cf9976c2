package dev.mesh.runtime.store;

import java.util.List;
import java.util.Map;

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

    /**
     * Reserves {@code count} seqs on each stream given, in one statement (streams locked in id
     * order, so two batches cannot deadlock on them): emits each stream's new last seq — its seqs
     * are {@code last - count + 1 .. last}, used exactly when the transaction commits.
     */
    public Mono<Map<String, Long>> reserve(Map<String, Integer> counts) {
        if (counts.isEmpty()) {
            return Mono.just(Map.of());
        }
        List<String> ids = counts.keySet().stream().sorted().toList();
        Long[] n = ids.stream().map(id -> (long) counts.get(id)).toArray(Long[]::new);
        return db.sql("""
                        INSERT INTO mesh_streams (stream_id, last_seq)
                        SELECT id, n FROM unnest(:ids::text[], :counts::bigint[]) WITH ORDINALITY AS t(id, n, o) ORDER BY o
                        ON CONFLICT (stream_id) DO UPDATE SET last_seq = mesh_streams.last_seq + EXCLUDED.last_seq
                        RETURNING stream_id, last_seq""")
                .bind("ids", ids.toArray(String[]::new))
                .bind("counts", n)
                .map(row -> Map.entry(row.get(0, String.class), row.get(1, Long.class)))
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
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
