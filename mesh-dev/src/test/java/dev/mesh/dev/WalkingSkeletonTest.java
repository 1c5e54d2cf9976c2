package dev.mesh.dev;

import static dev.mesh.dev.TestMesh.HTTP;
import static dev.mesh.dev.TestMesh.WAIT;
import static dev.mesh.dev.TestMesh.connectWithAuthFrame;
import static dev.mesh.dev.TestMesh.connectWithHeader;
import static dev.mesh.dev.TestMesh.http;
import static dev.mesh.dev.TestMesh.indexOf;
import static dev.mesh.dev.TestMesh.isMessage;
import static dev.mesh.dev.TestMesh.join;
import static dev.mesh.dev.TestMesh.post;
import static dev.mesh.dev.TestMesh.storedMessages;
import static dev.mesh.dev.TestMesh.text;
import static dev.mesh.dev.TestMesh.token;
import static dev.mesh.dev.TestMesh.ws;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.testkit.auth.TokenIssuer;
import dev.mesh.testkit.ws.WsTestClient;
import dev.mesh.testkit.ws.WsUpgradeRejected;

/**
 * The walking skeleton end to end, on real Kafka, real PostgreSQL and real sockets: the four
 * services and two gateway instances in this JVM, clients on both gateways.
 */
class WalkingSkeletonTest {

    private static TokenIssuer issuer;
    private static MeshLauncher mesh;
    private static int gateway1;
    private static int gateway2;
    private static String roomId;
    private static int quickGateway;

    @BeforeAll
    static void startMesh() {
        TestMesh shared = TestMesh.get();
        issuer = shared.issuer;
        mesh = shared.mesh;
        gateway1 = shared.gateway1;
        gateway2 = shared.gateway2;
        roomId = shared.roomId;
    }

    @Test
    void aMessageReachesClientsOnBothGatewaysWithOneSeqAndTheSenderGetsItsAck() {
        try (WsTestClient alan = connectWithHeader(gateway1, "alan");
             WsTestClient barbara = connectWithAuthFrame(gateway2, "barbara")) {
            join(alan);
            join(barbara);

            String id = alan.sendCommand("chat:message", Map.of("roomId", roomId, "content", "hello from gateway 1"));

            JsonNode atAlan = alan.await(f -> isMessage(f, "hello from gateway 1"), WAIT);
            JsonNode ack = alan.awaitReply(id, WAIT);
            JsonNode atBarbara = barbara.await(f -> isMessage(f, "hello from gateway 1"), WAIT);
            assertThat(ack.get("type").asString()).isEqualTo("ack");
            long seq = ack.get("data").get("seq").asLong();
            assertThat(atAlan.get("seq").asLong()).isEqualTo(seq);
            assertThat(atBarbara.get("seq").asLong()).isEqualTo(seq);
            assertThat(atAlan.get("topic").asString()).isEqualTo("chat:room:" + roomId);
            assertThat(atAlan.get("data").get("clientRef").asString()).isEqualTo(id);
            // The event to the sender comes before its ack.
            List<JsonNode> seen = alan.received();
            assertThat(indexOf(seen, f -> isMessage(f, "hello from gateway 1")))
                    .isLessThan(indexOf(seen, f -> id.equals(text(f, "ref"))));
        }
    }

    @Test
    void aCommandSentWhileChatServiceIsDownIsAppliedOnceAfterItsRestart() throws Exception {
        try (WsTestClient alan = connectWithHeader(gateway1, "alan");
             WsTestClient barbara = connectWithHeader(gateway2, "barbara")) {
            join(alan);
            join(barbara);

            mesh.stopService(MeshLauncher.Service.CHAT);
            String id = alan.sendCommand("chat:message", Map.of("roomId", roomId, "content", "sent during the outage"));
            Thread.sleep(1500);
            assertThat(alan.received()).noneMatch(f -> id.equals(text(f, "ref")));

            mesh.startService(MeshLauncher.Service.CHAT);

            JsonNode ack = alan.awaitReply(id, Duration.ofSeconds(90));
            assertThat(ack.get("type").asString()).as(ack.toString()).isEqualTo("ack");
            JsonNode atBarbara = barbara.await(f -> isMessage(f, "sent during the outage"), WAIT);
            assertThat(atBarbara.get("seq").asLong()).isEqualTo(ack.get("data").get("seq").asLong());
            assertThat(storedMessages(id)).isEqualTo(1);
        }
    }

