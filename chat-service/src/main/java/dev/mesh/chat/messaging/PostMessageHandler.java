package dev.mesh.chat.messaging;

import java.time.Clock;
import java.util.Set;
import java.util.UUID;

import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;

import dev.mesh.chat.domain.MessageDraft;
import dev.mesh.chat.domain.RoomAccess;
import dev.mesh.chat.domain.UuidV7;
import dev.mesh.chat.store.MessageStore;
import dev.mesh.chat.store.RoomStore;
import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.chat.ChatCommands;
import dev.mesh.contracts.chat.ChatEvents;
import dev.mesh.contracts.chat.ChatEvents.ChatMessage;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.MeshException;
import dev.mesh.contracts.wire.StreamTopics;
import dev.mesh.runtime.command.CommandContext;
import dev.mesh.runtime.command.CommandHandler;
import dev.mesh.runtime.store.StreamSeq;
import reactor.core.publisher.Mono;

/**
 * {@code chat:message} to a room: the message takes the room stream's next seq, is stored,
 * goes to everyone attached to the room (sender included, with {@code clientRef}) and to
 * other services as {@code MessagePosted}.
 */
@Component
public class PostMessageHandler implements CommandHandler {

    /** The ack data of a posted message. */
    public record Posted(String messageId, String roomId, long seq, long createdAt) {
    }

    private final RoomStore rooms;
    private final MessageStore messages;
    private final StreamSeq streams;
    private final Clock clock;

    public PostMessageHandler(RoomStore rooms, MessageStore messages, StreamSeq streams, Clock clock) {
        this.rooms = rooms;
        this.messages = messages;
        this.streams = streams;
        this.clock = clock;
    }

    @Override
    public Set<String> types() {
        return Set.of(ChatCommands.MESSAGE);
    }

    @Override
    public Mono<JsonNode> handle(CommandContext command) {
        ChatCommands.PostMessage post = command.data(ChatCommands.PostMessage.class);
        if (post.recipientId() != null) {
            throw MeshException.validation("Direct messages are not available yet");
        }
        if (post.roomId() == null || post.roomId().isBlank()) {
            throw MeshException.validation("roomId is required");
        }
        MessageDraft draft = MessageDraft.of(post.content(), post.type(), post.replyTo(), post.mentions());
        String roomId = post.roomId();
        UserRef user = command.user();
        return rooms.find(roomId)
                .switchIfEmpty(Mono.error(RoomAccess::noSuchRoom))
                .flatMap(room -> rooms.isMember(roomId, user.id()))
                .doOnNext(RoomAccess::post)
                .flatMap(member -> requireReplyTarget(roomId, draft.replyTo()))
                .then(streams.next(StreamTopics.chatRoom(roomId)))
                .flatMap(seq -> post(command, roomId, draft, seq))
                .map(MeshJson::tree);
    }

    private Mono<Void> requireReplyTarget(String roomId, UUID replyTo) {
        if (replyTo == null) {
            return Mono.empty();
        }
        return messages.exists(roomId, replyTo)
                .filter(Boolean::booleanValue)
                .switchIfEmpty(Mono.error(() -> MeshException.validation("replyTo is not a message of this room")))
                .then();
    }

    private Mono<Posted> post(CommandContext command, String roomId, MessageDraft draft, long seq) {
        UserRef user = command.user();
        long createdAt = clock.millis();
        String messageId = UuidV7.at(createdAt).toString();
        String replyTo = draft.replyTo() == null ? null : draft.replyTo().toString();
        ChatMessage message = new ChatMessage(messageId, roomId, seq, user.id(), user.name(), draft.content(),
                draft.type(), replyTo, draft.mentions(), createdAt, command.commandId());
        return messages.insert(message)
                .then(command.publish(StreamTopics.chatRoom(roomId), ChatEvents.MESSAGE, seq, message))
                .then(command.event(Topics.CHAT_EVENTS, roomId, new ChatEvents.MessagePosted(UuidV7.next().toString(),
                        roomId, messageId, seq, user.id(), draft.content(), draft.mentions(), replyTo, createdAt)))
                .thenReturn(new Posted(messageId, roomId, seq, createdAt));
    }
}
