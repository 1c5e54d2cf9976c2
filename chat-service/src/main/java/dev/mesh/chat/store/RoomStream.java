package dev.mesh.chat.store;

import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.wire.StreamTopics;
import dev.mesh.runtime.store.Outbox;
import dev.mesh.runtime.store.StreamLog;
import dev.mesh.runtime.store.StreamSeq;
import reactor.core.publisher.Mono;

/**
 * Room stream events that start over HTTP (a settings change, a new moderator) rather than from
 * a command: the next seq, logged for resumes, and delivered to the room through the outbox,
 * keyed by the room like its commands' events, so they keep their place in the stream's order.
 * Call inside the transaction of the change.
 */
@Component
public class RoomStream {

    private final StreamSeq streams;
    private final StreamLog streamLog;
    private final Outbox outbox;

    public RoomStream(StreamSeq streams, StreamLog streamLog, Outbox outbox) {
        this.streams = streams;
        this.streamLog = streamLog;
        this.outbox = outbox;
    }

    /** Publishes an event with the room stream's next seq; emits the seq. */
    public Mono<Long> publish(String roomId, String type, Object data) {
        String topic = StreamTopics.chatRoom(roomId);
        JsonNode tree = MeshJson.tree(data);
        return streams.next(topic)
                .flatMap(seq -> streamLog.append(topic, seq, type, tree)
                        .then(outbox.deliver(roomId, Delivery.event(Delivery.Audience.topic(topic), null,
                                new Delivery.Event(type, topic, seq, tree))))
                        .thenReturn(seq));
    }

    /** An event without seq to the room's attached sessions (the stream's last word, for instance). */
    public Mono<Void> announce(String roomId, String type, Object data) {
        String topic = StreamTopics.chatRoom(roomId);
        return outbox.deliver(roomId, Delivery.event(Delivery.Audience.topic(topic), null,
                new Delivery.Event(type, topic, null, MeshJson.tree(data))));
    }

    /** An event without seq to every session of one user. */
    public Mono<Void> tell(String roomId, String userId, String type, Object data) {
        return outbox.deliver(roomId, Delivery.event(Delivery.Audience.user(userId), null,
                new Delivery.Event(type, StreamTopics.chatRoom(roomId), null, MeshJson.tree(data))));
    }
}