    @Test
    void aRetryWithTheSameIdGetsTheSameResultAtTheNewSessionAndStoresNothingNew() throws Exception {
        String id = UUID.randomUUID().toString();
        Map<String, Object> frame = Map.of("type", "chat:message", "id", id,
                "data", Map.of("roomId", roomId, "content", "exactly once"));
        JsonNode first;
        try (WsTestClient alan = connectWithHeader(gateway1, "alan")) {
            join(alan);
            alan.send(frame);
            first = alan.awaitReply(id, WAIT);
        }
        try (WsTestClient alanElsewhere = connectWithHeader(gateway2, "alan")) {
            alanElsewhere.send(frame);
            JsonNode again = alanElsewhere.awaitReply(id, WAIT);
            assertThat(again.get("type").asString()).isEqualTo("ack");
            assertThat(again.get("data")).isEqualTo(first.get("data"));

            alanElsewhere.send(Map.of("type", "chat:message", "id", id,
                    "data", Map.of("roomId", roomId, "content", "something else")));
            JsonNode conflict = alanElsewhere.awaitReply(id, WAIT);
            assertThat(text(conflict, "code")).isEqualTo("CONFLICT");
        }
        assertThat(storedMessages(id)).isEqualTo(1);
    }

    @Nested
    class BadInputIsAnsweredAndTheSocketStaysUsable {

        @Test
        void notJsonUnknownTypeMissingIdAndBadDataEachGetAValidationError() {
            try (WsTestClient alan = connectWithHeader(gateway1, "alan")) {
                alan.send("this is not json");
                assertThat(text(alan.await(f -> "error".equals(text(f, "type")), WAIT), "code")).isEqualTo("VALIDATION");

                alan.send(Map.of("type", "chat:fly", "id", "u-1", "data", Map.of()));
                JsonNode unknown = alan.awaitReply("u-1", WAIT);
                assertThat(text(unknown, "code")).isEqualTo("VALIDATION");

                alan.send(Map.of("type", "quiz:tick", "id", "u-2", "data", Map.of("sessionId", "s")));
                assertThat(text(alan.awaitReply("u-2", WAIT), "code")).as("internal commands cannot be forged").isEqualTo("VALIDATION");

                alan.send(Map.of("type", "chat:message", "data", Map.of("roomId", roomId, "content", "no id")));
                JsonNode noId = alan.await(f -> "error".equals(text(f, "type")) && text(f, "message").contains("needs an id"), WAIT);
                assertThat(text(noId, "code")).isEqualTo("VALIDATION");

                alan.send(Map.of("type", "chat:message", "id", "u-3", "data", "not an object"));
                assertThat(text(alan.awaitReply("u-3", WAIT), "code")).isEqualTo("VALIDATION");

                String empty = alan.sendCommand("chat:message", Map.of("roomId", roomId, "content", "   "));
                assertThat(text(alan.awaitReply(empty, WAIT), "code")).isEqualTo("VALIDATION");

                // Still usable: a good command gets its ack.
                String join = alan.sendCommand("chat:join", Map.of("roomId", roomId));
                assertThat(text(alan.awaitReply(join, WAIT), "type")).isEqualTo("ack");
                assertThat(alan.isOpen()).isTrue();
            }
        }

        @Test
        void aFrameOverSixtyFourKilobytesClosesWith1009() {
            try (WsTestClient alan = connectWithHeader(gateway1, "alan")) {
                alan.send("{\"type\":\"chat:message\",\"id\":\"big\",\"data\":{\"content\":\"" + "x".repeat(70_000) + "\"}}");
                assertThat(alan.awaitClose(WAIT).code()).isEqualTo(1009);
            }
        }

