package dev.mesh.contracts.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.wire.StreamTopics;

/**
 * The key table of ARCHITECTURE §3: a command and the stream it changes share a Kafka key, so
 * one stream is handled in order by one partition owner. A wrong key here silently breaks
 * ordering, so every rule is pinned.
 */
class CommandCatalogueTest {

    private static final List<String> CHAT_TYPES = List.of("chat:join", "chat:leave", "chat:message", "chat:edit",
            "chat:delete", "chat:react", "chat:typing", "chat:read", "chat:moderate");
    private static final List<String> QUIZ_SESSION_TYPES = List.of("quiz:join", "quiz:start", "quiz:next",
            "quiz:pause", "quiz:resume", "quiz:end", "quiz:answer");
    private static final List<String> USER_TYPES = List.of("presence:set", "presence:subscribe",
            "notification:sync", "notification:read", "notification:read_all");

    @Test
    void givenEveryChatCommand_whenKeyed_thenTheKeyIsTheRoomId() {
        JsonNode data = json(Map.of("roomId", "r1", "content", "hi"));
        for (String type : CHAT_TYPES) {
            assertThat(CommandCatalogue.keyOf(type, data, "u-alan")).as(type).contains("r1");
            assertThat(CommandCatalogue.find(type).orElseThrow().commandTopic()).as(type).isEqualTo(Topics.CHAT_COMMANDS);
        }
    }

    @Test
    void givenAFirstDirectMessage_whenKeyedForEitherSender_thenBothAgreeOnTheOrderedDmRoom() {
        // Both users' commands on one DM must land on one stream and partition, whoever writes first.
        String fromAlan = CommandCatalogue.keyOf("chat:message", json(Map.of("recipientId", "u-barbara", "content", "hi")),
                "u-alan").orElseThrow();
        String fromBarbara = CommandCatalogue.keyOf("chat:message", json(Map.of("recipientId", "u-alan", "content", "yo")),
                "u-barbara").orElseThrow();

        assertThat(fromAlan).isEqualTo("dm:u-alan:u-barbara").isEqualTo(fromBarbara);
        assertThat(StreamTopics.directRoomId("b", "a")).isEqualTo("dm:a:b").isEqualTo(StreamTopics.directRoomId("a", "b"));
    }

    @Test
    void givenAMessageWithBothRoomIdAndRecipient_whenKeyed_thenTheRoomIdWins() {
        assertThat(CommandCatalogue.keyOf("chat:message", json(Map.of("roomId", "r9", "recipientId", "u-b")), "u-a"))
                .contains("r9");
    }

    @Test
    void givenQuizCommands_whenKeyed_thenHostKeysByQuizAndTheOthersBySession() {
        JsonNode data = json(Map.of("quizId", "q1", "sessionId", "s1"));

        // quiz:host creates the session, which has no id yet: it is keyed by the quiz.
        assertThat(CommandCatalogue.keyOf("quiz:host", data, "u-ada")).contains("q1");
        for (String type : QUIZ_SESSION_TYPES) {
            assertThat(CommandCatalogue.keyOf(type, data, "u-ada")).as(type).contains("s1");
            assertThat(CommandCatalogue.find(type).orElseThrow().commandTopic()).as(type).isEqualTo(Topics.QUIZ_COMMANDS);
        }
    }

    @Test
    void givenPresenceAndNotificationCommands_whenKeyed_thenTheKeyIsTheSendingUser() {
        JsonNode data = json(Map.of("roomId", "r1", "userId", "someone-else"));
        for (String type : USER_TYPES) {
            assertThat(CommandCatalogue.keyOf(type, data, "u-alan")).as(type).contains("u-alan");
            assertThat(CommandCatalogue.keyOf(type, null, "u-alan")).as(type + " without data").contains("u-alan");
        }
        assertThat(CommandCatalogue.find("presence:set").orElseThrow().commandTopic()).isEqualTo(Topics.PRESENCE_COMMANDS);
        assertThat(CommandCatalogue.find("notification:read").orElseThrow().commandTopic())
                .isEqualTo(Topics.NOTIFICATION_COMMANDS);
    }

    @Test
    void givenDataWithoutTheKeyField_whenKeyed_thenThereIsNoKey() {
        // The gateway answers VALIDATION for these instead of sending a record keyed by null.
        assertThat(CommandCatalogue.keyOf("chat:join", json(Map.of("content", "hi")), "u-a")).isEmpty();
        assertThat(CommandCatalogue.keyOf("chat:join", json(Map.of("roomId", "")), "u-a")).isEmpty();
        assertThat(CommandCatalogue.keyOf("chat:join", json(Map.of("roomId", 42)), "u-a")).isEmpty();
        assertThat(CommandCatalogue.keyOf("chat:join", null, "u-a")).isEmpty();
        assertThat(CommandCatalogue.keyOf("chat:join", MeshJson.tree(List.of("r1")), "u-a")).isEmpty();
        assertThat(CommandCatalogue.keyOf("chat:message", json(Map.of("recipientId", "u-b")), null)).isEmpty();
        assertThat(CommandCatalogue.keyOf("quiz:host", json(Map.of("sessionId", "s1")), "u-a")).isEmpty();
        assertThat(CommandCatalogue.keyOf("quiz:answer", json(Map.of("quizId", "q1")), "u-a")).isEmpty();
        assertThat(CommandCatalogue.keyOf("presence:set", json(Map.of()), null)).isEmpty();
        assertThat(CommandCatalogue.keyOf("presence:set", json(Map.of()), " ")).isEmpty();
    }

    @Test
    void givenInternalOrUnknownTypes_whenLookedUp_thenTheyAreNotInTheCatalogue() {
        // A client must not be able to forge the scheduler's tick into a quiz stream.
        for (String type : new String[] {"quiz:tick", "chat:fly", "", "CHAT:JOIN", null}) {
            assertThat(CommandCatalogue.find(type)).as(String.valueOf(type)).isEmpty();
            assertThat(CommandCatalogue.keyOf(type, json(Map.of("roomId", "r1", "sessionId", "s1")), "u-a"))
                    .as(String.valueOf(type)).isEmpty();
        }
        assertThat(CommandCatalogue.entries()).doesNotContainKey("quiz:tick");
    }

    @Test
    void givenTypingAndMessage_whenLookedUp_thenOnlyTypingIsEphemeral() {
        assertThat(CommandCatalogue.find("chat:typing").orElseThrow().ephemeral()).isTrue();
        assertThat(CommandCatalogue.find("chat:message").orElseThrow().ephemeral()).isFalse();
        assertThat(CommandCatalogue.entries().values()).filteredOn(CommandCatalogue.Entry::ephemeral)
                .extracting(CommandCatalogue.Entry::type).containsExactly("chat:typing");
    }

    @Test
    void givenTheCatalogue_whenListed_thenEveryEntryIsNamedDomainColonActionAndOwnedByItsPrefix() {
        assertThat(CommandCatalogue.entries()).hasSize(CHAT_TYPES.size() + 1 + QUIZ_SESSION_TYPES.size() + USER_TYPES.size());
        CommandCatalogue.entries().forEach((type, entry) -> {
            assertThat(entry.type()).isEqualTo(type);
            assertThat(type).startsWith(entry.domain() + ":");
        });
    }

    private static JsonNode json(Map<String, ?> data) {
        return MeshJson.tree(data);
    }
}
