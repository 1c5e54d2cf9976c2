package dev.mesh.chat.messaging;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;

import dev.mesh.chat.domain.Attachments;
import dev.mesh.chat.domain.MemberRole;
import dev.mesh.chat.domain.MessageDraft;
import dev.mesh.chat.domain.MessageRules;
import dev.mesh.chat.domain.RoomAccess;
import dev.mesh.chat.domain.RoomType;
import dev.mesh.chat.domain.SlowMode;
import dev.mesh.chat.domain.UuidV7;
import dev.mesh.chat.store.AttachmentStore;
import dev.mesh.chat.store.MessageStore;
import dev.mesh.chat.store.RoomStore;
import dev.mesh.chat.store.StoredRoom;
import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.chat.ChatCommands;
import dev.mesh.contracts.chat.ChatEvents;
import dev.mesh.contracts.chat.ChatEvents.ChatMessage;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.MeshException;
import dev.mesh.contracts.wire.StreamTopics;
import dev.mesh.runtime.command.CommandContext;
import dev.mesh.runtime.command.BatchCommandHandler;
import dev.mesh.runtime.store.StreamSeq;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code chat:message} to a room: the message takes the room stream's next seq, is stored,
 * goes to everyone attached to the room (sender included, with {@code clientRef}) and to
 * other services as {@code MessagePosted}. With {@code recipientId} instead of {@code roomId}
 * it is a direct message: the room is {@code dm:<lower id>:<higher id>} (the command's Kafka key),
 * created by the first message, and every message goes to all sessions of both users.
 *
 * <p>The messages of one poll come here together ({@link BatchCommandHandler}): plain room
 * messages (no reply, no file, no slow mode, not a direct conversation) are checked with one read
 * of their posters' rooms and written with one seq reservation and one insert for all of them;
 * any other message is posted alone, in its place in the order.
 */
@Component
public class PostMessageHandler implements BatchCommandHandler {

    /** The ack data of a posted message. */
    public record Posted(String messageId, String roomId, long seq, long createdAt) {
    }

    private final RoomStore rooms;
    private final MessageStore messages;
    private final AttachmentStore attachments;
    private final StreamSeq streams;
    private final Mutes mutes;
    private final Clock clock;

    public PostMessageHandler(RoomStore rooms, MessageStore messages, AttachmentStore attachments, StreamSeq streams,
                              Mutes mutes, Clock clock) {
        this.rooms = rooms;
        this.messages = messages;
        this.attachments = attachments;
        this.streams = streams;
        this.mutes = mutes;
        this.clock = clock;
    }

    @Override
    public Set<String> types() {
        return Set.of(ChatCommands.MESSAGE);
    }

    /** A command of a batch as checked: refused, plain (posted with the others) or posted alone. */
    private record Checked(CommandContext command, MeshException refusal, MessageDraft plain, String roomId) {

        static Checked refused(CommandContext command, MeshException refusal) {
            return new Checked(command, refusal, null, null);
        }

        static Checked alone(CommandContext command) {
            return new Checked(command, null, null, null);
        }

        boolean isPlain() {
            return plain != null;
        }
    }

    @Override
    public Mono<List<Outcome>> handleAll(List<CommandContext> commands) {
        List<Checked> candidates = new ArrayList<>(commands.size());
        List<RoomStore.Poster> posters = new ArrayList<>();
        for (CommandContext command : commands) {
            try {
                ChatCommands.PostMessage post = command.data(ChatCommands.PostMessage.class);
                boolean plain = post.recipientId() == null && post.roomId() != null && !post.roomId().isBlank()
                        && post.replyTo() == null && (post.attachmentId() == null || post.attachmentId().isBlank());
                if (plain) {
                    MessageDraft draft = MessageDraft.of(post.content(), post.type(), null, post.mentions());
                    candidates.add(new Checked(command, null, draft, post.roomId()));
                    posters.add(new RoomStore.Poster(post.roomId(), command.user().id()));
                } else {
                    candidates.add(Checked.alone(command));
                }
            } catch (MeshException refusal) {
                candidates.add(Checked.refused(command, refusal));
            }
        }
        return rooms.forPosters(posters).flatMap(views -> {
            List<Checked> checked = candidates.stream().map(c -> c.isPlain() ? check(c, views) : c).toList();
            // In order: runs of plain messages together, the others alone between them (a room's
            // seqs follow the order its messages came in).
            List<List<Checked>> runs = new ArrayList<>();
            for (Checked c : checked) {
                if (runs.isEmpty() || !c.isPlain() || !runs.getLast().getLast().isPlain()) {
                    runs.add(new ArrayList<>());
                }
                runs.getLast().add(c);
            }
            return Flux.fromIterable(runs)
                    .concatMap(run -> run.getFirst().isPlain() ? postPlain(run)
                            : Mono.just(run.getFirst()).flatMap(c -> c.refusal() != null
                                    ? Mono.just(List.of(Outcome.refused(c.refusal())))
                                    : postAlone(c.command()).map(result -> List.of(Outcome.applied(result)))))
                    .concatMapIterable(outcomes -> outcomes)
                    .collectList();
        });
    }

    /** A plain message's room rules, from its poster's view: refused, posted with the others, or alone (slow mode, direct). */
    private Checked check(Checked candidate, Map<RoomStore.Poster, RoomStore.PosterView> views) {
        CommandContext command = candidate.command();
        RoomStore.PosterView view = views.get(new RoomStore.Poster(candidate.roomId(), command.user().id()));
        try {
            if (view == null) {
                throw RoomAccess.noSuchRoom();
            }
            RoomAccess.post(view.role() != null);
            mutes.requireNotMuted(view.mutedUntil());
        } catch (MeshException refusal) {
            return Checked.refused(command, refusal);
        }
        StoredRoom room = view.room();
        boolean slow = room.slowModeSeconds() > 0 && !MessageRules.moderates(command.user(), room.type(), view.role());
        return slow || room.type() == RoomType.DIRECT ? Checked.alone(command) : candidate;
    }

    /** Plain messages: one seq reservation for their rooms, one insert, then each one's events in order. */
    private Mono<List<Outcome>> postPlain(List<Checked> plain) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Checked c : plain) {
            counts.merge(StreamTopics.chatRoom(c.roomId()), 1, Integer::sum);
        }
        return streams.reserve(counts).flatMap(lastSeqs -> {
            Map<String, Long> nextSeq = new HashMap<>();
            counts.forEach((topic, count) -> nextSeq.put(topic, lastSeqs.get(topic) - count + 1));
            List<ChatMessage> posted = new ArrayList<>(plain.size());
            for (Checked c : plain) {
                UserRef user = c.command().user();
                long seq = nextSeq.merge(StreamTopics.chatRoom(c.roomId()), 1L, Long::sum) - 1;
                long createdAt = clock.millis();
                MessageDraft draft = c.plain();
                posted.add(new ChatMessage(UuidV7.at(createdAt).toString(), c.roomId(), seq, user.id(), user.name(),
                        draft.content(), draft.type(), null, draft.mentions(), createdAt, c.command().commandId(), null));
            }
            return messages.insertPlain(posted)
                    .thenMany(Flux.range(0, plain.size())
                            .concatMap(i -> announce(plain.get(i).command(), posted.get(i), null, null)
                                    .map(p -> Outcome.applied(MeshJson.tree(p)))))
                    .collectList();
        });
    }

    /** One message alone, with every rule: direct conversations, replies, files, slow mode. */
    private Mono<JsonNode> postAlone(CommandContext command) {
        ChatCommands.PostMessage post = command.data(ChatCommands.PostMessage.class);
        UserRef user = command.user();
        if (post.recipientId() != null) {
            if (post.roomId() != null) {
                throw MeshException.validation("Give roomId or recipientId, not both");
            }
            String recipient = RoomAccess.directRecipient(user, post.recipientId());
            MessageDraft draft = draft(post);
            String roomId = StreamTopics.directRoomId(user.id(), recipient);
            return openDirect(command, roomId, recipient)
                    .then(attachment(roomId, user, post.attachmentId()))
                    .flatMap(file -> replyTarget(roomId, draft.replyTo())
                            .flatMap(replyToAuthor -> streams.next(StreamTopics.chatRoom(roomId))
                                    .flatMap(seq -> post(command, roomId, draft, file.orElse(null), seq, recipient,
                                            replyToAuthor.orElse(null)))))
                    .map(MeshJson::tree);
        }
        if (post.roomId() == null || post.roomId().isBlank()) {
            throw MeshException.validation("roomId or recipientId is required");
        }
        MessageDraft draft = draft(post);
        String roomId = post.roomId();
        return rooms.forPoster(roomId, user.id())
                .switchIfEmpty(Mono.error(RoomAccess::noSuchRoom))
                .flatMap(view -> {
                    RoomAccess.post(view.role() != null);
                    mutes.requireNotMuted(view.mutedUntil());
                    return slowMode(view.room(), user, view.role()).then(recipientOf(view.room(), user));
                })
                .flatMap(recipient -> attachment(roomId, user, post.attachmentId())
                        .flatMap(file -> replyTarget(roomId, draft.replyTo())
                                .flatMap(replyToAuthor -> streams.next(StreamTopics.chatRoom(roomId))
                                        .flatMap(seq -> post(command, roomId, draft, file.orElse(null), seq,
                                                recipient.orElse(null), replyToAuthor.orElse(null))))))
                .map(MeshJson::tree);
    }

    private static MessageDraft draft(ChatCommands.PostMessage post) {
        return post.attachmentId() == null || post.attachmentId().isBlank()
                ? MessageDraft.of(post.content(), post.type(), post.replyTo(), post.mentions())
                : MessageDraft.withFile(post.content(), post.replyTo(), post.mentions());
    }

    /** The file a message carries: one its author uploaded to this room (empty without attachmentId). */
    private Mono<Optional<ChatEvents.Attachment>> attachment(String roomId, UserRef user, String attachmentId) {
        if (attachmentId == null || attachmentId.isBlank()) {
            return Mono.just(Optional.empty());
        }
        UUID id;
        try {
            id = UUID.fromString(attachmentId);
        } catch (IllegalArgumentException e) {
            return Mono.error(MeshException.validation("attachmentId must be a file id"));
        }
        return attachments.find(id)
                .switchIfEmpty(Mono.error(() -> MeshException.validation("attachmentId is not a file you uploaded to this room")))
                .doOnNext(file -> Attachments.attach(file.uploaderId(), file.roomId(), roomId, user.id()))
                .flatMap(file -> messages.carries(id)
                        .filter(carried -> !carried)
                        .switchIfEmpty(Mono.error(() -> MeshException.validation("This file is attached to another message already")))
                        .thenReturn(Optional.of(file.view())));
    }

    /**
     * Slow mode, exact: the member row is locked while the last post time is compared and
     * replaced, so two messages of one member cannot both pass.
     */
    private Mono<Void> slowMode(StoredRoom room, UserRef user, MemberRole role) {
        if (room.slowModeSeconds() <= 0 || MessageRules.moderates(user, room.type(), role)) {
            return Mono.empty();
        }
        long now = clock.millis();
        return rooms.lockLastPost(room.id(), user.id())
                .doOnNext(last -> SlowMode.check(false, room.slowModeSeconds(), last.orElse(null), now))
                .then(rooms.touchLastPost(room.id(), user.id(), now));
    }

    /** The other user of a direct conversation's room (posted to by its id); empty for other rooms. */
    private Mono<Optional<String>> recipientOf(StoredRoom room, UserRef sender) {
        if (room.type() != RoomType.DIRECT) {
            return Mono.just(Optional.empty());
        }
        return rooms.memberIds(room.id()).filter(id -> !id.equals(sender.id())).next()
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty());
    }

    /**
     * The direct conversation's room, created by its first message with both users as members
     * ({@code RoomCreated} by the sender and {@code MemberJoined} of the recipient tell other
     * services, e.g. presence's co-member rule). Creating it announces nothing on the stream.
     */
    private Mono<Void> openDirect(CommandContext command, String roomId, String recipient) {
        UserRef user = command.user();
        Instant now = Instant.ofEpochMilli(clock.millis());
        return rooms.insertDirect(roomId, user.id(), user.name(), recipient, now)
                .flatMap(created -> created
                        ? command.event(Topics.CHAT_EVENTS, roomId, new ChatEvents.RoomCreated(UuidV7.next().toString(),
                                        roomId, "Direct messages", RoomType.DIRECT.value(), user.id(), now.toEpochMilli()))
                                .then(command.event(Topics.CHAT_EVENTS, roomId, new ChatEvents.MemberJoined(
                                        UuidV7.next().toString(), roomId, recipient, now.toEpochMilli())))
                        : rooms.isMember(roomId, user.id()).doOnNext(RoomAccess::post).then());
    }

    /** The author of the message replied to (empty without replyTo); VALIDATION when it is not in this room. */
    private Mono<Optional<String>> replyTarget(String roomId, UUID replyTo) {
        if (replyTo == null) {
            return Mono.just(Optional.empty());
        }
        return messages.authorOf(roomId, replyTo)
                .map(Optional::of)
                .switchIfEmpty(Mono.error(() -> MeshException.validation("replyTo is not a message of this room")));
    }

    /**
     * Stores the message and publishes it with its seq (logged for resumes): to the room's attached
     * sessions, or in a direct conversation to every session of both users ({@code user:<id>}
     * audiences, same frame), so neither needs to join first.
     */
    private Mono<Posted> post(CommandContext command, String roomId, MessageDraft asked, ChatEvents.Attachment file,
                              long seq, String recipient, String replyToAuthor) {
        UserRef user = command.user();
        MessageDraft draft = file == null ? asked : asked.withContent(file.name());
        long createdAt = clock.millis();
        String messageId = UuidV7.at(createdAt).toString();
        String replyTo = draft.replyTo() == null ? null : draft.replyTo().toString();
        ChatMessage message = new ChatMessage(messageId, roomId, seq, user.id(), user.name(), draft.content(),
                draft.type(), replyTo, draft.mentions(), createdAt, command.commandId(), file);
        return messages.insert(message).then(announce(command, message, recipient, replyToAuthor));
    }

    /**
     * A stored message's events: to the room's attached sessions (or, in a direct conversation,
     * to every session of both users) with its seq, logged for resumes; and {@code MessagePosted}
     * to other services.
     */
    private Mono<Posted> announce(CommandContext command, ChatMessage message, String recipient, String replyToAuthor) {
        String roomId = message.roomId();
        String topic = StreamTopics.chatRoom(roomId);
        List<Delivery.Audience> audiences = recipient == null
                ? List.of(Delivery.Audience.topic(topic))
                : List.of(Delivery.Audience.user(message.userId()), Delivery.Audience.user(recipient));
        return command.publish(audiences, topic, ChatEvents.MESSAGE, message.seq(), message)
                .then(command.event(Topics.CHAT_EVENTS, roomId, new ChatEvents.MessagePosted(UuidV7.next().toString(),
                        roomId, message.messageId(), message.seq(), message.userId(), message.content(), message.mentions(),
                        message.replyTo(), replyToAuthor, message.createdAt(), recipient)))
                .thenReturn(new Posted(message.messageId(), roomId, message.seq(), message.createdAt()));
    }
}