        @Test
        void aBinaryFrameClosesWith1003() {
            try (WsTestClient alan = connectWithHeader(gateway1, "alan")) {
                alan.sendBinary(new byte[] {1, 2, 3});
                assertThat(alan.awaitClose(WAIT).code()).isEqualTo(1003);
            }
        }
    }

    @Nested
    class Authentication {

        @Test
        void noTokenWithinTheDeadlineClosesWith4001AndNeverWelcomes() {
            try (WsTestClient anonymous = WsTestClient.connect(ws(gateway1))) {
                assertThat(anonymous.awaitClose(Duration.ofSeconds(15)).code()).isEqualTo(4001);
                assertThat(anonymous.received()).noneMatch(f -> "welcome".equals(text(f, "type")));
            }
        }

        @Test
        void aFrameBeforeAuthClosesWith4001() {
            try (WsTestClient anonymous = WsTestClient.connect(ws(gateway1))) {
                anonymous.sendCommand("chat:join", Map.of("roomId", roomId));
                assertThat(anonymous.awaitClose(WAIT).code()).isEqualTo(4001);
            }
        }

        @Test
        void expiredForgedWrongIssuerAndWrongAudienceTokensAreRefused() {
            List<String> bad = List.of(
                    issuer.forUser("alan", "alan", List.of("student")).ttl(Duration.ofMinutes(-5)).sign(),
                    issuer.forUser("alan", "alan", List.of("student")).signedWithUnknownKey().sign(),
                    issuer.forUser("alan", "alan", List.of("student")).issuer("http://elsewhere.invalid").sign(),
                    issuer.forUser("alan", "alan", List.of("student")).audience("someone-else").sign());
            for (String token : bad) {
                try (WsTestClient viaHeader = WsTestClient.connect(ws(gateway1), Map.of("Authorization", "Bearer " + token));
                     WsTestClient viaFrame = WsTestClient.connect(ws(gateway2))) {
                    viaFrame.send(Map.of("type", "auth", "data", Map.of("token", token)));
                    assertThat(viaHeader.awaitClose(WAIT).code()).isEqualTo(4001);
                    assertThat(viaFrame.awaitClose(WAIT).code()).isEqualTo(4001);
                    assertThat(viaHeader.received()).noneMatch(f -> "welcome".equals(text(f, "type")));
                    assertThat(viaFrame.received()).noneMatch(f -> "welcome".equals(text(f, "type")));
                }
            }
        }

        @Test
        void aBrowserFromAnOriginNotAllowedIsRefusedWith403() {
            assertThatThrownBy(() -> WsTestClient.connect(ws(gateway1), Map.of("Origin", "http://evil.example")))
                    .isInstanceOfSatisfying(WsUpgradeRejected.class, e -> assertThat(e.status()).isEqualTo(403));
            try (WsTestClient allowed = WsTestClient.connect(ws(gateway1), Map.of("Origin", "http://localhost:8000"))) {
                allowed.send(Map.of("type", "auth", "data", Map.of("token", token("alan", "student"))));
                allowed.await(f -> "welcome".equals(text(f, "type")), WAIT);
            }
        }

        @Test
        void theHttpApiNeedsATokenAndTheRightRole() throws Exception {
            HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(URI.create(http(gateway1) + "/api/chat/rooms")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            HttpResponse<String> student = post(gateway2, "/api/chat/rooms", token("alan", "student"),
                    "{\"name\":\"Mine\",\"type\":\"public\"}");
            assertThat(student.statusCode()).isEqualTo(403);
            assertThat(MeshJson.read(student.body(), JsonNode.class).get("code").asString()).isEqualTo("FORBIDDEN");
        }
    }

    /**
     * Session life on a third gateway with short timers (heartbeat 1 s, idle 3 s) and a limit of
     * two sockets per address, so the timers can be observed without waiting minutes.
     */
    @Nested
    class SessionLife {

