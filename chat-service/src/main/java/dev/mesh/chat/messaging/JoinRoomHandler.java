package dev.mesh.chat.messaging;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;

import dev.mesh.chat.config.ChatProperties;
import dev.mesh.chat.domain.MemberRole;
import dev.mesh.chat.domain.RoomAccess;
import dev.mesh.chat.domain.UuidV7;
import dev.mesh.chat.store.MessageStore;
import dev.mesh.chat.store.RoomStore;
import dev.mesh.chat.store.StoredRoom;
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
import dev.mesh.runtime.store.StreamLog;
import dev.mesh.runtime.store.StreamSeq;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code chat:join {roomId, sinceSeq?}}: join and resume are one command (ARCHITECTURE §4.5).
 * A new member is inserted and announced with the room's next seq; then the stream's current
 * seq is read under its row lock, the missed events of every kind (if asked) are replayed to the
 * session from the stream event log ({@link StreamLog}), and the session is attached from the
 * next seq, all before the ack in one transaction. A direct conversation's room is joined (to
 * resume it by seq) by its two users only.
 */
@Component
public class JoinRoomHandler implements CommandHandler {

    /** The join's ack data; {@code messages} only without {@code sinceSeq}. */
    public record Joined(ChatEvents.Room room, int members, long lastSeq, boolean recovered,
                         List<ChatMessage> messages, int unreadCount) {
    }

    private final RoomStore rooms;
    private final MessageStore messages;
    private final StreamSeq streams;
    private final StreamLog streamLog;
    private final ChatProperties settings;
    private final Clock clock;

    public JoinRoomHandler(RoomStore rooms, MessageStore messages, StreamSeq streams, StreamLog streamLog,
                           ChatProperties settings, Clock clock) {
        this.rooms = rooms;
        this.messages = messages;
        this.streams = streams;
        this.streamLog = streamLog;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public Set<String> types() {
        return Set.of(ChatCommands.JOIN);
    }

    @Override
    public Mono<JsonNode> handle(CommandContext command) {
        ChatCommands.JoinRoom join = command.data(ChatCommands.JoinRoom.class);
        if (join.roomId() == null || join.roomId().isBlank()) {
            throw MeshException.validation("roomId is required");
        }
        if (join.sinceSeq() != null && join.sinceSeq() < 0) {
            throw MeshException.validation("sinceSeq cannot be negative");
        }
        String topic = StreamTopics.chatRoom(join.roomId());
        UserRef user = command.user();
        return rooms.lock(join.roomId())
                .switchIfEmpty(Mono.error(RoomAccess::noSuchRoom))
                .flatMap(room -> rooms.isMember(room.id(), user.id())
                        .flatMap(member -> rooms.isInvited(room.id(), user.id())
                                .flatMap(invited -> rooms.memberCount(room.id())
                                        .flatMap(count -> switch (RoomAccess.join(user, room.type(), room.maxMembers(),
                                                count, member, invited)) {
                                            // An invitation is used up by the join it allowed.
                                            case NEW_MEMBER -> rooms.removeInvite(room.id(), user.id())
                                                    .then(admit(command, room, count + 1, topic));
                                            case ALREADY_MEMBER -> Mono.just(count);
                                        })))
                        // The seq row is locked from here to the commit: nothing can be published in between.
                        .flatMap(count -> streams.current(topic)
                                .flatMap(lastSeq -> resume(command, room, count, lastSeq, join.sinceSeq(), topic))))
                .map(MeshJson::tree);
    }

    /** Inserts the new member and tells the room and the other services. */
    private Mono<Integer> admit(CommandContext command, StoredRoom room, int memberCount, String topic) {
        UserRef user = command.user();
        Instant now = clock.instant();
        return rooms.addMember(room.id(), user.id(), user.name(), MemberRole.member, now)
                .then(streams.next(topic))
                // History before one's own join is not "unread".
                .flatMap(seq -> rooms.markRead(room.id(), user.id(), seq)
                        .then(command.publish(topic, ChatEvents.USER_JOINED, seq,
                                new ChatEvents.UserJoined(room.id(), user.id(), user.name(), memberCount))))
                .then(command.event(Topics.CHAT_EVENTS, room.id(),
                        new ChatEvents.MemberJoined(UuidV7.next().toString(), room.id(), user.id(), now.toEpochMilli())))
                .thenReturn(memberCount);
    }

    private Mono<Joined> resume(CommandContext command, StoredRoom room, int members, long lastSeq, Long sinceSeq,
                                String topic) {
        return rooms.readMarker(room.id(), command.user().id())
                .flatMap(marker -> messages.unreadCount(room.id(), command.user().id(), marker))
                .flatMap(unread -> resume(command, room, members, lastSeq, sinceSeq, topic, unread.intValue()));
    }

    private Mono<Joined> resume(CommandContext command, StoredRoom room, int members, long lastSeq, Long sinceSeq,
                                String topic, int unread) {
        Mono<Void> attach = command.attach(topic, lastSeq + 1);
        if (sinceSeq == null) {
            return messages.page(room.id(), null, null, settings.snapshotMessages())
                    .flatMap(page -> attach.thenReturn(
                            new Joined(room.view(), members, lastSeq, true, page.items(), unread)));
        }
        if (sinceSeq >= lastSeq) {
            // Nothing missed; a client ahead of the stream (a restored database) reloads its window.
            return attach.thenReturn(new Joined(room.view(), members, lastSeq, sinceSeq == lastSeq, null, unread));
        }
        return streamLog.replay(topic, sinceSeq, settings.replayMaxEvents(), settings.replayMaxBytes().toBytes())
                .flatMap(missed -> {
                    // Every seq of the gap must be in the log: a stream older than the log has holes,
                    // and a client is never sent a gap it cannot see (it pages over HTTP instead).
                    boolean recovered = missed.complete() && missed.events().size() == lastSeq - sinceSeq;
                    Mono<Void> replay = recovered
                            ? Flux.fromIterable(missed.events())
                                    .concatMap(e -> command.publishToSession(topic, e.type(), e.seq(), e.data()))
                                    .then()
                            : Mono.empty();
                    return replay.then(attach).thenReturn(
                            new Joined(room.view(), members, lastSeq, recovered, null, unread));
                });
    }
}
