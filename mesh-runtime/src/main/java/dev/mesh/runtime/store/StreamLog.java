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

    /**
     * Events appended by the commands of one transaction, waiting for {@link #flush}: with one in
     * the subscriber's context (a batch of commands, see {@code CommandProcessor}), appends are
     * collected and written by one statement before the commit, like the outbox's rows.
     */
    public static final class Pending {
        private final List<PendingEvent> events = new ArrayList<>();
    }

    private record PendingEvent(String streamId, long seq, String type, String data) {
    }

    private final DatabaseClient db;

    public StreamLog(DatabaseClient db) {
        this.db = db;
    }

    /** Appends an event; in a command, call it inside the command's transaction. */
    public Mono<Void> append(String streamId, long seq, String type, JsonNode data) {
        return Mono.deferContextual(context -> {
            Pending pending = context.getOrDefault(Pending.class, null);
            if (pending != null) {
                pending.events.add(new PendingEvent(streamId, seq, type, MeshJson.write(data)));
                return Mono.<Void>empty();
            }
            return db.sql("INSERT INTO mesh_stream_events (stream_id, seq, type, data) VALUES (:stream, :seq, :type, :data)")
                    .bind("stream", streamId)
                    .bind("seq", seq)
                    .bind("type", type)
                    .bind("data", MeshJson.write(data))
                    .then();
        });
    }

    /** Writes the collected events in one statement; call it inside their transaction. */
    public Mono<Void> flush(Pending pending) {
        if (pending.events.isEmpty()) {
            return Mono.empty();
        }
        List<PendingEvent> events = List.copyOf(pending.events);
        pending.events.clear();
        int n = events.size();
        String[] streams = new String[n], types = new String[n], data = new String[n];
        Long[] seqs = new Long[n];
        for (int i = 0; i < n; i++) {
            PendingEvent event = events.get(i);
            streams[i] = event.streamId();
            seqs[i] = event.seq();
            types[i] = event.type();
            data[i] = event.data();
        }
        return db.sql("""
                        INSERT INTO mesh_stream_events (stream_id, seq, type, data)
                        SELECT * FROM unnest(:streams::text[], :seqs::bigint[], :types::text[], :data::text[])""")
                .bind("streams", streams).bind("seqs", seqs).bind("types", types).bind("data", data)
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
        // Events appended earlier in this transaction and still pending are written first: a join
        // after a message in one batch replays that message.
        return Mono.deferContextual(context -> {
            Pending pending = context.getOrDefault(Pending.class, null);
            return pending == null ? Mono.<Void>empty() : flush(pending);
        }).then(Mono.defer(() -> read(streamId, afterSeq, maxEvents, maxBytes)));
    }

    private Mono<Replay> read(String streamId, long afterSeq, int maxEvents, long maxBytes) {
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
