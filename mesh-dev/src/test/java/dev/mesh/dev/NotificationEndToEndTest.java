package dev.mesh.dev;

import static dev.mesh.dev.TestMesh.HTTP;
import static dev.mesh.dev.TestMesh.WAIT;
import static dev.mesh.dev.TestMesh.connectWithHeader;
import static dev.mesh.dev.TestMesh.http;
import static dev.mesh.dev.TestMesh.indexOf;
import static dev.mesh.dev.TestMesh.join;
import static dev.mesh.dev.TestMesh.text;
import static dev.mesh.dev.TestMesh.token;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.wire.StreamTopics;
import dev.mesh.testkit.ws.WsTestClient;

/**
 * Notifications on the whole mesh: a mention posted through one gateway reaches the mentioned
 * user's socket on the other as {@code notification:new} with its seq and the unread count, and
 * a reconnect with {@code notification:sync {sinceSeq}} replays exactly what was missed.
 */
class NotificationEndToEndTest {

    private static TestMesh mesh;

    @BeforeAll
    static void startMesh() {
        mesh = TestMesh.get();
    }

    @Test
    void aMentionReachesTheMentionedUsersSocketAndAReconnectReplaysExactlyWhatWasMissed() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String alan = "alan-" + run;
        String topic = StreamTopics.notificationsUser(alan);
        try (WsTestClient ada = connectWithHeader(mesh.gateway2, "ada-" + run)) {
            join(ada);
            long since;
            try (WsTestClient first = connectWithHeader(mesh.gateway1, alan)) {
                JsonNode synced = first.awaitReply(first.sendCommand("notification:sync", Map.of()), WAIT);
                assertThat(text(synced, "type")).as(synced.toString()).isEqualTo("ack");
                assertThat(synced.get("data").get("lastSeq").asLong()).isZero();

                mention(ada, alan, "live one");
                JsonNode live = first.await(f -> "notification:new".equals(text(f, "type")), WAIT);
                assertThat(text(live, "topic")).isEqualTo(topic);
                assertThat(live.get("seq").asLong()).isEqualTo(1);
                assertThat(text(live.get("data"), "kind")).isEqualTo("mention");
                assertThat(text(live.get("data"), "body")).isEqualTo("live one");
                // The sync sent the count first (0); the mention's count follows.
                JsonNode unread = first.await(f -> "notification:unread".equals(text(f, "type"))
                        && f.get("data").get("count").asLong() == 1, WAIT);
                assertThat(unread.get("seq")).isNull();
                since = live.get("seq").asLong();
            }

            // Away: two more mentions.
            mention(ada, alan, "missed one");
            mention(ada, alan, "missed two");
            // The mentions' acks come from chat-service; notification-service stores them a moment later.
            awaitUnreadCount(alan, 3);

            try (WsTestClient again = connectWithHeader(mesh.gateway2, alan)) {
                String sync = again.sendCommand("notification:sync", Map.of("sinceSeq", since));
                JsonNode ack = again.awaitReply(sync, WAIT);
                assertThat(text(ack, "type")).as(ack.toString()).isEqualTo("ack");
                assertThat(ack.get("data").get("recovered").asBoolean()).isTrue();
                assertThat(ack.get("data").get("lastSeq").asLong()).isEqualTo(3);
                assertThat(ack.get("data").get("unread").asLong()).isEqualTo(3);
                List<JsonNode> frames = again.received();
                List<JsonNode> replayed = frames.stream().filter(f -> "notification:new".equals(text(f, "type"))).toList();
                assertThat(replayed).extracting(f -> f.get("seq").asLong()).containsExactly(2L, 3L);
                assertThat(replayed).extracting(f -> text(f.get("data"), "body")).containsExactly("missed one", "missed two");
                assertThat(indexOf(frames, f -> "notification:new".equals(text(f, "type"))))
                        .isLessThan(indexOf(frames, f -> sync.equals(text(f, "ref"))));

                // Attached from seq 4: the next one is live, and reading everything pushes a zero count.
                mention(ada, alan, "after the resume");
                again.await(f -> "notification:new".equals(text(f, "type")) && f.get("seq").asLong() == 4, WAIT);
                JsonNode read = again.awaitReply(again.sendCommand("notification:read_all", Map.of()), WAIT);
                assertThat(read.get("data").get("updated").asInt()).isEqualTo(4);
                again.await(f -> "notification:unread".equals(text(f, "type")) && f.get("data").get("count").asLong() == 0,
                        WAIT);
            }
        }
    }

    @Test
    void withMeshDevsSmtpSinkAMentionOfAnOfflineUserIsEmailed() throws Exception {
        // As MeshDev runs it: the sink, and notification-service restarted with its SMTP settings (kept for the JVM).
        SmtpSink sink = SmtpSink.start(freePort());
        dev.mesh.testkit.infra.MeshInfra.get().beforeStop(sink::close);
        mesh.mesh.serviceArguments(MeshLauncher.Service.NOTIFICATION, "--spring.mail.host=127.0.0.1",
                "--spring.mail.port=" + sink.port(), "--mesh.notification.email.address-template={userId}@mesh.local");
        mesh.mesh.stopService(MeshLauncher.Service.NOTIFICATION);
        mesh.mesh.startService(MeshLauncher.Service.NOTIFICATION);

        String run = UUID.randomUUID().toString().substring(0, 8);
        String bea = "bea-" + run;
        try (WsTestClient ada = connectWithHeader(mesh.gateway1, "ada-" + run)) {
            join(ada);
            mention(ada, bea, "see you at the quiz");
        }
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> mailsTo(sink, bea + "@mesh.local").size() == 1);
        jakarta.mail.internet.MimeMessage mail = mailsTo(sink, bea + "@mesh.local").getFirst();
        assertThat(mail.getSubject()).isEqualTo("ada-" + run + " mentioned you");
    }

    private static List<jakarta.mail.internet.MimeMessage> mailsTo(SmtpSink sink, String address) {
        return java.util.Arrays.stream(sink.received()).filter(m -> {
            try {
                return java.util.Arrays.stream(m.getAllRecipients()).anyMatch(a -> a.toString().equals(address));
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void awaitUnreadCount(String userId, long expected) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                            URI.create(http(mesh.gateway1) + "/api/notifications/unread-count"))
                    .header("Authorization", "Bearer " + token(userId, "student")).build(),
                    HttpResponse.BodyHandlers.ofString());
            last = response.statusCode() + " " + response.body();
            if (response.statusCode() == 200 && MeshJson.read(response.body(), JsonNode.class).get("count").asLong() == expected) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(userId + " never had " + expected + " unread notifications; last answer: " + last);
    }

    private static void mention(WsTestClient author, String userId, String content) {
        JsonNode ack = author.awaitReply(author.sendCommand("chat:message",
                Map.of("roomId", mesh.roomId, "content", content, "mentions", List.of(userId))), WAIT);
        assertThat(text(ack, "type")).as(ack.toString()).isEqualTo("ack");
    }
}
