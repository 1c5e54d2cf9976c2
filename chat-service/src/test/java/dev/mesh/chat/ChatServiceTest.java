package dev.mesh.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.CommandEnvelope;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.testkit.auth.TokenIssuer;
import dev.mesh.testkit.infra.MeshInfra;
import dev.mesh.testkit.kafka.TopicConsumers;

/**
 * chat-service against real Kafka and PostgreSQL: HTTP as a browser would call it through
 * the gateway, commands as the gateway writes them, and deliveries read the way a gateway
 * reads them (all partitions, from the end, no group).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.config.name=" + ChatServiceApplication.CONFIG_NAME)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChatServiceTest {

    private static final TokenIssuer ISSUER = new TokenIssuer(0);
    private static final MeshInfra.Database DB = MeshInfra.get().database("chat_test");
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static final UserRef ADA = new UserRef("u-ada", "Ada", List.of("instructor"));
    private static final UserRef ALAN = new UserRef("u-alan", "Alan", List.of("student"));
    private static final UserRef BARBARA = new UserRef("u-barbara", "Barbara", List.of("student"));

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        MeshInfra.get().serviceProperties(DB).forEach((key, value) -> registry.add(key, () -> value));
        registry.add("mesh.security.issuer", ISSUER::issuerUri);
        // The first command of a cold JVM warms the connection pool; 2 s would make that flaky, not faster.
        registry.add("mesh.commands.apply-timeout", () -> "10s");
    }

    @LocalServerPort
    int port;

    private WebTestClient http;
    private KafkaProducer<String, String> commands;
    private KafkaConsumer<String, String> deliveriesConsumer;
    private final List<Delivery> deliveries = new ArrayList<>();

    @BeforeAll
    void connect() {
        http = WebTestClient.bindToServer().baseUrl("http://localhost:" + port).responseTimeout(WAIT).build();
        commands = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, MeshInfra.get().kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
        // As a gateway does: every partition, from the end, before anything is sent.
        deliveriesConsumer = TopicConsumers.fromEnd(Topics.GATEWAY_DELIVERIES);
    }

    @AfterAll
    void disconnect() {
        commands.close();
        deliveriesConsumer.close();
        ISSUER.close();
    }

    @Test
    void anInstructorCreatesARoomAndAStudentMayNot() {
        JsonNode room = createRoom(ADA, "Algebra", "public");
        assertThat(room.get("name").asString()).isEqualTo("Algebra");
        assertThat(room.get("type").asString()).isEqualTo("public");
        assertThat(room.get("maxMembers").asInt()).isEqualTo(100);
        assertThat(room.get("createdBy").asString()).isEqualTo(ADA.id());

        http.post().uri("/api/chat/rooms")
                .header(HttpHeaders.AUTHORIZATION, bearer(ALAN))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "Mine", "type", "public"))
                .exchange()
                .expectStatus().isForbidden()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo("FORBIDDEN");

        http.get().uri("/api/chat/rooms/{id}", room.get("id").asString())
                .header(HttpHeaders.AUTHORIZATION, bearer(ALAN))
                .exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.name").isEqualTo("Algebra");
        http.get().uri("/api/chat/rooms/{id}", "no-such-room")
                .header(HttpHeaders.AUTHORIZATION, bearer(ALAN))
                .exchange()
                .expectStatus().isNotFound()
                .expectBody().jsonPath("$.code").isEqualTo("NOT_FOUND");
        http.get().uri("/api/chat/rooms").exchange().expectStatus().isUnauthorized();
    }

    @Test
    void aJoinAnnouncesTheNewMemberAttachesTheSessionAndAnswersWithTheSnapshot() {
        String roomId = createRoom(ADA, "Physics", "public").get("id").asString();

        String joinId = send(ALAN, "s-alan-1", roomId, "chat:join", Map.of("roomId", roomId));
        Delivery.Reply ack = awaitReply(joinId, "s-alan-1");

        assertThat(ack.ok()).isTrue();
        JsonNode data = ack.data();
        assertThat(data.get("room").get("id").asString()).isEqualTo(roomId);
        assertThat(data.get("members").asInt()).isEqualTo(2);
        assertThat(data.get("lastSeq").asLong()).isEqualTo(1);
        assertThat(data.get("recovered").asBoolean()).isTrue();
        assertThat(data.get("messages").isArray()).isTrue();
        assertThat(data.get("messages")).isEmpty();
        int replyAt = indexOf(d -> d.reply() != null && joinId.equals(d.reply().ref()));
        int joinedAt = indexOf(d -> isEvent(d, "chat:user_joined", roomId, 1));
        int attachAt = indexOf(d -> d.attach() != null && d.attach().topic().equals("chat:room:" + roomId)
                && d.attach().sessionId().equals("s-alan-1"));
        assertThat(joinedAt).isNotNegative().isLessThan(attachAt);
        assertThat(attachAt).isLessThan(replyAt);
        assertThat(deliveries.get(attachAt).attach().fromSeq()).isEqualTo(2);

        // A reconnect: already a member, so nothing is announced and the seq does not move.
        String again = send(ALAN, "s-alan-2", roomId, "chat:join", Map.of("roomId", roomId));
        assertThat(awaitReply(again, "s-alan-2").data().get("lastSeq").asLong()).isEqualTo(1);
    }

    @Test
    void aMessageGoesToTheRoomBeforeItsAckAndARetryChangesNothing() throws SQLException {
        String roomId = createRoom(ADA, "Chemistry", "public").get("id").asString();
        awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan");

        Map<String, Object> hello = Map.of("roomId", roomId, "content", "  hello  ");
        String messageId = send(ALAN, "s-alan", roomId, "chat:message", hello);
        Delivery.Reply ack = awaitReply(messageId, "s-alan");

        assertThat(ack.ok()).isTrue();
        long seq = ack.data().get("seq").asLong();
        assertThat(seq).isEqualTo(2);
        int eventAt = indexOf(d -> isEvent(d, "chat:message", roomId, seq));
        assertThat(eventAt).isNotNegative().isLessThan(indexOf(d -> d.reply() != null && messageId.equals(d.reply().ref())));
        JsonNode event = deliveries.get(eventAt).event().data();
        assertThat(event.get("content").asString()).isEqualTo("hello");
        assertThat(event.get("clientRef").asString()).isEqualTo(messageId);
        assertThat(event.get("messageId").asString()).isEqualTo(ack.data().get("messageId").asString());

        // The client reconnected elsewhere and retries: the first result, at its new address.
        send(ALAN, "s-alan-new", roomId, "chat:message", hello, messageId);
        assertThat(awaitReply(messageId, "s-alan-new").data()).isEqualTo(ack.data());
        assertThat(messageRows(roomId)).isEqualTo(1);

        send(ALAN, "s-alan-new", roomId, "chat:message", Map.of("roomId", roomId, "content", "other"), messageId);
        Delivery.Reply conflict = awaitReply(messageId, "s-alan-new", 2);
        assertThat(conflict.ok()).isFalse();
        assertThat(conflict.code()).isEqualTo("CONFLICT");
        assertThat(messageRows(roomId)).isEqualTo(1);
    }

    @Test
    void rejectionsComeAsErrorsWithTheirCode() {
        String roomId = createRoom(ADA, "Biology", "public").get("id").asString();
        awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan");

        Delivery.Reply empty = awaitReply(send(ALAN, "s-alan", roomId, "chat:message",
                Map.of("roomId", roomId, "content", "   ")), "s-alan");
        assertThat(empty.ok()).isFalse();
        assertThat(empty.code()).isEqualTo("VALIDATION");

        Delivery.Reply notMember = awaitReply(send(BARBARA, "s-barbara", roomId, "chat:message",
                Map.of("roomId", roomId, "content", "hi")), "s-barbara");
        assertThat(notMember.code()).isEqualTo("FORBIDDEN");

        String missing = "no-room-" + UUID.randomUUID();
        Delivery.Reply notFound = awaitReply(send(ALAN, "s-alan", missing, "chat:join", Map.of("roomId", missing)), "s-alan");
        assertThat(notFound.code()).isEqualTo("NOT_FOUND");

        String privateRoom = createRoom(ADA, "Staff", "private").get("id").asString();
        Delivery.Reply closed = awaitReply(send(ALAN, "s-alan", privateRoom, "chat:join", Map.of("roomId", privateRoom)), "s-alan");
        assertThat(closed.code()).isEqualTo("FORBIDDEN");
    }

    @Test
    void aResumeReplaysTheMissedMessagesToTheSessionBeforeItsAckAndHistoryPagesOverHttp() {
        String roomId = createRoom(ADA, "History", "public").get("id").asString();
        // Ada is the owner: her join announces nothing, so the room's seqs are the messages'.
        awaitReply(send(ADA, "s-ada", roomId, "chat:join", Map.of("roomId", roomId)), "s-ada");
        for (int i = 1; i <= 3; i++) {
            assertThat(awaitReply(send(ADA, "s-ada", roomId, "chat:message",
                    Map.of("roomId", roomId, "content", "m" + i)), "s-ada").ok()).isTrue();
        }

        String resume = send(ADA, "s-ada-2", roomId, "chat:join", Map.of("roomId", roomId, "sinceSeq", 1));
        Delivery.Reply ack = awaitReply(resume, "s-ada-2");
        assertThat(ack.data().get("recovered").asBoolean()).isTrue();
        assertThat(ack.data().get("lastSeq").asLong()).isEqualTo(3);
        assertThat(ack.data().has("messages")).isFalse();
        List<Long> replayed = deliveries.stream()
                .filter(d -> d.event() != null && d.audience().kind() == Delivery.Audience.Kind.session
                        && "s-ada-2".equals(d.audience().id()))
                .map(d -> d.event().seq())
                .toList();
        assertThat(replayed).containsExactly(2L, 3L);

        http.get().uri("/api/chat/rooms/{id}/messages?afterSeq=1&limit=1", roomId)
                .header(HttpHeaders.AUTHORIZATION, bearer(BARBARA))
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.items.length()").isEqualTo(1)
                .jsonPath("$.items[0].seq").isEqualTo(2)
                .jsonPath("$.items[0].content").isEqualTo("m2")
                .jsonPath("$.hasMore").isEqualTo(true);
        http.get().uri("/api/chat/rooms/{id}/messages", roomId)
                .header(HttpHeaders.AUTHORIZATION, bearer(BARBARA))
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.items[*].seq").isEqualTo(List.of(1, 2, 3))
                .jsonPath("$.hasMore").isEqualTo(false);
        http.get().uri("/api/chat/rooms/{id}/messages?limit=201", roomId)
                .header(HttpHeaders.AUTHORIZATION, bearer(BARBARA))
                .exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.code").isEqualTo("VALIDATION");

        String privateRoom = createRoom(ADA, "Private history", "private").get("id").asString();
        http.get().uri("/api/chat/rooms/{id}/messages", privateRoom)
                .header(HttpHeaders.AUTHORIZATION, bearer(BARBARA))
                .exchange()
                .expectStatus().isForbidden();
        http.get().uri("/api/chat/rooms")
                .header(HttpHeaders.AUTHORIZATION, bearer(ADA))
                .exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.items[?(@.id == '" + privateRoom + "')]").exists();
    }

    // --- helpers

    private JsonNode createRoom(UserRef creator, String name, String type) {
        byte[] body = http.post().uri("/api/chat/rooms")
                .header(HttpHeaders.AUTHORIZATION, bearer(creator))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", name, "type", type))
                .exchange()
                .expectStatus().isCreated()
                .expectHeader().value(HttpHeaders.LOCATION, location -> assertThat(location).startsWith("/api/chat/rooms/"))
                .expectBody().returnResult().getResponseBody();
        JsonNode room = MeshJson.read(new String(body, java.nio.charset.StandardCharsets.UTF_8), JsonNode.class);
        assertThat(UUID.fromString(room.get("id").asString()).version()).isEqualTo(7);
        return room;
    }

    private String bearer(UserRef user) {
        return "Bearer " + ISSUER.token(user.id(), user.name(), user.roles());
    }

    private String send(UserRef user, String sessionId, String key, String type, Object data) {
        return send(user, sessionId, key, type, data, UUID.randomUUID().toString());
    }

    /** A command as the gateway writes it: keyed by its stream, replying to a session of instance gw-test. */
    private String send(UserRef user, String sessionId, String key, String type, Object data, String commandId) {
        CommandEnvelope envelope = new CommandEnvelope(commandId, type, MeshJson.tree(data), user,
                new CommandEnvelope.ReplyTo("gw-test", sessionId), System.currentTimeMillis());
        try {
            commands.send(new ProducerRecord<>(Topics.CHAT_COMMANDS, key, MeshJson.write(envelope))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return commandId;
    }

    private Delivery.Reply awaitReply(String ref, String sessionId) {
        return awaitReply(ref, sessionId, 1);
    }

    /** The {@code nth} reply to a command at a session; every delivery read on the way is kept. */
    private Delivery.Reply awaitReply(String ref, String sessionId, int nth) {
        Predicate<Delivery> isReply = d -> d.reply() != null && ref.equals(d.reply().ref())
                && sessionId.equals(d.reply().sessionId());
        await().atMost(WAIT).until(() -> {
            for (ConsumerRecord<String, String> record : deliveriesConsumer.poll(Duration.ofMillis(100))) {
                deliveries.add(MeshJson.read(record.value(), Delivery.class));
            }
            return deliveries.stream().filter(isReply).count() >= nth;
        });
        return deliveries.stream().filter(isReply).skip(nth - 1).findFirst().map(Delivery::reply).orElseThrow();
    }

    private int indexOf(Predicate<Delivery> what) {
        for (int i = 0; i < deliveries.size(); i++) {
            if (what.test(deliveries.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isEvent(Delivery d, String type, String roomId, long seq) {
        return Optional.ofNullable(d.event())
                .filter(e -> e.type().equals(type) && ("chat:room:" + roomId).equals(e.topic())
                        && e.seq() != null && e.seq() == seq)
                .isPresent();
    }

    private static int messageRows(String roomId) throws SQLException {
        try (Connection connection = DriverManager.getConnection(DB.jdbcUrl(), DB.username(), DB.password());
             PreparedStatement query = connection.prepareStatement("SELECT count(*) FROM chat_messages WHERE room_id = ?")) {
            query.setString(1, roomId);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
