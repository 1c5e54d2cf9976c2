package dev.mesh.chat.messaging;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;

import dev.mesh.chat.domain.MemberRole;
import dev.mesh.chat.domain.Moderation;
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
 * {@code chat:moderate {roomId, action, userId, minutes?}} ({@link Moderation} says who may):
 * a mute (until now + minutes) or unmute changes {@code chat_mutes}; a kick removes the member as
 * a leave does ({@code chat:user_left} with the room's next seq, {@code MemberLeft}, every
 * session of the target detached from the room). The target always gets {@code chat:moderated}
 * on {@code user:<id>} without a seq (not logged), and other services a {@code UserMuted},
 * {@code UserUnmuted} or {@code UserKicked}.
 */
@Component
public class ModerateHandler implements CommandHandler {

    /** The ack data; {@code until} (epoch ms) for a mute only. */
    public record Moderated(String roomId, String userId, String action, Long until) {
    }

    /** The moderator's role and the target's membership, each empty when not a member. */
    private record Facts(Optional<MemberRole> actorRole, Optional<RoomStore.Member> target) {
    }

    private final RoomStore rooms;
    private final StreamSeq streams;
    private final Clock clock;

    public ModerateHandler(RoomStore rooms, StreamSeq streams, Clock clock) {
        this.rooms = rooms;
        this.streams = streams;
        this.clock = clock;
    }

    @Override
    public Set<String> types() {
        return Set.of(ChatCommands.MODERATE);
    }

    @Override
    public Mono<JsonNode> handle(CommandContext command) {
        ChatCommands.Moderate moderate = command.data(ChatCommands.Moderate.class);
        if (moderate.roomId() == null || moderate.roomId().isBlank()) {
            throw MeshException.validation("roomId is required");
        }
        Moderation.Action action = Moderation.Action.parse(moderate.action());
        String targetId = Moderation.target(moderate.userId());
        Long muteMillis = action == Moderation.Action.mute ? Moderation.muteLength(moderate.minutes()).toMillis() : null;
        UserRef user = command.user();
        String roomId = moderate.roomId();
        return rooms.lock(roomId)
                .switchIfEmpty(Mono.error(RoomAccess::noSuchRoom))
                // One query after the other: they share the transaction's connection.
                .flatMap(room -> role(roomId, user.id())
                        .flatMap(actorRole -> member(roomId, targetId).map(target -> new Facts(actorRole, target)))
                        .flatMap(facts -> {
                            Optional<RoomStore.Member> target = facts.target();
                            Moderation.check(user, room.type(), facts.actorRole().orElse(null), targetId,
                                    target.map(RoomStore.Member::role).orElse(null), action);
                            Instant now = Instant.ofEpochMilli(clock.millis());
                            return switch (action) {
                                case mute -> mute(command, room, targetId, now, now.plusMillis(muteMillis));
                                case unmute -> unmute(command, room, targetId, now);
                                case kick -> kick(command, room, target.orElseThrow(), now);
                            };
                        }))
                .map(MeshJson::tree);
    }

    private Mono<Moderated> mute(CommandContext command, StoredRoom room, String targetId, Instant now, Instant until) {
        String by = command.user().id();
        return rooms.mute(room.id(), targetId, until, by)
                .then(tell(command, room, targetId, Moderation.Action.mute, until.toEpochMilli(),
                        new ChatEvents.UserMuted(UuidV7.next().toString(), room.id(), targetId, by, now.toEpochMilli(),
                                until.toEpochMilli())));
    }

    private Mono<Moderated> unmute(CommandContext command, StoredRoom room, String targetId, Instant now) {
        String by = command.user().id();
        return rooms.unmute(room.id(), targetId)
                .then(tell(command, room, targetId, Moderation.Action.unmute, null,
                        new ChatEvents.UserUnmuted(UuidV7.next().toString(), room.id(), targetId, by, now.toEpochMilli())));
    }

    /** As a leave of the target: announced with a seq, {@code MemberLeft}, and every session of theirs detached. */
    private Mono<Moderated> kick(CommandContext command, StoredRoom room, RoomStore.Member target, Instant now) {
        String topic = StreamTopics.chatRoom(room.id());
        String by = command.user().id();
        return rooms.removeMember(room.id(), target.userId())
                .then(rooms.memberCount(room.id()))
                .flatMap(count -> streams.next(topic)
                        .flatMap(seq -> command.publish(topic, ChatEvents.USER_LEFT, seq,
                                new ChatEvents.UserLeft(room.id(), target.userId(), target.name(), count))))
                .then(command.event(Topics.CHAT_EVENTS, room.id(), new ChatEvents.MemberLeft(
                        UuidV7.next().toString(), room.id(), target.userId(), now.toEpochMilli())))
                .then(command.deliver(Delivery.detach(Delivery.Audience.user(target.userId()),
                        new Delivery.Detach(null, target.userId(), topic))))
                .then(tell(command, room, target.userId(), Moderation.Action.kick, null,
                        new ChatEvents.UserKicked(UuidV7.next().toString(), room.id(), target.userId(), by,
                                now.toEpochMilli())));
    }

    /** {@code chat:moderated} to the target's sessions (no seq, not logged), and the domain event. */
    private Mono<Moderated> tell(CommandContext command, StoredRoom room, String targetId, Moderation.Action action,
                                 Long until, Object domainEvent) {
        JsonNode data = MeshJson.tree(new ChatEvents.Moderated(room.id(), action.name(), command.user().id(), until));
        return command.deliver(Delivery.event(Delivery.Audience.user(targetId), null,
                        new Delivery.Event(ChatEvents.MODERATED, null, null, data)))
                .then(command.event(Topics.CHAT_EVENTS, room.id(), domainEvent))
                .thenReturn(new Moderated(room.id(), targetId, action.name(), until));
    }

    private Mono<Optional<MemberRole>> role(String roomId, String userId) {
        return rooms.role(roomId, userId).map(Optional::of).defaultIfEmpty(Optional.empty());
    }

    private Mono<Optional<RoomStore.Member>> member(String roomId, String userId) {
        return rooms.member(roomId, userId).map(Optional::of).defaultIfEmpty(Optional.empty());
    }
}
