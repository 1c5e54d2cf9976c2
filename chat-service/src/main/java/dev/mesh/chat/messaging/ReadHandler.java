package dev.mesh.chat.messaging;

import java.time.Clock;
import java.util.List;
import java.util.Set;

import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;

import dev.mesh.chat.domain.ReadMarkers;
import dev.mesh.chat.domain.RoomAccess;
import dev.mesh.chat.store.MessageStore;
import dev.mesh.chat.store.RoomStore;
import dev.mesh.chat.store.StoredRoom;
import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.chat.ChatCommands;
import dev.mesh.contracts.chat.ChatEvents;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.MeshException;
import dev.mesh.contracts.wire.StreamTopics;
import dev.mesh.runtime.command.CommandContext;
import dev.mesh.runtime.command.CommandHandler;
import dev.mesh.runtime.store.StreamSeq;
import reactor.core.publisher.Mono;

/**
 * {@code chat:read {roomId, upToSeq}}: moves the member's read marker forward. The ack and a
 * {@code chat:unread} to every session of the reader carry the new marker and unread count (so
 * their other devices update); in direct conversations and small rooms the authors of the
 * messages the marker passed get {@code chat:read_receipt}. None of these take a seq: a marker is
 * the reader's state, not an event of the room's stream.
 */
@Component
public class ReadHandler implements CommandHandler {

    private final RoomStore rooms;
    private final MessageStore messages;
    private final StreamSeq streams;
    private final Clock clock;

    public ReadHandler(RoomStore rooms, MessageStore messages, StreamSeq streams, Clock clock) {
        this.rooms = rooms;
        this.messages = messages;
        this.streams = streams;
        this.clock = clock;
    }

    @Override
    public Set<String> types() {
        return Set.of(ChatCommands.READ);
    }

    @Override
    public Mono<JsonNode> handle(CommandContext command) {
        ChatCommands.Read read = command.data(ChatCommands.Read.class);
        if (read.roomId() == null || read.roomId().isBlank()) {
            throw MeshException.validation("roomId is required");
        }
        String roomId = read.roomId();
        UserRef user = command.user();
        String topic = StreamTopics.chatRoom(roomId);
        return rooms.find(roomId)
                .switchIfEmpty(Mono.error(RoomAccess::noSuchRoom))
                .flatMap(room -> rooms.lockReadMarker(roomId, user.id())
                        .switchIfEmpty(Mono.error(() -> MeshException.forbidden("Join the room before marking it read")))
                        .flatMap(current -> streams.current(topic)
                                .map(lastSeq -> ReadMarkers.read(current, read.upToSeq(), lastSeq)))
                        .flatMap(move -> apply(command, room, move)))
                .map(MeshJson::tree);
    }

    private Mono<ChatEvents.Unread> apply(CommandContext command, StoredRoom room, ReadMarkers.Move move) {
        UserRef user = command.user();
        String topic = StreamTopics.chatRoom(room.id());
        if (!move.moved()) {
            return messages.unreadCount(room.id(), user.id(), move.to())
                    .map(unread -> new ChatEvents.Unread(room.id(), move.to(), unread));
        }
        return rooms.markRead(room.id(), user.id(), move.to())
                .then(messages.unreadCount(room.id(), user.id(), move.to()))
                .map(unread -> new ChatEvents.Unread(room.id(), move.to(), unread))
                .flatMap(unread -> command.publish(List.of(Delivery.Audience.user(user.id())), topic,
                                ChatEvents.UNREAD, null, unread)
                        .then(receipts(command, room, move))
                        .thenReturn(unread));
    }

    private Mono<Void> receipts(CommandContext command, StoredRoom room, ReadMarkers.Move move) {
        UserRef user = command.user();
        return rooms.memberCount(room.id())
                .filter(count -> ReadMarkers.sendsReceipts(room.type(), count))
                .flatMapMany(count -> messages.authorsBetween(room.id(), move.from(), move.to(), user.id()))
                .map(Delivery.Audience::user)
                .collectList()
                .filter(authors -> !authors.isEmpty())
                .flatMap(authors -> command.publish(authors, StreamTopics.chatRoom(room.id()), ChatEvents.READ_RECEIPT,
                        null, new ChatEvents.ReadReceipt(room.id(), user.id(), user.name(), move.to(), clock.millis())));
    }
}
