package dev.mesh.chat.messaging;

import java.time.Clock;
import java.time.Instant;
import java.util.Set;

import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;

import dev.mesh.chat.domain.RoomAccess;
import dev.mesh.chat.domain.UuidV7;
import dev.mesh.chat.store.RoomStore;
import dev.mesh.chat.store.StoredRoom;
import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.chat.ChatCommands;
import dev.mesh.contracts.chat.ChatEvents;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.MeshException;
import dev.mesh.contracts.wire.StreamTopics;
import dev.mesh.runtime.command.CommandContext;
import dev.mesh.runtime.command.CommandHandler;
import dev.mesh.runtime.store.StreamSeq;
import reactor.core.publisher.Mono;

/**
 * {@code chat:leave {roomId}}: the member is removed and the room told with
 * {@code chat:user_left} (a stream event, with the room's next seq), other services with
 * {@code MemberLeft}, and every session of the user is detached from the room. Leaving a room
 * one is not a member of is acknowledged and changes nothing (idempotent). Owners may leave;
 * ownership is not transferred (yet): the room keeps its other members and moderators.
 */
@Component
public class LeaveRoomHandler implements CommandHandler {

    /** The leave's ack data: {@code left} is false when the user was not a member; {@code seq} that of {@code chat:user_left}. */
    public record Left(String roomId, boolean left, Long seq) {
    }

    private final RoomStore rooms;
    private final StreamSeq streams;
    private final Clock clock;

    public LeaveRoomHandler(RoomStore rooms, StreamSeq streams, Clock clock) {
        this.rooms = rooms;
        this.streams = streams;
        this.clock = clock;
    }

    @Override
    public Set<String> types() {
        return Set.of(ChatCommands.LEAVE);
    }

    @Override
    public Mono<JsonNode> handle(CommandContext command) {
        ChatCommands.LeaveRoom leave = command.data(ChatCommands.LeaveRoom.class);
        if (leave.roomId() == null || leave.roomId().isBlank()) {
            throw MeshException.validation("roomId is required");
        }
        String topic = StreamTopics.chatRoom(leave.roomId());
        UserRef user = command.user();
        return rooms.lock(leave.roomId())
                .switchIfEmpty(Mono.error(RoomAccess::noSuchRoom))
                .doOnNext(room -> RoomAccess.leave(room.type()))
                .flatMap(room -> rooms.removeMember(room.id(), user.id())
                        .flatMap(wasMember -> wasMember
                                ? announce(command, room, topic).map(seq -> new Left(room.id(), true, seq))
                                : Mono.just(new Left(room.id(), false, null))))
                // Every session of the user stops receiving the room, a repeated leave included.
                .flatMap(left -> command.deliver(Delivery.detach(Delivery.Audience.user(user.id()),
                                new Delivery.Detach(null, user.id(), topic)))
                        .thenReturn(left))
                .map(MeshJson::tree);
    }

    private Mono<Long> announce(CommandContext command, StoredRoom room, String topic) {
        UserRef user = command.user();
        Instant now = clock.instant();
        return rooms.memberCount(room.id())
                .flatMap(count -> streams.next(topic)
                        .flatMap(seq -> command.publish(topic, ChatEvents.USER_LEFT, seq,
                                        new ChatEvents.UserLeft(room.id(), user.id(), user.name(), count))
                                .then(command.event(Topics.CHAT_EVENTS, room.id(), new ChatEvents.MemberLeft(
                                        UuidV7.next().toString(), room.id(), user.id(), now.toEpochMilli())))
                                .thenReturn(seq)));
    }
}