        @Test
        void theServerPingsAndASilentClientIsClosedWhileOneThatAnswersStays() throws Exception {
            int quick = quickGateway();
            try (WsTestClient silent = connectWithHeader(quick, "edsger");
                 WsTestClient lively = connectWithHeader(quick, "margaret")) {
                lively.await(f -> "ping".equals(text(f, "type")), WAIT);
                for (int i = 0; i < 6; i++) {
                    lively.send(Map.of("type", "pong"));
                    Thread.sleep(700);
                }
                assertThat(silent.awaitClose(WAIT).code()).isEqualTo(1000);
                assertThat(lively.isOpen()).isTrue();
            }
        }

        @Test
        void aTokenThatExpiresClosesWith4001UnlessRefreshedInBandByTheSameUser() {
            String shortLived = issuer.forUser("alan", "alan", List.of("student")).ttl(Duration.ofSeconds(2)).sign();
            try (WsTestClient expiring = WsTestClient.connect(ws(gateway1), Map.of("Authorization", "Bearer " + shortLived));
                 WsTestClient refreshed = WsTestClient.connect(ws(gateway1), Map.of("Authorization", "Bearer " + shortLived));
                 WsTestClient hijacked = WsTestClient.connect(ws(gateway2), Map.of("Authorization", "Bearer " + shortLived))) {
                expiring.await(f -> "welcome".equals(text(f, "type")), WAIT);
                refreshed.await(f -> "welcome".equals(text(f, "type")), WAIT);
                hijacked.await(f -> "welcome".equals(text(f, "type")), WAIT);

                refreshed.send(Map.of("type", "auth", "data", Map.of("token", token("alan", "student"))));
                hijacked.send(Map.of("type", "auth", "data", Map.of("token", token("barbara", "student"))));

                assertThat(hijacked.awaitClose(WAIT).code()).as("a token for another user").isEqualTo(4003);
                assertThat(expiring.awaitClose(WAIT).code()).isEqualTo(4001);
                String id = refreshed.sendCommand("chat:join", Map.of("roomId", roomId));
                assertThat(text(refreshed.awaitReply(id, WAIT), "type")).isEqualTo("ack");
                assertThat(refreshed.isOpen()).isTrue();
            }
        }

        @Test
        void anAddressOverItsConnectionLimitIsClosedWith1013() {
            int quick = quickGateway();
            try (WsTestClient first = connectWithHeader(quick, "alan");
                 WsTestClient second = connectWithHeader(quick, "barbara");
                 WsTestClient third = WsTestClient.connect(ws(quick))) {
                assertThat(third.awaitClose(WAIT).code()).isEqualTo(1013);
                assertThat(first.isOpen()).isTrue();
                assertThat(second.isOpen()).isTrue();
            }
        }
    }

    @Test
    void aGatewayThatShutsDownTellsItsClientsToReconnectAndClosesWith1012() {
        ConfigurableApplicationContext draining = mesh.startGateway("gateway-draining", 0);
        try (WsTestClient alan = connectWithHeader(MeshLauncher.localPort(draining), "alan")) {
            mesh.stopGateway(draining);
            JsonNode reconnect = alan.await(f -> "reconnect".equals(text(f, "type")), WAIT);
            assertThat(reconnect.get("data").get("afterMs").asLong()).isBetween(0L, 2000L);
            assertThat(alan.awaitClose(WAIT).code()).isEqualTo(1012);
        }
    }

