package dev.mesh.chat.messaging;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;

import dev.mesh.chat.config.ChatProperties;
import dev.mesh.chat.domain.MemberRole;
import dev.mesh.chat.domain.MessageDraft;
import dev.mesh.chat.domain.MessageRules;
import dev.mesh.chat.domain.Reactions;
import dev.mesh.chat.domain.RoomAccess;
import dev.mesh.chat.domain.UuidV7;
import dev.mesh.chat.store.MessageStore;
import dev.mesh.chat.store.RoomStore;
import dev.mesh.chat.store.StoredRoom;
import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.chat.ChatCommands;
import dev.mesh.contracts.chat.ChatEvents;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.MeshException;
import dev.mesh.contracts.wire.StreamTopics;
import dev.mesh.runtime.command.CommandContext;
import dev.mesh.runtime.command.CommandHandler;
import dev.mesh.runtime.store.StreamSeq;
import reactor.core.publisher.Mono;

/**
 * Changes to a posted message: {@code chat:edit}, {@code chat:delete} and {@code chat:react}.
 * Each change takes the room stream's next seq and goes to the room as an event with it (so it is
 * logged and a resume replays it in order with the messages), before the ack.
 */
@Component
public class MessageChangeHandler implements CommandHandler {

    /** The ack of an edit. */
    public record Edited(String messageId, long seq) {
    }

    /** The ack of a delete; {@code seq} is null when the message was deleted already (nothing changed). */
    public record Deleted(String messageId, Long seq) {
    }

    /** The ack of a reaction toggle. */
    public record Reacted(String messageId, String emoji, boolean added, long seq, Map<String, Integer> counts) {
    }

    private record Scope(StoredRoom room, MemberRole role, UUID messageId, MessageRules.Target message) {
    }

    private final RoomStore rooms;
    private final MessageStore messages;
    private final RoomAudiences audiences;
    private final StreamSeq streams;
    private final Mutes mutes;
    private final ChatProperties settings;
    private final Clock clock;

