package dev.mesh.dev;

import static dev.mesh.dev.TestMesh.WAIT;
import static dev.mesh.dev.TestMesh.connectWithHeader;
import static dev.mesh.dev.TestMesh.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.testkit.infra.MeshInfra;
import dev.mesh.testkit.ws.WsTestClient;

/**
 * Every chat command through a gateway socket, and each rejection a user can meet, with the
 * code and sentence the client gets (FEATURES: "every rejection is an error with a code and a
 * clear sentence"). Real sockets on both gateway instances, real services behind them.
 */
class ChatCommandsEndToEndTest {

    @Test
    void everyChatCommandAndItsRejectionsThroughTheGateway() throws Exception {
        TestMesh mesh = TestMesh.get();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String ada = "cmd-ada-" + run;
        String alan = "cmd-alan-" + run;
        String barbara = "cmd-barbara-" + run;
        String roomId = createRoom(mesh, ada, "Commands " + run, "public", null);
        String privateRoom = createRoom(mesh, ada, "Private " + run, "private", null);
        String pair = createRoom(mesh, ada, "Pair " + run, "public", 2);

        try (WsTestClient adaSocket = connect(mesh.gateway1, ada, "instructor");
             WsTestClient alanSocket = connect(mesh.gateway2, alan, "student");
             WsTestClient barbaraSocket = connect(mesh.gateway1, barbara, "student")) {
            // chat:join
            ok(adaSocket, "chat:join", Map.of("roomId", roomId));
            ok(alanSocket, "chat:join", Map.of("roomId", roomId));
            error(barbaraSocket, "chat:join", Map.of("roomId", "no-such-" + run), "NOT_FOUND", "There is no such room");
            error(barbaraSocket, "chat:join", Map.of("roomId", privateRoom), "FORBIDDEN", "This room is open to invited members only");
            ok(alanSocket, "chat:join", Map.of("roomId", pair));
            error(barbaraSocket, "chat:join", Map.of("roomId", pair), "CONFLICT", "The room is full");

            // chat:message
            JsonNode posted = ok(alanSocket, "chat:message", Map.of("roomId", roomId, "content", "hello"));
            String messageId = text(posted, "messageId");
            error(alanSocket, "chat:message", Map.of("roomId", roomId, "content", "   "), "VALIDATION", "A message cannot be empty");
            error(alanSocket, "chat:message", Map.of("roomId", roomId, "content", "x".repeat(2001)), "VALIDATION",
                    "A message can have at most 2000 characters");
            error(barbaraSocket, "chat:message", Map.of("roomId", roomId, "content", "hi"), "FORBIDDEN",
                    "Join the room before posting to it");
            error(alanSocket, "chat:message", Map.of("roomId", roomId, "content", "re", "replyTo", UUID.randomUUID().toString()),
                    "VALIDATION", "replyTo is not a message of this room");

            // chat:edit
            ok(alanSocket, "chat:edit", Map.of("roomId", roomId, "messageId", messageId, "content", "hello, edited"));
            JsonNode adas = ok(adaSocket, "chat:message", Map.of("roomId", roomId, "content", "from the owner"));
            error(alanSocket, "chat:edit", Map.of("roomId", roomId, "messageId", text(adas, "messageId"), "content", "mine now"),
                    "FORBIDDEN", "You can edit only your own messages");
            error(alanSocket, "chat:edit", Map.of("roomId", roomId, "messageId", UUID.randomUUID().toString(), "content", "x"),
                    "NOT_FOUND", "There is no such message in this room");
            backdate(messageId, Duration.ofMinutes(6));
            error(alanSocket, "chat:edit", Map.of("roomId", roomId, "messageId", messageId, "content", "too late"),
                    "FORBIDDEN", "The edit window of 5 minutes has passed for this message");

            // chat:react
            JsonNode reacted = ok(barbaraSocketJoined(barbaraSocket, roomId), "chat:react",
                    Map.of("roomId", roomId, "messageId", messageId, "emoji", "🎉"));
            assertThat(reacted.get("added").asBoolean()).isTrue();
            error(barbaraSocket, "chat:react", Map.of("roomId", roomId, "messageId", messageId, "emoji", "🦄"),
                    "VALIDATION", "🦄 is not an allowed reaction");
            alanSocket.await(f -> "chat:reaction_updated".equals(text(f, "type")), WAIT);

            // chat:typing: no reply, the others see it
            alanSocket.send(Map.of("type", "chat:typing", "data", Map.of("roomId", roomId, "isTyping", true)));
            JsonNode typing = adaSocket.await(f -> "chat:typing_update".equals(text(f, "type"))
                    && alan.equals(text(f.get("data"), "userId")), WAIT);
            assertThat(typing.has("seq")).isFalse();

            // chat:read
            long lastSeq = ok(alanSocket, "chat:join", Map.of("roomId", roomId)).get("lastSeq").asLong();
            JsonNode read = ok(alanSocket, "chat:read", Map.of("roomId", roomId, "upToSeq", lastSeq));
            assertThat(read.get("unreadCount").asLong()).isZero();
            error(alanSocket, "chat:read", Map.of("roomId", roomId, "upToSeq", lastSeq + 100), "VALIDATION",
                    "upToSeq " + (lastSeq + 100) + " is past the room's last seq " + lastSeq);

            // chat:delete
            error(barbaraSocket, "chat:delete", Map.of("roomId", roomId, "messageId", messageId), "FORBIDDEN",
                    "You can delete only your own messages");
            ok(alanSocket, "chat:delete", Map.of("roomId", roomId, "messageId", messageId));

            // chat:moderate, and what a mute and slow mode do to messages
            error(barbaraSocket, "chat:moderate", Map.of("roomId", roomId, "action", "mute", "userId", alan), "FORBIDDEN",
                    "Only the room's owner and moderators, and admins, moderate it");
            ok(adaSocket, "chat:moderate", Map.of("roomId", roomId, "action", "mute", "userId", alan, "minutes", 5));
            alanSocket.await(f -> "chat:moderated".equals(text(f, "type")), WAIT);
            JsonNode muted = send(alanSocket, "chat:message", Map.of("roomId", roomId, "content", "can I?"));
            assertThat(text(muted, "code")).isEqualTo("FORBIDDEN");
            assertThat(text(muted, "message")).startsWith("You are muted in this room until ");
            ok(adaSocket, "chat:moderate", Map.of("roomId", roomId, "action", "unmute", "userId", alan));
            patch(mesh, ada, roomId, Map.of("slowModeSeconds", 60));
            ok(alanSocket, "chat:message", Map.of("roomId", roomId, "content", "one"));
            JsonNode slow = send(alanSocket, "chat:message", Map.of("roomId", roomId, "content", "two"));
            assertThat(text(slow, "code")).isEqualTo("RATE_LIMITED");
            assertThat(text(slow, "message")).startsWith("Slow mode: one message every 60 s; wait ");
            assertThat(slow.get("data").get("retryAfterMs").asLong()).isPositive();

            // A file through the gateways: uploaded through one, carried by a message, downloaded through the other.
            byte[] png = png(3 * 1024 * 1024);
            HttpResponse<String> uploaded = upload(mesh, alan, roomId, "scan.png", png);
            assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
            String fileId = MeshJson.read(uploaded.body(), JsonNode.class).get("id").asString();
            patch(mesh, ada, roomId, Map.of("slowModeSeconds", 0));
            ok(alanSocket, "chat:message", Map.of("roomId", roomId, "attachmentId", fileId));
            HttpResponse<byte[]> downloaded = TestMesh.HTTP.send(HttpRequest.newBuilder(
                            URI.create(TestMesh.http(mesh.gateway1) + "/api/chat/attachments/" + fileId))
                    .header("Authorization", "Bearer " + mesh.issuer.token(ada, ada, List.of("instructor"))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(downloaded.statusCode()).isEqualTo(200);
            assertThat(downloaded.body()).isEqualTo(png);

            // chat:leave
            JsonNode left = ok(barbaraSocket, "chat:leave", Map.of("roomId", roomId));
            assertThat(left.get("left").asBoolean()).isTrue();
            error(barbaraSocket, "chat:leave", Map.of(), "VALIDATION", "chat:leave needs data.roomId");
        }
    }

    // --- helpers

    private static WsTestClient barbaraSocketJoined(WsTestClient socket, String roomId) {
        ok(socket, "chat:join", Map.of("roomId", roomId));
        return socket;
    }

    private static WsTestClient connect(int port, String user, String role) {
        WsTestClient client = WsTestClient.connect(TestMesh.ws(port),
                Map.of("Authorization", "Bearer " + TestMesh.get().issuer.token(user, user, List.of(role))));
        client.await(f -> "welcome".equals(text(f, "type")), WAIT);
        return client;
    }

    private static JsonNode send(WsTestClient client, String type, Map<String, Object> data) {
        return client.awaitReply(client.sendCommand(type, data), WAIT);
    }

    private static JsonNode ok(WsTestClient client, String type, Map<String, Object> data) {
        JsonNode reply = send(client, type, data);
        assertThat(text(reply, "type")).as(type + " " + data + " → " + reply).isEqualTo("ack");
        return reply.get("data");
    }

    private static void error(WsTestClient client, String type, Map<String, Object> data, String code, String message) {
        JsonNode reply = send(client, type, data);
        assertThat(text(reply, "type")).as(type + " → " + reply).isEqualTo("error");
        assertThat(text(reply, "code")).as(type + " → " + reply).isEqualTo(code);
        assertThat(text(reply, "message")).as(type + " → " + reply).isEqualTo(message);
        assertThat(client.isOpen()).isTrue();
    }

    private static String createRoom(TestMesh mesh, String owner, String name, String type, Integer maxMembers)
            throws Exception {
        Map<String, Object> body = maxMembers == null ? Map.of("name", name, "type", type)
                : Map.of("name", name, "type", type, "maxMembers", maxMembers);
        HttpResponse<String> created = TestMesh.post(mesh.gateway1, "/api/chat/rooms", mesh.issuer.token(owner, owner,
                List.of("instructor")), MeshJson.write(body));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return MeshJson.read(created.body(), JsonNode.class).get("id").asString();
    }

    private static void patch(TestMesh mesh, String user, String roomId, Map<String, Object> body) throws Exception {
        HttpResponse<String> patched = TestMesh.HTTP.send(HttpRequest.newBuilder(
                        URI.create(TestMesh.http(mesh.gateway2) + "/api/chat/rooms/" + roomId))
                .header("Authorization", "Bearer " + mesh.issuer.token(user, user, List.of("instructor")))
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(MeshJson.write(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
    }

    private static HttpResponse<String> upload(TestMesh mesh, String user, String roomId, String filename, byte[] data)
            throws Exception {
        String boundary = "mesh-" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                + "\"\r\nContent-Type: image/png\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        return TestMesh.HTTP.send(HttpRequest.newBuilder(
                        URI.create(TestMesh.http(mesh.gateway2) + "/api/chat/rooms/" + roomId + "/attachments"))
                .header("Authorization", "Bearer " + mesh.issuer.token(user, user, List.of("student")))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.ofByteArray(data), HttpRequest.BodyPublishers.ofByteArray(tail)))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] png(int size) {
        byte[] png = new byte[size];
        byte[] signature = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
        System.arraycopy(signature, 0, png, 0, signature.length);
        for (int i = signature.length; i < size; i++) {
            png[i] = (byte) (i * 7);
        }
        return png;
    }

    /** Moves a message's creation back in time, as if the author had waited. */
    private static void backdate(String messageId, Duration by) throws Exception {
        MeshInfra.Database db = MeshInfra.get().database("e2e_chat");
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
             PreparedStatement update = c.prepareStatement(
                     "UPDATE chat_messages SET created_at = created_at - make_interval(secs => ?) WHERE id = ?::uuid")) {
            update.setLong(1, by.toSeconds());
            update.setString(2, messageId);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }
}
