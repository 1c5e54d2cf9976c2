package dev.mesh.presence.messaging;

import java.time.Duration;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.presence.store.PresenceStore;

/**
 * Keeps {@code presence_room_members}, the projection of chat membership the co-member rule
 * reads, from {@code chat.events}. That topic carries several event records; the ones that
 * make a member are told apart by their fields: {@code MemberJoined} (roomId, userId,
 * joinedAt) and {@code RoomCreated} (roomId, createdBy: the creator is the room's owner and
 * no MemberJoined is published for them); {@code MemberLeft} (roomId, userId, leftAt) removes
 * one. Everything else is ignored. Adding or removing a member twice is a no-op, so
 * redeliveries are harmless.
 */
@Component
public class ChatEventsListener {

    private static final Logger log = LoggerFactory.getLogger(ChatEventsListener.class);
    private static final Duration BLOCK_LIMIT = Duration.ofSeconds(10);

    private final PresenceStore store;

    public ChatEventsListener(PresenceStore store) {
        this.store = store;
    }

    @KafkaListener(id = "presence-chat-events", idIsGroup = false, groupId = "presence-service-chat",
            topics = Topics.CHAT_EVENTS, concurrency = "${mesh.kafka.partitions:3}")
    public void onChatEvent(ConsumerRecord<String, String> record) {
        JsonNode event;
        try {
            event = MeshJson.read(record.value(), JsonNode.class);
        } catch (JacksonException e) {
            log.error("Skipping an unreadable chat event at {}-{}@{}", record.topic(), record.partition(), record.offset());
            return;
        }
        if (!event.isObject() || !text(event, "roomId") || event.has("messageId")) {
            return;
        }
        String roomId = event.get("roomId").asString();
        if (text(event, "userId") && event.has("joinedAt")) {
            store.addMember(roomId, event.get("userId").asString()).block(BLOCK_LIMIT);
        } else if (text(event, "userId") && event.has("leftAt")) {
            store.removeMember(roomId, event.get("userId").asString()).block(BLOCK_LIMIT);
        } else if (text(event, "createdBy") && event.has("createdAt") && !event.has("userId")) {
            store.addMember(roomId, event.get("createdBy").asString()).block(BLOCK_LIMIT);
        }
    }

    private static boolean text(JsonNode event, String field) {
        return event.hasNonNull(field) && event.get(field).isString() && !event.get(field).asString().isBlank();
    }
}