    public MessageChangeHandler(RoomStore rooms, MessageStore messages, RoomAudiences audiences, StreamSeq streams,
                                Mutes mutes, ChatProperties settings, Clock clock) {
        this.rooms = rooms;
        this.messages = messages;
        this.audiences = audiences;
        this.streams = streams;
        this.mutes = mutes;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public Set<String> types() {
        return Set.of(ChatCommands.EDIT, ChatCommands.DELETE, ChatCommands.REACT);
    }

    @Override
    public Mono<JsonNode> handle(CommandContext command) {
        return switch (command.envelope().type()) {
            case ChatCommands.EDIT -> edit(command);
            case ChatCommands.DELETE -> delete(command);
            case ChatCommands.REACT -> react(command);
            default -> Mono.error(MeshException.validation(command.envelope().type() + " is not available yet"));
        };
    }

    private Mono<JsonNode> edit(CommandContext command) {
        ChatCommands.EditMessage edit = command.data(ChatCommands.EditMessage.class);
        String roomId = roomId(edit.roomId());
        UUID messageId = MessageRules.messageId(edit.messageId());
        String content = MessageDraft.content(edit.content());
        UserRef user = command.user();
        return scope(roomId, messageId, user)
                .flatMap(scope -> {
                    long now = clock.millis();
                    MessageRules.edit(user, scope.room().type(), scope.role(), scope.message(), now, settings.editWindow());
                    return mutes.requireNotMuted(roomId, user.id())
                            .then(messages.edit(messageId, content, user.id(), now))
                            .then(publish(command, scope.room(), ChatEvents.MESSAGE_EDITED,
                                    new ChatEvents.EditedMessage(messageId.toString(), roomId, content, now, user.id())))
                            .flatMap(seq -> command.event(Topics.CHAT_EVENTS, roomId, new ChatEvents.MessageEdited(
                                            UuidV7.next().toString(), roomId, messageId.toString(), seq,
                                            scope.message().authorId(), user.id(), content, now))
                                    .thenReturn(new Edited(messageId.toString(), seq)));
                })
                .map(MeshJson::tree);
    }

    private Mono<JsonNode> delete(CommandContext command) {
        ChatCommands.DeleteMessage delete = command.data(ChatCommands.DeleteMessage.class);
        String roomId = roomId(delete.roomId());
        UUID messageId = MessageRules.messageId(delete.messageId());
        UserRef user = command.user();
        return scope(roomId, messageId, user)
                .flatMap(scope -> {
                    if (!MessageRules.delete(user, scope.room().type(), scope.role(), scope.message())) {
                        return Mono.just(new Deleted(messageId.toString(), null));
                    }
                    long now = clock.millis();
                    return messages.delete(messageId, user.id(), now)
                            .then(publish(command, scope.room(), ChatEvents.MESSAGE_DELETED,
                                    new ChatEvents.DeletedMessage(messageId.toString(), roomId, now, user.id())))
                            .flatMap(seq -> command.event(Topics.CHAT_EVENTS, roomId, new ChatEvents.MessageDeleted(
                                            UuidV7.next().toString(), roomId, messageId.toString(), seq,
                                            scope.message().authorId(), user.id(), now))
                                    .thenReturn(new Deleted(messageId.toString(), seq)));
                })
                .map(MeshJson::tree);
    }

    private Mono<JsonNode> react(CommandContext command) {
        ChatCommands.React react = command.data(ChatCommands.React.class);
        String roomId = roomId(react.roomId());
        UUID messageId = MessageRules.messageId(react.messageId());
        String emoji = Reactions.emoji(react.emoji(), settings.allowedEmoji());
        UserRef user = command.user();
        return rooms.find(roomId)
                .switchIfEmpty(Mono.error(RoomAccess::noSuchRoom))
                .flatMap(room -> role(roomId, user)
                        .flatMap(role -> {
                            if (role.isEmpty()) {
                                return Mono.error(MeshException.forbidden("Join the room before reacting in it"));
                            }
                            return messages.lock(roomId, messageId)
                                    .switchIfEmpty(Mono.error(MessageRules::noSuchMessage))
                                    .doOnNext(message -> MessageRules.react(role.get(), message))
                                    .flatMap(message -> mutes.requireNotMuted(roomId, user.id()).thenReturn(message))
                                    .then(messages.removeReaction(messageId, user.id(), emoji))
                                    .flatMap(had -> Reactions.toggle(had)
                                            ? messages.addReaction(messageId, user.id(), emoji).thenReturn(true)
                                            : Mono.just(false))
                                    .flatMap(added -> messages.reactionCounts(messageId)
                                            .flatMap(counts -> publish(command, room, ChatEvents.REACTION_UPDATED,
                                                    new ChatEvents.ReactionUpdated(messageId.toString(), roomId, emoji,
                                                            user.id(), added, counts))
                                                    .map(seq -> new Reacted(messageId.toString(), emoji, added, seq, counts))));
                        }))
                .map(MeshJson::tree);
    }

    /** The room, the sender's role in it, and the message (locked); checked in that order. */
    private Mono<Scope> scope(String roomId, UUID messageId, UserRef user) {
        return rooms.find(roomId)
                .switchIfEmpty(Mono.error(RoomAccess::noSuchRoom))
                .flatMap(room -> role(roomId, user)
                        .doOnNext(role -> MessageRules.requireMemberOrAdmin(user, room.type(), role.orElse(null)))
                        .flatMap(role -> messages.lock(roomId, messageId)
                                .switchIfEmpty(Mono.error(MessageRules::noSuchMessage))
                                .map(message -> new Scope(room, role.orElse(null), messageId, message))));
    }

    private Mono<Optional<MemberRole>> role(String roomId, UserRef user) {
        return rooms.role(roomId, user.id()).map(Optional::of).defaultIfEmpty(Optional.empty());
    }

    /** The event with the room stream's next seq; emits the seq. */
    private Mono<Long> publish(CommandContext command, StoredRoom room, String type, Object data) {
        String topic = StreamTopics.chatRoom(room.id());
        return streams.next(topic)
                .flatMap(seq -> audiences.of(room)
                        .flatMap(to -> command.publish(to, topic, type, seq, data))
                        .thenReturn(seq));
    }

    private static String roomId(String roomId) {
        if (roomId == null || roomId.isBlank()) {
            throw MeshException.validation("roomId is required");
        }
        return roomId;
    }
}
