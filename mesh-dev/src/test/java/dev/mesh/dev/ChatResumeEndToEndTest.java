package dev.mesh.dev;

import static dev.mesh.dev.TestMesh.WAIT;
import static dev.mesh.dev.TestMesh.connectWithHeader;
import static dev.mesh.dev.TestMesh.indexOf;
import static dev.mesh.dev.TestMesh.isMessage;
import static dev.mesh.dev.TestMesh.join;
import static dev.mesh.dev.TestMesh.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.wire.StreamTopics;
import dev.mesh.testkit.ws.WsTestClient;

/**
 * Resume by seq across gateways, and direct messages to every socket of both users, on the
 * whole mesh (real Kafka, PostgreSQL and sockets; two gateway instances).
 */
class ChatResumeEndToEndTest {

    private static TestMesh mesh;

    @BeforeAll
    static void startMesh() {
        mesh = TestMesh.get();
    }

    @Test
    void aClientResumingThroughAnotherGatewayGetsExactlyWhatItMissedInOrderBeforeItsAckThenLiveEvents() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String roomId = createRoom("Resume " + run);
        String topic = StreamTopics.chatRoom(roomId);
        // "B" posts from four users' sockets, 20 each, round robin: the gateway allows a user a
        // burst of 20 chat:message commands, and this test is about resume, not rate limits.
        List<WsTestClient> b = new ArrayList<>();
        try (WsTestClient c = connectWithHeader(mesh.gateway1, "c-" + run)) {
            for (int i = 1; i <= 4; i++) {
                WsTestClient poster = connectWithHeader(i % 2 == 0 ? mesh.gateway1 : mesh.gateway2, "b" + i + "-" + run);
                b.add(poster);
                join(poster, roomId);
            }
            join(c, roomId);

            long since;
            try (WsTestClient a = connectWithHeader(mesh.gateway1, "a-" + run)) {
                JsonNode ack = a.awaitReply(a.sendCommand("chat:join", Map.of("roomId", roomId)), WAIT);
                assertThat(text(ack, "type")).as(ack.toString()).isEqualTo("ack");
                since = ack.get("data").get("lastSeq").asLong();
            }

            // While A is away: 40 messages, C leaves, 40 messages, C joins again, then an edit, a
            // delete and a reaction on earlier messages.
            List<String> ids = new ArrayList<>();
            ids.add(null);
            for (int i = 1; i <= 40; i++) {
                ids.add(post(b.get(i % 4), roomId, "missed-" + i));
            }
            JsonNode left = c.awaitReply(c.sendCommand("chat:leave", Map.of("roomId", roomId)), WAIT);
            assertThat(left.get("data").get("left").asBoolean()).as(left.toString()).isTrue();
            for (int i = 41; i <= 80; i++) {
                ids.add(post(b.get(i % 4), roomId, "missed-" + i));
            }
            join(c, roomId);
            command(b.get(1), "chat:edit", Map.of("roomId", roomId, "messageId", ids.get(1), "content", "edited-1"));
            command(b.get(2), "chat:delete", Map.of("roomId", roomId, "messageId", ids.get(2)));
            command(b.get(3), "chat:react", Map.of("roomId", roomId, "messageId", ids.get(1), "emoji", "🎉"));
            long missed = 85;

            try (WsTestClient a = connectWithHeader(mesh.gateway2, "a-" + run)) {
                String resume = a.sendCommand("chat:join", Map.of("roomId", roomId, "sinceSeq", since));
                JsonNode ack = a.awaitReply(resume, WAIT);

                assertThat(text(ack, "type")).as(ack.toString()).isEqualTo("ack");
                assertThat(ack.get("data").get("recovered").asBoolean()).isTrue();
                assertThat(ack.get("data").get("lastSeq").asLong()).isEqualTo(since + missed);
                List<JsonNode> frames = a.received();
                int ackAt = indexOf(frames, f -> resume.equals(text(f, "ref")));
                List<JsonNode> replayed = frames.stream().filter(f -> topic.equals(text(f, "topic"))).toList();
                // Exactly the missed events, no gap, no duplicate, all before the ack.
                assertThat(replayed).extracting(f -> f.get("seq").asLong())
                        .containsExactlyElementsOf(LongStream.rangeClosed(since + 1, since + missed).boxed().toList());
                assertThat(indexOf(frames, f -> topic.equals(text(f, "topic")) && f.get("seq").asLong() == since + missed))
                        .isLessThan(ackAt);
                List<String> expected = new ArrayList<>();
                for (int i = 1; i <= 80; i++) {
                    expected.add("chat:message missed-" + i);
                    if (i == 40) {
                        expected.add("chat:user_left c-" + run);
                    }
                }
                expected.add("chat:user_joined c-" + run);
                expected.add("chat:message_edited edited-1");
                expected.add("chat:message_deleted " + ids.get(2));
                expected.add("chat:reaction_updated 🎉 " + ids.get(1));
                assertThat(replayed).extracting(ChatResumeEndToEndTest::describe).containsExactlyElementsOf(expected);

                // Attached from the next seq: a live message follows the ack.
                post(b.getFirst(), roomId, "live-" + run);
                JsonNode live = a.await(f -> isMessage(f, "live-" + run), WAIT);
                assertThat(live.get("seq").asLong()).isEqualTo(since + missed + 1);
                assertThat(a.received().stream().filter(f -> topic.equals(text(f, "topic")))).hasSize((int) missed + 1);
            }
        } finally {
            b.forEach(WsTestClient::close);
        }
    }

    @Test
    void aClientThatMissedMoreThanTheReplayCapGetsNoneInlineAndPagesAllOfThemInTheirCurrentStateOverHttp()
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String roomId = createRoom("Long absence " + run);
        String topic = StreamTopics.chatRoom(roomId);
        // Ten posters, twenty messages each: the gateway's per-user burst, so nothing waits on rate limits.
        List<WsTestClient> posters = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                WsTestClient poster = connectWithHeader(i % 2 == 0 ? mesh.gateway1 : mesh.gateway2, "p" + i + "-" + run);
                posters.add(poster);
                join(poster, roomId);
            }
            long since;
            try (WsTestClient a = connectWithHeader(mesh.gateway1, "away-" + run)) {
                JsonNode ack = a.awaitReply(a.sendCommand("chat:join", Map.of("roomId", roomId)), WAIT);
                since = ack.get("data").get("lastSeq").asLong();
            }
            List<String> ids = new ArrayList<>();
            for (int i = 1; i <= 200; i++) {
                ids.add(post(posters.get((i - 1) / 20), roomId, "gone-" + i));
            }
            command(posters.get(0), "chat:edit", Map.of("roomId", roomId, "messageId", ids.get(0), "content", "gone-1, edited"));

            try (WsTestClient a = connectWithHeader(mesh.gateway2, "away-" + run)) {
                JsonNode ack = a.awaitReply(a.sendCommand("chat:join", Map.of("roomId", roomId, "sinceSeq", since)), WAIT);
                assertThat(text(ack, "type")).as(ack.toString()).isEqualTo("ack");
                assertThat(ack.get("data").get("recovered").asBoolean()).isFalse();
                assertThat(ack.get("data").get("lastSeq").asLong()).isEqualTo(since + 201);
                assertThat(a.received().stream().filter(f -> topic.equals(text(f, "topic")))).isEmpty();

                HttpResponse<String> page = TestMesh.HTTP.send(HttpRequest.newBuilder(
                                URI.create(TestMesh.http(mesh.gateway2) + "/api/chat/rooms/" + roomId
                                        + "/messages?afterSeq=" + since + "&limit=200"))
                        .header("Authorization", "Bearer " + TestMesh.token("away-" + run, "student")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
                JsonNode body = MeshJson.read(page.body(), JsonNode.class);
                List<JsonNode> items = new ArrayList<>();
                body.get("items").forEach(items::add);
                assertThat(items).extracting(m -> m.get("messageId").asString()).containsExactlyElementsOf(ids);
                assertThat(items).extracting(m -> m.get("seq").asLong())
                        .containsExactlyElementsOf(LongStream.rangeClosed(since + 1, since + 200).boxed().toList());
                assertThat(items.getFirst().get("content").asString()).isEqualTo("gone-1, edited");
                assertThat(items.getFirst().get("editedAt").asLong()).isPositive();
                assertThat(items.getLast().get("content").asString()).isEqualTo("gone-200");
                assertThat(body.get("hasMore").asBoolean()).isFalse();

                // Attached anyway: live events follow.
                post(posters.get(9), roomId, "back-" + run);
                assertThat(a.await(f -> isMessage(f, "back-" + run), WAIT).get("seq").asLong()).isEqualTo(since + 202);
            }
        } finally {
            posters.forEach(WsTestClient::close);
        }
    }

    @Test
    void aDirectMessageReachesEverySocketOfBothUsersOnceWithOneSeq() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String ann = "dm-ann-" + run;
        String bob = "dm-bob-" + run;
        String topic = StreamTopics.chatRoom(StreamTopics.directRoomId(ann, bob));
        try (WsTestClient ann1 = connectWithHeader(mesh.gateway1, ann);
             WsTestClient ann2 = connectWithHeader(mesh.gateway2, ann);
             WsTestClient bob1 = connectWithHeader(mesh.gateway1, bob);
             WsTestClient bob2 = connectWithHeader(mesh.gateway2, bob)) {
            List<WsTestClient> all = List.of(ann1, ann2, bob1, bob2);

            String first = ann1.sendCommand("chat:message", Map.of("recipientId", bob, "content", "first-" + run));
            JsonNode ack = ann1.awaitReply(first, WAIT);
            assertThat(text(ack, "type")).as(ack.toString()).isEqualTo("ack");
            assertThat(text(ack.get("data"), "roomId")).isEqualTo(StreamTopics.directRoomId(ann, bob));
            long seq = ack.get("data").get("seq").asLong();
            for (WsTestClient socket : all) {
                JsonNode message = socket.await(f -> isMessage(f, "first-" + run), WAIT);
                assertThat(message.get("seq").asLong()).isEqualTo(seq);
                assertThat(text(message, "topic")).isEqualTo(topic);
            }

            // The answer, by the other user from the other gateway, on the same stream.
            JsonNode answer = bob2.awaitReply(bob2.sendCommand("chat:message", Map.of("recipientId", ann, "content", "second-" + run)), WAIT);
            assertThat(answer.get("data").get("seq").asLong()).isEqualTo(seq + 1);
            for (WsTestClient socket : all) {
                assertThat(socket.await(f -> isMessage(f, "second-" + run), WAIT).get("seq").asLong()).isEqualTo(seq + 1);
                // Same partition, in order: a duplicate of the first would have come before the second.
                assertThat(socket.received().stream().filter(f -> isMessage(f, "first-" + run))).hasSize(1);
            }
        }
    }

    // --- helpers

    private static String createRoom(String name) throws Exception {
        HttpResponse<String> created = TestMesh.post(mesh.gateway1, "/api/chat/rooms", TestMesh.token("ada", "instructor"),
                MeshJson.write(Map.of("name", name, "type", "public")));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return MeshJson.read(created.body(), JsonNode.class).get("id").asString();
    }

    /** Posts and waits for the ack; emits the message id. */
    private static String post(WsTestClient client, String roomId, String content) throws InterruptedException {
        return text(command(client, "chat:message", Map.of("roomId", roomId, "content", content)).get("data"), "messageId");
    }

    /** Sends a command and waits for its ack; a RATE_LIMITED answer is retried with the same id after the time it names. */
    private static JsonNode command(WsTestClient client, String type, Map<String, Object> data) throws InterruptedException {
        String id = UUID.randomUUID().toString();
        Map<String, Object> frame = Map.of("type", type, "id", id, "data", data);
        while (true) {
            client.send(frame);
            JsonNode reply = client.awaitReply(id, WAIT);
            if ("RATE_LIMITED".equals(text(reply, "code"))) {
                Thread.sleep(Math.max(100, reply.path("data").path("retryAfterMs").asLong()));
                continue;
            }
            assertThat(text(reply, "type")).as(reply.toString()).isEqualTo("ack");
            return reply;
        }
    }

    /** A replayed frame in a line: its type and what tells it apart. */
    private static String describe(JsonNode frame) {
        JsonNode data = frame.get("data");
        String type = text(frame, "type");
        return type + " " + switch (type) {
            case "chat:message", "chat:message_edited" -> text(data, "content");
            case "chat:message_deleted" -> text(data, "messageId");
            case "chat:reaction_updated" -> text(data, "emoji") + " " + text(data, "messageId");
            default -> text(data, "userId");
        };
    }
}
