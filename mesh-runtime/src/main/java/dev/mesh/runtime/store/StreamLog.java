package dev.mesh.runtime.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.springframework.r2dbc.core.DatabaseClient;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import reactor.core.publisher.Mono;

/**
 * The stream event log ({@code mesh_stream_events}): every event published on a persisted
 * stream, with its seq, appended in the transaction of the change by
 * {@link dev.mesh.runtime.command.CommandContext#publish}. A resume replays from it, so events
 * of every kind come back in seq order (ARCHITECTURE §4.5).
 */
public class StreamLog {

    /** One logged event; {@code bytes} is the size of its data as stored (UTF-8 JSON). */
    public record Event(long seq, String type, JsonNode data, int bytes) {
    }

    /**
     * What a resume after a seq gets.
     *
     * @param events   the missed events in seq order, within the caps
     * @param complete false when more was missed than the caps allow (then {@code events} is only a
     *                 prefix: send none, answer {@code recovered:false}, and let the client page)
     * @param lastSeq  the seq of the last event in {@code events}, or the seq asked after when there is none
     */
    public record Replay(List<Event> events, boolean complete, long lastSeq) {
    }

    private final DatabaseClient db;

    public StreamLog(DatabaseClient db) {
        this.db = db;
    }

    /** Appends an event; in a command, call it inside the command's transaction. */
    public Mono<Void> append(String streamId, long seq, String type, JsonNode data) {
        return db.sql("INSERT INTO mesh_stream_events (stream_id, seq, type, data) VALUES (:stream, :seq, :type, :data)")
                .bind("stream", streamId)
                .bind("seq", seq)
                .bind("type", type)
                .bind("data", MeshJson.write(data))
                .then();
    }

    /**
     * The events of a stream after {@code afterSeq}, oldest first, at most {@code maxEvents} and
     * {@code maxBytes} of data. Reads one row more than the cap to tell "more" without reading the
     * whole gap.
     */
    public Mono<Replay> replay(String streamId, long afterSeq, int maxEvents, long maxBytes) {
        if (maxEvents < 0 || maxBytes < 0) {
            return Mono.error(new IllegalArgumentException("caps cannot be negative"));
        }
        return db.sql("""
                        SELECT seq, type, data FROM mesh_stream_events
                         WHERE stream_id = :stream AND seq > :after
                         ORDER BY seq LIMIT :limit""")
                .bind("stream", streamId)
                .bind("after", afterSeq)
                .bind("limit", maxEvents + 1)
                .map(row -> {
                    String data = row.get("data", String.class);
                    return new Event(row.get("seq", Long.class), row.get("type", String.class),
                            MeshJson.read(data, JsonNode.class), data.getBytes(StandardCharsets.UTF_8).length);
                })
                .all()
                .collectList()
                .map(rows -> {
                    List<Event> events = new ArrayList<>(Math.min(rows.size(), maxEvents));
                    long bytes = 0;
                    for (Event event : rows) {
                        if (events.size() == maxEvents || bytes + event.bytes() > maxBytes) {
                            return replay(events, false, afterSeq);
                        }
                        bytes += event.bytes();
                        events.add(event);
                    }
                    return replay(events, true, afterSeq);
                });
    }

    private static Replay replay(List<Event> events, boolean complete, long afterSeq) {
        long lastSeq = events.isEmpty() ? afterSeq : events.getLast().seq();
        return new Replay(List.copyOf(events), complete, lastSeq);
    }
}