    @Test
    void aUserOverTheMessageRateIsToldWhenToRetryAndAConnectionThatKeepsFloodingIsClosedWith1008() {
        ConfigurableApplicationContext limited = mesh.startGateway("gateway-limited", 0,
                "--mesh.gateway.rate-limits.user-message-burst=3",
                "--mesh.gateway.rate-limits.connection-burst=20",
                "--mesh.gateway.rate-limits.connection-per-second=1",
                "--mesh.gateway.rate-limits.flood-factor=1");
        try (WsTestClient alan = connectWithHeader(MeshLauncher.localPort(limited), "alan")) {
            join(alan);
            for (int i = 0; i < 3; i++) {
                String id = alan.sendCommand("chat:message", Map.of("roomId", roomId, "content", "within budget " + i));
                assertThat(text(alan.awaitReply(id, WAIT), "type")).isEqualTo("ack");
            }
            String over = alan.sendCommand("chat:message", Map.of("roomId", roomId, "content", "one too many"));
            JsonNode limitedReply = alan.awaitReply(over, WAIT);
            assertThat(text(limitedReply, "code")).isEqualTo("RATE_LIMITED");
            assertThat(limitedReply.get("data").get("retryAfterMs").asLong()).isPositive();

            // A minute's budget here is 60 + 20 frames; a flood is more than that (factor 1) within the minute.
            for (int i = 0; i < 100 && alan.isOpen(); i++) {
                alan.send(Map.of("type", "presence:activity"));
            }
            assertThat(alan.awaitClose(WAIT).code()).isEqualTo(1008);
        } finally {
            mesh.stopGateway(limited);
        }
    }

    @Test
    void anAdminDisconnectsAUserOnEveryGatewayWith4003AndNobodyElseMay() throws Exception {
        String revoked = "revoked-" + UUID.randomUUID().toString().substring(0, 8);
        try (WsTestClient phone = connectWithHeader(gateway1, revoked);
             WsTestClient laptop = connectWithHeader(gateway2, revoked);
             WsTestClient bystander = connectWithHeader(gateway2, "barbara")) {
            HttpResponse<String> denied = post(gateway1, "/api/admin/users/" + revoked + "/disconnect",
                    token("alan", "student"), "");
            assertThat(denied.statusCode()).isEqualTo(403);

            HttpResponse<String> accepted = post(gateway1, "/api/admin/users/" + revoked + "/disconnect",
                    token("grace", "admin"), "");
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            assertThat(phone.awaitClose(WAIT).code()).isEqualTo(4003);
            assertThat(laptop.awaitClose(WAIT).code()).as("on the other instance too").isEqualTo(4003);
            assertThat(bystander.isOpen()).isTrue();

            HttpResponse<String> stats = HTTP.send(HttpRequest.newBuilder(URI.create(http(gateway2) + "/api/admin/stats"))
                    .header("Authorization", "Bearer " + token("grace", "admin")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(stats.statusCode()).isEqualTo(200);
            JsonNode figures = MeshJson.read(stats.body(), JsonNode.class);
            assertThat(figures.get("instanceId").asString()).isEqualTo("gateway-b");
            assertThat(figures.get("connections").asInt()).isPositive();
        }
    }

    private static synchronized int quickGateway() {
        if (quickGateway == 0) {
            quickGateway = MeshLauncher.localPort(mesh.startGateway("gateway-quick", 0,
                    "--mesh.gateway.heartbeat-interval=1s", "--mesh.gateway.idle-timeout=3s",
                    "--mesh.gateway.max-connections-per-address=2"));
        }
        return quickGateway;
    }

    @Test
    void everyAppReportsLivenessReadinessAndPrometheusMetrics() throws Exception {
        for (MeshLauncher.Service service : MeshLauncher.Service.values()) {
            int port = mesh.servicePort(service);
            for (String path : List.of("/actuator/health/liveness", "/actuator/health/readiness", "/actuator/prometheus")) {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(http(port) + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(service + path).isEqualTo(200);
            }
        }
        for (int port : List.of(gateway1, gateway2)) {
            HttpResponse<String> readiness = HTTP.send(HttpRequest.newBuilder(
                    URI.create(http(port) + "/actuator/health/readiness")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(readiness.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aCommandAboutSomethingThatDoesNotExistIsAnsweredNotDropped() {
        try (WsTestClient ada = connectWithHeader(gateway1, "ada")) {
            String id = ada.sendCommand("quiz:host", Map.of("quizId", "no-such-quiz"));
            JsonNode reply = ada.awaitReply(id, WAIT);
            assertThat(text(reply, "type")).isEqualTo("error");
            assertThat(text(reply, "code")).isEqualTo("NOT_FOUND");
            assertThat(text(reply, "message")).isEqualTo("No such quiz");
        }
    }
}
