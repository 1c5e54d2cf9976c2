package dev.mesh.chat.messaging;

import java.util.List;

import org.springframework.stereotype.Component;

import dev.mesh.chat.domain.RoomType;
import dev.mesh.chat.store.RoomStore;
import dev.mesh.chat.store.StoredRoom;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.wire.StreamTopics;
import reactor.core.publisher.Mono;

/**
 * Who gets a room's events: the sessions attached to its topic, or in a direct conversation
 * every session of both users (as its messages do), so nobody needs to join first.
 */
@Component
public class RoomAudiences {

    private final RoomStore rooms;

    public RoomAudiences(RoomStore rooms) {
        this.rooms = rooms;
    }

    public Mono<List<Delivery.Audience>> of(StoredRoom room) {
        if (room.type() != RoomType.DIRECT) {
            return Mono.just(List.of(Delivery.Audience.topic(StreamTopics.chatRoom(room.id()))));
        }
        return rooms.memberIds(room.id()).map(Delivery.Audience::user).collectList();
    }
}
