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
import dev.mesh.contracts.chat.ChatEvents;
import dev.mesh.contracts.kafka.DomainEvents;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.presence.store.PresenceStore;

/**
 * Keeps {@code presence_room_members}, the projection of chat membership the co-member rule
 * reads, from {@code chat.events}: {@code MemberJoined} and {@code RoomCreated} (the creator is
 * the room's owner; no MemberJoined is published for them) add a member, {@code MemberLeft}
 * removes one, {@code RoomDeleted} all. Other event types are ignored. Adding or removing a member twice is a no-op, so
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
        switch (DomainEvents.typeOf(event).orElse("")) {
            case "RoomCreated" -> {
                ChatEvents.RoomCreated created = DomainEvents.read(event, ChatEvents.RoomCreated.class);
                store.addMember(created.roomId(), created.createdBy()).block(BLOCK_LIMIT);
            }
            case "MemberJoined" -> {
                ChatEvents.MemberJoined joined = DomainEvents.read(event, ChatEvents.MemberJoined.class);
                store.addMember(joined.roomId(), joined.userId()).block(BLOCK_LIMIT);
            }
            case "MemberLeft" -> {
                ChatEvents.MemberLeft left = DomainEvents.read(event, ChatEvents.MemberLeft.class);
                store.removeMember(left.roomId(), left.userId()).block(BLOCK_LIMIT);
            }
            case "RoomDeleted" -> {
                ChatEvents.RoomDeleted deleted = DomainEvents.read(event, ChatEvents.RoomDeleted.class);
                store.removeRoom(deleted.roomId()).block(BLOCK_LIMIT);
            }
            default -> {
                // not a membership fact
            }
        }
    }
}
