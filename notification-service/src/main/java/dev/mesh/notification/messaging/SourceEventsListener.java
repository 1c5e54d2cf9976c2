package dev.mesh.notification.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.chat.ChatEvents;
import dev.mesh.contracts.kafka.DomainEvents;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.contracts.presence.PresenceEvents;
import dev.mesh.notification.domain.NotificationRules;
import dev.mesh.notification.domain.SourceEvent;
import dev.mesh.notification.domain.SourceEvent.Moderation.Action;
import dev.mesh.notification.store.DirectoryStore;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Consumes {@code chat.events}, {@code quiz.events} and {@code presence.events}: keeps the room
 * and presence projections and turns the facts that concern someone into notifications
 * ({@link NotificationRules}, {@link NotificationWriter}). Each record is finished before the next
 * of its partition (the method blocks on the container's thread, STACK.md); a redelivered record
 * creates nothing new, because a user has at most one notification per source event. A failing
 * database is retried with backoff for a minute before the record goes back to Kafka's handler.
 */
@Component
public class SourceEventsListener {

    /** {@code MemberInvited} as chat will publish it (read here by its fields: chat's contract does not name it yet). */
    record MemberInvited(String eventId, String roomId, String userId, String invitedBy, Long at) {
    }

    private static final Logger log = LoggerFactory.getLogger(SourceEventsListener.class);
    private static final Duration BLOCK_LIMIT = Duration.ofSeconds(90);
    private static final Retry RETRY = Retry.backoff(8, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(10));

    private final DirectoryStore directory;
    private final NotificationWriter writer;

    public SourceEventsListener(DirectoryStore directory, NotificationWriter writer) {
        this.directory = directory;
        this.writer = writer;
    }

    @KafkaListener(id = "notification-chat-events", idIsGroup = false, groupId = "notification-service-chat",
            topics = Topics.CHAT_EVENTS, concurrency = "${mesh.kafka.partitions:3}")
    public void onChatEvent(ConsumerRecord<String, String> record) {
        JsonNode event = read(record);
        if (event != null) {
            run(() -> onChat(event), record);
        }
    }

    @KafkaListener(id = "notification-quiz-events", idIsGroup = false, groupId = "notification-service-quiz",
            topics = Topics.QUIZ_EVENTS, concurrency = "${mesh.kafka.partitions:3}")
    public void onQuizEvent(ConsumerRecord<String, String> record) {
        JsonNode event = read(record);
        if (event != null) {
            run(() -> onQuiz(event), record);
        }
    }

    @KafkaListener(id = "notification-presence-events", idIsGroup = false, groupId = "notification-service-presence",
            topics = Topics.PRESENCE_EVENTS, concurrency = "${mesh.kafka.partitions:3}")
    public void onPresenceEvent(ConsumerRecord<String, String> record) {
        JsonNode event = read(record);
        if (event != null) {
            run(() -> onPresence(event), record);
        }
    }

    Mono<?> onChat(JsonNode event) {
        return switch (DomainEvents.typeOf(event).orElse("")) {
            case "RoomCreated" -> {
                ChatEvents.RoomCreated created = DomainEvents.read(event, ChatEvents.RoomCreated.class);
                yield directory.roomCreated(created.roomId(), created.name(), created.createdBy());
            }
            case "MemberJoined" -> {
                ChatEvents.MemberJoined joined = DomainEvents.read(event, ChatEvents.MemberJoined.class);
                yield directory.addMember(joined.roomId(), joined.userId());
            }
            case "MemberLeft" -> {
                ChatEvents.MemberLeft left = DomainEvents.read(event, ChatEvents.MemberLeft.class);
                yield directory.removeMember(left.roomId(), left.userId());
            }
            case "MessagePosted" -> {
                ChatEvents.MessagePosted posted = DomainEvents.read(event, ChatEvents.MessagePosted.class);
                SourceEvent.Message message = new SourceEvent.Message(posted.eventId(), posted.roomId(),
                        posted.messageId(), posted.authorId(), posted.content(), posted.mentions(),
                        posted.replyToAuthorId(), posted.recipientId());
                Mono<Boolean> recipientOnline = posted.recipientId() == null ? Mono.just(true)
                        : directory.presenceOf(posted.recipientId()).map(p -> p.online());
                yield directory.nameOf(posted.authorId()).zipWith(recipientOnline)
                        .flatMap(t -> writer.create(NotificationRules.forMessage(message, t.getT1(),
                                user -> !user.equals(posted.recipientId()) || t.getT2())));
            }
            case "MemberInvited" -> {
                MemberInvited invited = DomainEvents.read(event, MemberInvited.class);
                SourceEvent.Invite invite = new SourceEvent.Invite(invited.eventId(), invited.roomId(),
                        invited.userId(), invited.invitedBy());
                yield directory.nameOf(invited.invitedBy()).zipWith(directory.roomName(invited.roomId()))
                        .flatMap(t -> writer.create(NotificationRules.forInvite(invite, t.getT1(), t.getT2())));
            }
            case "UserMuted" -> {
                ChatEvents.UserMuted muted = DomainEvents.read(event, ChatEvents.UserMuted.class);
                yield moderation(new SourceEvent.Moderation(muted.eventId(), muted.roomId(), muted.userId(),
                        Action.muted, muted.by(), muted.until()));
            }
            case "UserUnmuted" -> {
                ChatEvents.UserUnmuted unmuted = DomainEvents.read(event, ChatEvents.UserUnmuted.class);
                yield moderation(new SourceEvent.Moderation(unmuted.eventId(), unmuted.roomId(), unmuted.userId(),
                        Action.unmuted, unmuted.by(), null));
            }
            case "UserKicked" -> {
                ChatEvents.UserKicked kicked = DomainEvents.read(event, ChatEvents.UserKicked.class);
                yield moderation(new SourceEvent.Moderation(kicked.eventId(), kicked.roomId(), kicked.userId(),
                        Action.kicked, kicked.by(), null));
            }
            default -> Mono.empty();
        };
    }

    private Mono<?> moderation(SourceEvent.Moderation moderation) {
        return directory.roomName(moderation.roomId())
                .flatMap(room -> writer.create(NotificationRules.forModeration(moderation, room)));
    }

    /** Quiz events are read by their fields (quiz-service's records are not a dependency of ours). */
    Mono<?> onQuiz(JsonNode event) {
        String eventId = text(event, "eventId");
        String sessionId = text(event, "sessionId");
        if (eventId == null || sessionId == null) {
            return Mono.empty();
        }
        String roomId = text(event, "roomId");
        Mono<List<String>> members = roomId == null ? Mono.just(List.of()) : directory.members(roomId);
        return switch (DomainEvents.typeOf(event).orElse("")) {
            case "QuizSessionOpened" -> {
                SourceEvent.QuizOpened opened = new SourceEvent.QuizOpened(eventId, sessionId, text(event, "quizId"),
                        roomId, text(event, "hostId"));
                yield members.zipWith(roomId == null ? Mono.just("") : directory.roomName(roomId))
                        .flatMap(t -> writer.create(NotificationRules.forQuizOpened(opened, t.getT2(), t.getT1())));
            }
            case "QuizCompleted" -> {
                SourceEvent.QuizCompleted completed = new SourceEvent.QuizCompleted(eventId, sessionId,
                        text(event, "quizId"), roomId, text(event, "hostId"), participants(event));
                yield members.flatMap(m -> writer.create(NotificationRules.forQuizCompleted(completed, m)));
            }
            default -> Mono.empty();
        };
    }

    Mono<?> onPresence(JsonNode event) {
        return switch (DomainEvents.typeOf(event).orElse("")) {
            case "UserCameOnline" -> {
                PresenceEvents.UserCameOnline online = DomainEvents.read(event, PresenceEvents.UserCameOnline.class);
                yield directory.presence(online.userId(), true, online.at());
            }
            case "UserWentOffline" -> {
                PresenceEvents.UserWentOffline offline = DomainEvents.read(event, PresenceEvents.UserWentOffline.class);
                yield directory.presence(offline.userId(), false, offline.lastSeenAt());
            }
            default -> Mono.empty();
        };
    }

    /** Participants, if the event lists them: {@code participantIds} (strings) or {@code participants} (strings or {userId}). */
    private static List<String> participants(JsonNode event) {
        List<String> ids = new ArrayList<>();
        // quiz-service's QuizCompleted lists them in its ranking ({userId, …} objects).
        for (String field : List.of("participantIds", "participants", "ranking")) {
            JsonNode array = event.get(field);
            if (array != null && array.isArray()) {
                for (JsonNode item : array) {
                    if (item.isString()) {
                        ids.add(item.asString());
                    } else if (item.isObject() && item.get("userId") != null && item.get("userId").isString()) {
                        ids.add(item.get("userId").asString());
                    }
                }
            }
        }
        return ids;
    }

    private static String text(JsonNode event, String field) {
        JsonNode value = event.get(field);
        return value != null && value.isString() ? value.asString() : null;
    }

    private static JsonNode read(ConsumerRecord<String, String> record) {
        try {
            JsonNode event = MeshJson.read(record.value(), JsonNode.class);
            return event != null && event.isObject() ? event : null;
        } catch (JacksonException e) {
            log.error("Skipping an unreadable event at {}-{}@{}", record.topic(), record.partition(), record.offset());
            return null;
        }
    }

    private static void run(Supplier<Mono<?>> work, ConsumerRecord<String, String> record) {
        Mono<?> applied;
        try {
            applied = work.get();
        } catch (JacksonException | IllegalArgumentException e) {
            // A record whose fields do not fit its type: retrying cannot help.
            log.error("Skipping a malformed event at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return;
        }
        applied.retryWhen(RETRY).block(BLOCK_LIMIT);
    }
}
