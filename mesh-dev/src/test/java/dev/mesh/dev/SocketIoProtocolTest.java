package dev.mesh.dev;

import static dev.mesh.dev.TestMesh.WAIT;
import static dev.mesh.dev.TestMesh.token;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.testkit.ws.WsTestClient;

/**
 * The Socket.IO endpoint packet by packet, with a raw WebSocket client: what the stock client
 * never sends (malformed packets, other namespaces, binary attachments) is answered, not fatal.
 */
class SocketIoProtocolTest {

    private static TestMesh shared;

    @BeforeAll
    static void startMesh() {
        shared = TestMesh.get();
    }

    @Test
    void theOpenPacketCarriesTheHeartbeatAndSizeLimitsAndEnginePingsAreAnswered() {
        try (WsTestClient raw = open()) {
            JsonNode open = packet(raw, "0");
            assertThat(open.get("sid").asString()).isNotBlank();
            assertThat(open.get("pingInterval").asLong()).isEqualTo(25_000);
            assertThat(open.get("pingTimeout").asLong()).isPositive();
            assertThat(open.get("maxPayload").asLong()).isEqualTo(65_536);
            assertThat(open.get("upgrades")).isEmpty();

            raw.send("2");
            raw.await(f -> "3".equals(raw(f)), WAIT);
        }
    }

    @Test
    void aConnectWithoutATokenIsRefusedWithConnectError() {
        try (WsTestClient raw = open()) {
            packet(raw, "0");
            raw.send("40");
            assertThat(packet(raw, "44").get("message").asString()).isEqualTo("Authentication failed");
            assertThat(raw.awaitClose(WAIT).code()).isEqualTo(4001);
        }
    }

    @Test
    void aConnectWithATokenIsAcceptedAndWelcomed() {
        try (WsTestClient raw = open()) {
            packet(raw, "0");
            raw.send("40" + MeshJson.write(MeshJson.object().put("token", token("sio-raw", "student"))));
            JsonNode connected = packet(raw, "40");
            JsonNode welcome = packet(raw, "42");
            assertThat(welcome.get(0).asString()).isEqualTo("welcome");
            assertThat(welcome.get(1).get("data").get("sessionId").asString()).isEqualTo(connected.get("sid").asString());
        }
    }

    @Test
    void otherNamespacesMalformedPacketsMissingIdsAndBinaryAttachmentsAreAnsweredAndTheSocketStaysUsable() {
        try (WsTestClient raw = open()) {
            packet(raw, "0");
            raw.send("40" + MeshJson.write(MeshJson.object().put("token", token("sio-raw", "student"))));
            packet(raw, "40");

            raw.send("40/admin,{}");
            assertThat(packet(raw, "44/admin,").get("message").asString()).isEqualTo("Invalid namespace");

            raw.send("4x");
            assertThat(errorEvent(raw).get("code").asString()).isEqualTo("VALIDATION");

            raw.send("421[\"chat:join\",{\"roomId\":\"" + shared.roomId + "\"}]");
            JsonNode noId = packet(raw, "431");
            assertThat(noId.get(0).get("message").asString()).contains("needs data.id");

            raw.send("451-[\"upload\",{\"_placeholder\":true,\"num\":0}]");
            assertThat(errorEvent(raw).get("message").asString()).contains("Binary attachments");

            String id = UUID.randomUUID().toString();
            raw.send("422[\"chat:join\",{\"roomId\":\"" + shared.roomId + "\",\"id\":\"" + id + "\"}]");
            JsonNode ack = packet(raw, "432");
            assertThat(ack.get(0).get("type").asString()).isEqualTo("ack");
            assertThat(ack.get(0).get("ref").asString()).isEqualTo(id);
            assertThat(raw.isOpen()).isTrue();
        }
    }

    @Test
    void longPollingIsRefusedWithTheTransportUnknownError() throws Exception {
        var response = TestMesh.HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        TestMesh.http(shared.gateway1) + "/socket.io/?EIO=4&transport=polling")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"code\":0,\"message\":\"Transport unknown\"}");
    }

    // helpers

    private static WsTestClient open() {
        return WsTestClient.connect("ws://localhost:" + shared.gateway1 + "/socket.io/?EIO=4&transport=websocket");
    }

    /** Waits for a frame starting with {@code prefix} and returns the JSON after it. */
    private static JsonNode packet(WsTestClient raw, String prefix) {
        String text = raw(raw.await(f -> raw(f) != null && raw(f).startsWith(prefix)
                && raw(f).length() > prefix.length() && "[{".indexOf(raw(f).charAt(prefix.length())) >= 0, WAIT));
        return MeshJson.read(text.substring(prefix.length()), JsonNode.class);
    }

    /** The argument of the next {@code error} event. */
    private static JsonNode errorEvent(WsTestClient raw) {
        String text = raw(raw.await(f -> raw(f) != null && raw(f).startsWith("42[\"error\","), WAIT));
        return MeshJson.read(text.substring(2), JsonNode.class).get(1);
    }

    /** Socket.IO frames are not JSON documents: the test client keeps them as text ("3" parses as a number). */
    private static String raw(JsonNode frame) {
        return frame != null && frame.isValueNode() ? frame.asString() : null;
    }
}
