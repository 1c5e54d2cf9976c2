package dev.mesh.chat.messaging;

import java.time.Clock;
import java.util.Set;

import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;

import dev.mesh.chat.config.ChatProperties;
import dev.mesh.chat.domain.TypingThrottle;
import dev.mesh.chat.store.RoomStore;
import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.chat.ChatCommands;
import dev.mesh.contracts.chat.ChatEvents;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.MeshException;
import dev.mesh.contracts.wire.StreamTopics;
import dev.mesh.runtime.command.CommandContext;
import dev.mesh.runtime.command.CommandHandler;
import reactor.core.publisher.Mono;

/**
 * {@code chat:typing {roomId, isTyping}}, ephemeral: no reply, nothing stored. A member's update
 * goes to the room (in a direct conversation, to both users) except the sender's own session, as
 * {@code chat:typing_update} without a seq, so it is neither logged nor replayed. Throttled per
 * user per room ({@link TypingThrottle}, in memory per instance); a non-member's or a muted
 * member's is dropped.
 */
@Component
public class TypingHandler implements CommandHandler {

    private final RoomStore rooms;
    private final RoomAudiences audiences;
    private final Mutes mutes;
    private final TypingThrottle throttle;
    private final Clock clock;

    public TypingHandler(RoomStore rooms, RoomAudiences audiences, Mutes mutes, ChatProperties settings, Clock clock) {
        this.rooms = rooms;
        this.audiences = audiences;
        this.mutes = mutes;
        this.throttle = new TypingThrottle(settings.typingInterval(), settings.typingTracked());
        this.clock = clock;
    }

    @Override
    public Set<String> types() {
        return Set.of(ChatCommands.TYPING);
    }

    @Override
    public boolean ephemeral() {
        return true;
    }

    @Override
    public Mono<JsonNode> handle(CommandContext command) {
        ChatCommands.Typing typing = command.data(ChatCommands.Typing.class);
        if (typing.roomId() == null || typing.roomId().isBlank() || typing.isTyping() == null) {
            throw MeshException.validation("roomId and isTyping are required");
        }
        String roomId = typing.roomId();
        String topic = StreamTopics.chatRoom(roomId);
        UserRef user = command.user();
        boolean isTyping = typing.isTyping();
        JsonNode data = MeshJson.tree(new ChatEvents.TypingUpdate(roomId, user.id(), user.name(), isTyping));
        return rooms.find(roomId)
                .filterWhen(room -> rooms.isMember(roomId, user.id()))
                // A muted member's typing is dropped, as a non-member's is.
                .filterWhen(room -> mutes.isMuted(roomId, user.id()).map(muted -> !muted))
                // Throttled only once it would go out: a non-member's updates use no slot.
                .filter(room -> throttle.allow(roomId, user.id(), isTyping, clock.millis()))
                .flatMap(audiences::of)
                .flatMapIterable(to -> to)
                .concatMap(audience -> command.deliver(Delivery.event(audience, command.sessionId(),
                        new Delivery.Event(ChatEvents.TYPING_UPDATE, topic, null, data))))
                .then(Mono.empty());
    }
}
