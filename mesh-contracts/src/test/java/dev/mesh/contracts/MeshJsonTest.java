package dev.mesh.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.chat.ChatEvents;
import dev.mesh.contracts.kafka.CommandEnvelope;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.UserRef;

/**
 * The one JSON configuration of the wire, Kafka and the outbox: what one service writes,
 * every other reads back equal, whatever version it is.
 */
class MeshJsonTest {

    // An epoch-ms timestamp (2025-11-13): past 2^31, so any float or int narrowing would show.
    private static final long EPOCH_MS = 1_763_000_123_456L;

    static Stream<Arguments> deliveries() {
        JsonNode data = MeshJson.tree(Map.of("messageId", "m1", "content", "hello", "createdAt", EPOCH_MS,
                "mentions", List.of("u-a", "u-b")));
        return Stream.of(
                Arguments.of("event", Delivery.event(Delivery.Audience.topic("chat:room:r1"), "s-sender",
                        new Delivery.Event("chat:message", "chat:room:r1", 42L, data))),
                Arguments.of("event without seq", Delivery.event(Delivery.Audience.user("u-a"), null,
                        new Delivery.Event("chat:read_receipt", null, null, data))),
                Arguments.of("attach", Delivery.attach(new Delivery.Attach("s1", "chat:room:r1", 7))),
                Arguments.of("detach", Delivery.detach(Delivery.Audience.user("u-a"),
                        new Delivery.Detach(null, "u-a", "chat:room:r1"))),
                Arguments.of("ok reply", Delivery.reply(new Delivery.Reply("gw-1", "s1", "c1", true, null, null, data))),
                Arguments.of("error reply", Delivery.reply(new Delivery.Reply("gw-1", "s1", "c1", false, "RATE_LIMITED",
                        "Slow mode: wait 3 s", MeshJson.tree(Map.of("retryAfterMs", 3000))))),
                Arguments.of("close", Delivery.close(new Delivery.Close("u-a", 4003))),
                Arguments.of("to all", new Delivery(Delivery.Audience.all(), null, null, null, null, null,
                        new Delivery.Close("u-a", 1012))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deliveries")
    void givenADelivery_whenWrittenAndReadBack_thenItEqualsTheOriginalAndCarriesNoNulls(String name, Delivery delivery) {
        String json = MeshJson.write(delivery);

        assertThat(MeshJson.read(json, Delivery.class)).isEqualTo(delivery);
        // Absent parts are omitted, not written as null: records stay small and a gateway tells variants apart by presence.
        assertThat(json).doesNotContain("null");
    }

    @Test
    void givenACommandEnvelope_whenWrittenAndReadBack_thenItEqualsTheOriginal() {
        CommandEnvelope envelope = new CommandEnvelope("5f0c-uuid", "chat:message",
                MeshJson.tree(Map.of("roomId", "r1", "content", "hello", "nested", Map.of("n", 1, "x", 1.5))),
                new UserRef("u-alan", "Alan", List.of("student")), new CommandEnvelope.ReplyTo("gw-1", "s-1"), EPOCH_MS);

        String json = MeshJson.write(envelope);

        assertThat(MeshJson.read(json, CommandEnvelope.class)).isEqualTo(envelope);
        assertThat(json).doesNotContain("null");
    }

    @Test
    void givenAnEnvelopeWithoutDataOrRoles_whenWrittenAndReadBack_thenTheAbsentPartsStayAbsent() {
        CommandEnvelope envelope = new CommandEnvelope("c1", "presence:set", null, new UserRef("u", null, null),
                new CommandEnvelope.ReplyTo("gw", "s"), EPOCH_MS);

        String json = MeshJson.write(envelope);

        assertThat(json).doesNotContain("null").doesNotContain("\"data\"");
        CommandEnvelope read = MeshJson.read(json, CommandEnvelope.class);
        assertThat(read).isEqualTo(envelope);
        assertThat(read.user().roles()).isEmpty();
    }

    @Test
    void givenJsonFromANewerProducerWithUnknownFields_whenRead_thenTheyAreIgnored() {
        String json = """
                {"commandId":"c1","type":"chat:join","data":{"roomId":"r1"},"priority":"high",
                 "user":{"id":"u-a","name":"A","roles":["student"],"tenant":"t1"},
                 "replyTo":{"instanceId":"gw","sessionId":"s","region":"eu"},
                 "receivedAt":1763000123456,"trace":{"id":"abc","spans":[1,2]}}""";

        CommandEnvelope read = MeshJson.read(json, CommandEnvelope.class);

        assertThat(read).isEqualTo(new CommandEnvelope("c1", "chat:join", MeshJson.tree(Map.of("roomId", "r1")),
                new UserRef("u-a", "A", List.of("student")), new CommandEnvelope.ReplyTo("gw", "s"), EPOCH_MS));
        Delivery delivery = MeshJson.read("""
                {"audience":{"kind":"session","id":"s"},"future":true,
                 "reply":{"instanceId":"gw","sessionId":"s","ref":"c1","ok":true,"latencyMs":3}}""", Delivery.class);
        assertThat(delivery.reply().ok()).isTrue();
        assertThat(delivery.event()).isNull();
    }

    @Test
    void givenALargeEpochMillis_whenWrittenDirectlyOrThroughATree_thenItStaysAnInteger() {
        // STACK.md: trees write large decimals in exponent form (1.763E12); timestamps must stay integers.
        String direct = MeshJson.write(Map.of("at", EPOCH_MS));
        JsonNode tree = MeshJson.tree(Map.of("at", EPOCH_MS));
        String throughTree = MeshJson.write(tree);
        String reread = MeshJson.write(MeshJson.read("{\"at\":1763000123456}", JsonNode.class));
        String envelope = MeshJson.write(new CommandEnvelope("c", "t", tree, new UserRef("u", "U", List.of()),
                new CommandEnvelope.ReplyTo("gw", "s"), EPOCH_MS));

        for (String json : List.of(direct, throughTree, reread)) {
            assertThat(json).isEqualTo("{\"at\":1763000123456}");
        }
        assertThat(envelope).contains("\"receivedAt\":1763000123456").doesNotContainIgnoringCase("e+").doesNotContain("E1");
        assertThat(tree.get("at").isIntegralNumber()).isTrue();
        assertThat(MeshJson.read(envelope, CommandEnvelope.class).receivedAt()).isEqualTo(EPOCH_MS);
    }

    @Test
    void givenEachAudienceKind_whenHeaderIsAsked_thenItIsKindColonId() {
        assertThat(Delivery.Audience.topic("chat:room:r1").header()).isEqualTo("topic:chat:room:r1");
        assertThat(Delivery.Audience.session("s").header()).isEqualTo("session:s");
        assertThat(Delivery.Audience.user("u").header()).isEqualTo("user:u");
        assertThat(Delivery.Audience.all().header()).isEqualTo("all:");
        // The header of a factory-made delivery is its audience's, so a gateway may skip it unparsed.
        assertThat(Delivery.reply(new Delivery.Reply("gw", "s9", "c", true, null, null, null)).audience().header())
                .isEqualTo("session:s9");
        assertThat(Delivery.close(new Delivery.Close("u9", 4001)).audience().header()).isEqualTo("user:u9");
        assertThat(Delivery.attach(new Delivery.Attach("s8", "chat:room:r", 1)).audience().header()).isEqualTo("session:s8");
    }

    @Test
    void givenAUserRef_whenWritten_thenItHasExactlyIdNameAndRoles() {
        JsonNode user = MeshJson.read(MeshJson.write(new UserRef("u-grace", "Grace", List.of("admin"))), JsonNode.class);

        assertThat(user.propertyNames()).containsExactly("id", "name", "roles");
    }

    @Test
    void givenARecordWithNullFields_whenTurnedIntoEventDataThroughATree_thenTheNullsAreOmitted() {
        // CommandContext.publish turns a handler's record into a tree: absent fields must stay absent.
        ChatEvents.ChatMessage message = new ChatEvents.ChatMessage("m1", "r1", 3, "u-a", "A", "hi", "text", null, null,
                EPOCH_MS, "c1", null);

        String json = MeshJson.write(Delivery.event(Delivery.Audience.topic("chat:room:r1"), null,
                new Delivery.Event("chat:message", "chat:room:r1", 3L, MeshJson.tree(message))));

        assertThat(json).doesNotContain("null").doesNotContain("replyTo").contains("\"createdAt\":1763000123456");
        assertThat(MeshJson.convert(MeshJson.read(json, Delivery.class).event().data(), ChatEvents.ChatMessage.class))
                .isEqualTo(message);
    }

    @Test
    void givenAMapWithANullValue_whenWritten_thenTheNullEntryIsOmitted() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("a", 1);
        data.put("b", null);

        assertThat(MeshJson.write(data)).isEqualTo("{\"a\":1}");
    }
}
