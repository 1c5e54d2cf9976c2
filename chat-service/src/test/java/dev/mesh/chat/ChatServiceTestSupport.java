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
import dev.mesh.contracts.kafka.DomainEvents;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.testkit.auth.TokenIssuer;
import dev.mesh.testkit.infra.MeshInfra;
import dev.mesh.testkit.kafka.TopicConsumers;

/**
 * What every chat-service integration test needs: the service against real Kafka and
 * PostgreSQL, HTTP as a browser would call it through the gateway, commands as the gateway
 * writes them, and deliveries read the way a gateway reads them (all partitions, from the
 * end, no group). Subclasses share one Spring context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.config.name=" + ChatServiceApplication.CONFIG_NAME)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ChatServiceTestSupport {


    static final TokenIssuer ISSUER = new TokenIssuer(0);

    static {
        MeshInfra.get().beforeStop(ISSUER::close);
    }
    static final MeshInfra.Database DB = MeshInfra.get().database("chat_test");
    static final Duration WAIT = Duration.ofSeconds(30);

    static final UserRef ADA = new UserRef("u-ada", "Ada", List.of("instructor"));
    static final UserRef ALAN = new UserRef("u-alan", "Alan", List.of("student"));
    static final UserRef BARBARA = new UserRef("u-barbara", "Barbara", List.of("student"));

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        MeshInfra.get().serviceProperties(DB).forEach((key, value) -> registry.add(key, () -> value));
        registry.add("mesh.security.issuer", ISSUER::issuerUri);
        // The first command of a cold JVM warms the connection pool; 2 s would make that flaky, not faster.
        registry.add("mesh.commands.apply-timeout", () -> "10s");
        // The typing test sends its refreshes back to back; a long interval keeps it independent of timing.
        registry.add("mesh.chat.typing-interval", () -> "1h");
    }

    @LocalServerPort
    int port;

    WebTestClient http;
    KafkaProducer<String, String> commands;
    KafkaConsumer<String, String> deliveriesConsumer;
    final List<Delivery> deliveries = new ArrayList<>();
    KafkaConsumer<String, String> chatEventsConsumer;
    final List<JsonNode> chatEvents = new ArrayList<>();

    @BeforeAll
    void connect() {
        http = WebTestClient.bindToServer().baseUrl("http://localhost:" + port).responseTimeout(WAIT).build();
        commands = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, MeshInfra.get().kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
        // As a gateway does: every partition, from the end, before anything is sent.
        deliveriesConsumer = TopicConsumers.fromEnd(Topics.GATEWAY_DELIVERIES);
        chatEventsConsumer = TopicConsumers.fromEnd(Topics.CHAT_EVENTS);
    }

    @AfterAll
    void disconnect() {
        commands.close();
        deliveriesConsumer.close();
        chatEventsConsumer.close();
    }

    // --- helpers

    JsonNode createRoom(UserRef creator, String name, String type) {
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

    String bearer(UserRef user) {
        return "Bearer " + ISSUER.token(user.id(), user.name(), user.roles());
    }

    String send(UserRef user, String sessionId, String key, String type, Object data) {
        return send(user, sessionId, key, type, data, UUID.randomUUID().toString());
    }

    /** A command as the gateway writes it: keyed by its stream, replying to a session of instance gw-test. */
    String send(UserRef user, String sessionId, String key, String type, Object data, String commandId) {
        CommandEnvelope envelope = new CommandEnvelope(commandId, type, MeshJson.tree(data), user,
                new CommandEnvelope.ReplyTo("gw-test", sessionId), System.currentTimeMillis());
        try {
            commands.send(new ProducerRecord<>(Topics.CHAT_COMMANDS, key, MeshJson.write(envelope))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return commandId;
    }

    Delivery.Reply awaitReply(String ref, String sessionId) {
        return awaitReply(ref, sessionId, 1);
    }

    /** The {@code nth} reply to a command at a session; every delivery read on the way is kept. */
    Delivery.Reply awaitReply(String ref, String sessionId, int nth) {
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

    /** Reads deliveries until one matches; returns the last match read. */
    Delivery awaitDelivery(Predicate<Delivery> what) {
        await().atMost(WAIT).until(() -> {
            for (ConsumerRecord<String, String> record : deliveriesConsumer.poll(Duration.ofMillis(100))) {
                deliveries.add(MeshJson.read(record.value(), Delivery.class));
            }
            return deliveries.stream().anyMatch(what);
        });
        return deliveries.stream().filter(what).reduce((first, second) -> second).orElseThrow();
    }

    /** Reads {@code chat.events} until a domain event of the type about the room arrives; returns the first such. */
    JsonNode awaitChatEvent(String type, String roomId) {
        return awaitChatEvent(e -> isChatEvent(e, type, roomId));
    }

    /** Reads {@code chat.events} until an event matches; returns the first match. */
    JsonNode awaitChatEvent(Predicate<JsonNode> what) {
        await().atMost(WAIT).until(() -> {
            for (ConsumerRecord<String, String> record : chatEventsConsumer.poll(Duration.ofMillis(100))) {
                chatEvents.add(MeshJson.read(record.value(), JsonNode.class));
            }
            return chatEvents.stream().anyMatch(what);
        });
        return chatEvents.stream().filter(what).findFirst().orElseThrow();
    }

    static boolean isChatEvent(JsonNode event, String type, String roomId) {
        return DomainEvents.typeOf(event).filter(type::equals).isPresent()
                && roomId.equals(event.get("roomId").asString());
    }

    /** The events addressed to one session (a replay), in the order read. */
    List<Delivery.Event> toSession(String sessionId) {
        return deliveries.stream().filter(d -> d.event() != null && isToSession(d, sessionId)).map(Delivery::event).toList();
    }

    static boolean isToSession(Delivery d, String sessionId) {
        return d.audience().kind() == Delivery.Audience.Kind.session && sessionId.equals(d.audience().id());
    }

    static long count(String sql, Object... parameters) throws SQLException {
        try (Connection connection = DriverManager.getConnection(DB.jdbcUrl(), DB.username(), DB.password());
             PreparedStatement query = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getLong(1) : -1;
            }
        }
    }

    static void execute(String sql, Object... parameters) throws SQLException {
        try (Connection connection = DriverManager.getConnection(DB.jdbcUrl(), DB.username(), DB.password());
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            statement.executeUpdate();
        }
    }

    int indexOf(Predicate<Delivery> what) {
        for (int i = 0; i < deliveries.size(); i++) {
            if (what.test(deliveries.get(i))) {
                return i;
            }
        }
        return -1;
    }

    static boolean isEvent(Delivery d, String type, String roomId, long seq) {
        return Optional.ofNullable(d.event())
                .filter(e -> e.type().equals(type) && ("chat:room:" + roomId).equals(e.topic())
                        && e.seq() != null && e.seq() == seq)
                .isPresent();
    }

    static int messageRows(String roomId) throws SQLException {
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
