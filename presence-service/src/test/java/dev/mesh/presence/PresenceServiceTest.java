package dev.mesh.presence;

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
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.chat.ChatEvents;
import dev.mesh.contracts.kafka.CommandEnvelope;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.DomainEvents;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.presence.ConnectionEvent;
import dev.mesh.contracts.presence.InstanceHeartbeat;
import dev.mesh.contracts.presence.PresenceCommands;
import dev.mesh.contracts.presence.PresenceEvents;
import dev.mesh.testkit.auth.TokenIssuer;
import dev.mesh.testkit.infra.MeshInfra;
import dev.mesh.testkit.kafka.TopicConsumers;

/**
 * presence-service against real Kafka and PostgreSQL: connection events and heartbeats as the
 * gateway writes them, chat membership as chat-service publishes it, commands as the gateway
 * forwards them, and deliveries read the way a gateway reads them (all partitions, from the
 * end, no group). Grace 2 s and a 200 ms scan keep it short; the dead-boot silence is the real 10 s.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.config.name=" + PresenceServiceApplication.CONFIG_NAME)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PresenceServiceTest {

    private static final TokenIssuer ISSUER = new TokenIssuer(0);
    private static final MeshInfra.Database DB = MeshInfra.get().database("presence_test");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration GRACE = Duration.ofSeconds(2);
    private static final String INSTANCE = "gw-test";
    private static final String LIVE_BOOT = "boot-" + UUID.randomUUID();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        MeshInfra.get().serviceProperties(DB).forEach((key, value) -> registry.add(key, () -> value));
        registry.add("mesh.security.issuer", ISSUER::issuerUri);
        registry.add("mesh.commands.apply-timeout", () -> "10s");
        registry.add("mesh.presence.grace", () -> GRACE.toMillis() + "ms");
        registry.add("mesh.presence.scan-interval", () -> "200ms");
        registry.add("mesh.presence.away-after", () -> "10m");
    }

    @LocalServerPort
    int port;

    private WebTestClient http;
    private KafkaProducer<String, String> producer;
    private KafkaConsumer<String, String> deliveriesConsumer;
    private KafkaConsumer<String, String> eventsConsumer;
    private final List<JsonNode> presenceEvents = new ArrayList<>();
    private final List<Delivery> deliveries = new ArrayList<>();
    /** When each delivery was read, by index. */
    private final List<Long> readAt = new ArrayList<>();
    /** Boots that heartbeat every second: instance id → boot id. */
    private final Map<String, String> beating = new ConcurrentHashMap<>();
    private ScheduledExecutorService heartbeats;

    @BeforeAll
    void connect() throws Exception {
        http = WebTestClient.bindToServer().baseUrl("http://localhost:" + port).responseTimeout(WAIT).build();
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, MeshInfra.get().kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
        deliveriesConsumer = TopicConsumers.fromEnd(Topics.GATEWAY_DELIVERIES);
        eventsConsumer = TopicConsumers.fromEnd(Topics.PRESENCE_EVENTS);

        // A live gateway boot, as the gateway does it (every 5 s there; every second here).
        beating.put(INSTANCE, LIVE_BOOT);
        heartbeats = Executors.newSingleThreadScheduledExecutor();
        heartbeats.scheduleAtFixedRate(() -> beating.forEach(this::heartbeat), 0, 1, TimeUnit.SECONDS);
        // Presence hears heartbeats once its per-instance group is positioned (latest): wait for that.
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM presence_boots WHERE boot_id = ?", LIVE_BOOT) == 1);
    }

    @AfterAll
    void disconnect() {
        heartbeats.shutdownNow();
        producer.close();
        deliveriesConsumer.close();
        eventsConsumer.close();
        ISSUER.close();
    }

    @Test
    @Order(1)
    void aUserWithTwoSessionsStaysOnlineUntilTheLastClosesThenGoesOfflineAfterTheGrace() {
        String user = "u-multi-" + UUID.randomUUID();
        connection(ConnectionEvent.OPENED, "s1-" + user, user, INSTANCE, LIVE_BOOT);
        connection(ConnectionEvent.OPENED, "s2-" + user, user, INSTANCE, LIVE_BOOT);
        awaitStatus(user, PresenceEvents.ONLINE);

        connection(ConnectionEvent.CLOSED, "s1-" + user, user, INSTANCE, LIVE_BOOT);
        // Well past the grace period: one session is still open, so nothing is published.
        noOfflineDuring(user, GRACE.plusMillis(1500));
        assertThat(statusesOf(user)).containsExactly(PresenceEvents.ONLINE);

        connection(ConnectionEvent.CLOSED, "s2-" + user, user, INSTANCE, LIVE_BOOT);
        // A redelivered close of an unknown session changes nothing.
        connection(ConnectionEvent.CLOSED, "s2-" + user, user, INSTANCE, LIVE_BOOT);
        Delivery offline = awaitStatus(user, PresenceEvents.OFFLINE);
        assertThat(offline.event().topic()).isEqualTo("presence:user:" + user);
        assertThat(offline.event().seq()).isNull();
        assertThat(offline.event().data().get("lastSeenAt").asLong()).isPositive();
        assertThat(statusesOf(user)).containsExactly(PresenceEvents.ONLINE, PresenceEvents.OFFLINE);

        // Other services hear the two transitions on presence.events, keyed by the user.
        await().atMost(WAIT).until(() -> {
            for (ConsumerRecord<String, String> record : eventsConsumer.poll(Duration.ofMillis(100))) {
                assertThat(record.key()).isNotNull();
                presenceEvents.add(MeshJson.read(record.value(), JsonNode.class));
            }
            return presenceEvents.stream().filter(e -> user.equals(e.get("userId").asString())).count() == 2;
        });
        List<JsonNode> facts = presenceEvents.stream().filter(e -> user.equals(e.get("userId").asString())).toList();
        assertThat(facts.get(0).has("at")).isTrue();
        assertThat(facts.get(1).get("lastSeenAt").asLong()).isPositive();
        assertThat(facts).allSatisfy(e -> assertThat(e.get("eventId").asString()).isNotBlank());
    }

    @Test
    @Order(2)
    void aReconnectWithinTheGracePeriodNeverShowsTheUserOffline() {
        String user = "u-reconnect-" + UUID.randomUUID();
        connection(ConnectionEvent.OPENED, "s1-" + user, user, INSTANCE, LIVE_BOOT);
        // OPENED twice (a redelivery) is one session.
        connection(ConnectionEvent.OPENED, "s1-" + user, user, INSTANCE, LIVE_BOOT);
        awaitStatus(user, PresenceEvents.ONLINE);

        connection(ConnectionEvent.CLOSED, "s1-" + user, user, INSTANCE, LIVE_BOOT);
        connection(ConnectionEvent.OPENED, "s2-" + user, user, "gw-other", "boot-other-" + UUID.randomUUID());
        connection(ConnectionEvent.OPENED, "s3-" + user, user, INSTANCE, LIVE_BOOT);
        noOfflineDuring(user, GRACE.plusMillis(1500));
        assertThat(statusesOf(user)).containsExactly(PresenceEvents.ONLINE);
        assertThat(count("SELECT count(*) FROM presence_sessions WHERE user_id = ?", user)).isEqualTo(2);
    }

    @Test
    @Order(3)
    void aMemberWhoLeftOrWhoseRoomWasDeletedIsNoLongerACoMember() {
        String ada = "u-ada-" + UUID.randomUUID();
        String alan = "u-alan-" + UUID.randomUUID();
        String room = "room-" + UUID.randomUUID();
        chatEvent(room, new ChatEvents.RoomCreated(UUID.randomUUID().toString(), room, "Algebra", "public", ada, 1L));
        chatEvent(room, new ChatEvents.MemberJoined(UUID.randomUUID().toString(), room, alan, 2L));
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM presence_room_members WHERE room_id = ?", room) == 2);

        chatEvent(room, new ChatEvents.MemberLeft(UUID.randomUUID().toString(), room, alan, 3L));
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM presence_room_members WHERE room_id = ?", room) == 1);

        UserRef adaRef = new UserRef(ada, "Ada", List.of("instructor"));
        Delivery.Reply reply = awaitReply(command(adaRef, "s-ada", PresenceCommands.SUBSCRIBE, Map.of("userIds", List.of(alan))));
        assertThat(reply.code()).isEqualTo("FORBIDDEN");

        chatEvent(room, new ChatEvents.RoomDeleted(UUID.randomUUID().toString(), room, ada, 4L));
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM presence_room_members WHERE room_id = ?", room) == 0);
    }

    @Test
    @Order(3)
    void subscribeAndSetFollowTheCoMemberRuleAndTheValidationRules() {
        String ada = "u-ada-" + UUID.randomUUID();
        String alan = "u-alan-" + UUID.randomUUID();
        String stranger = "u-stranger-" + UUID.randomUUID();
        String room = "room-" + UUID.randomUUID();
        chatEvent(room, new ChatEvents.RoomCreated(UUID.randomUUID().toString(), room, "Algebra", "public", ada, 1L));
        chatEvent(room, new ChatEvents.MemberJoined(UUID.randomUUID().toString(), room, alan, 2L));
        chatEvent(room, new ChatEvents.MessagePosted(UUID.randomUUID().toString(), room, UUID.randomUUID().toString(), 1,
                stranger, "hi", List.of(), null, null, 3L, null));
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM presence_room_members WHERE room_id = ?", room) == 2);
        connection(ConnectionEvent.OPENED, "s-" + alan, alan, INSTANCE, LIVE_BOOT);
        awaitStatus(alan, PresenceEvents.ONLINE);

        UserRef adaRef = new UserRef(ada, "Ada", List.of("instructor"));
        Delivery.Reply forbidden = awaitReply(command(adaRef, "s-ada", PresenceCommands.SUBSCRIBE,
                Map.of("userIds", List.of(alan, stranger))));
        assertThat(forbidden.ok()).isFalse();
        assertThat(forbidden.code()).isEqualTo("FORBIDDEN");
        assertThat(forbidden.message()).doesNotContain(stranger).doesNotContain(alan);

        String subscribe = command(adaRef, "s-ada", PresenceCommands.SUBSCRIBE, Map.of("userIds", List.of(alan, ada)));
        Delivery.Reply ack = awaitReply(subscribe);
        assertThat(ack.ok()).isTrue();
        JsonNode presence = ack.data().get("presence");
        assertThat(presence.size()).isEqualTo(2);
        assertThat(presence.get(0).get("userId").asString()).isEqualTo(alan);
        assertThat(presence.get(0).get("status").asString()).isEqualTo(PresenceEvents.ONLINE);
        assertThat(presence.get(0).get("lastSeenAt").asLong()).isPositive();
        assertThat(presence.get(1).get("status").asString()).isEqualTo(PresenceEvents.OFFLINE);
        assertThat(deliveries).anySatisfy(d -> {
            assertThat(d.attach()).isNotNull();
            assertThat(d.attach().sessionId()).isEqualTo("s-ada");
            assertThat(d.attach().topic()).isEqualTo("presence:user:" + alan);
        });

        UserRef alanRef = new UserRef(alan, "Alan", List.of("student"));
        String tooLong = "a".repeat(100) + "😀";
        Delivery.Reply invalid = awaitReply(command(alanRef, "s-" + alan, PresenceCommands.SET,
                Map.of("status", "busy", "text", tooLong)));
        assertThat(invalid.ok()).isFalse();
        assertThat(invalid.code()).isEqualTo("VALIDATION");

        Delivery.Reply set = awaitReply(command(alanRef, "s-" + alan, PresenceCommands.SET,
                Map.of("status", "busy", "text", "In a lecture", "emoji", "📚")));
        assertThat(set.ok()).isTrue();
        assertThat(set.data().get("presence").get("status").asString()).isEqualTo(PresenceEvents.BUSY);
        Delivery busy = awaitStatus(alan, PresenceEvents.BUSY);
        assertThat(busy.event().data().get("text").asString()).isEqualTo("In a lecture");

        // The same over HTTP.
        http.get().uri("/api/presence?userIds={ids}", alan + "," + ada)
                .header(HttpHeaders.AUTHORIZATION, bearer(ada))
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.presence[0].status").isEqualTo("busy")
                .jsonPath("$.presence[0].emoji").isEqualTo("📚");
        http.get().uri("/api/presence?userIds={ids}", alan + "," + stranger)
                .header(HttpHeaders.AUTHORIZATION, bearer(ada))
                .exchange()
                .expectStatus().isForbidden()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo("FORBIDDEN");
        http.get().uri("/api/presence/rooms/{room}/online", room)
                .header(HttpHeaders.AUTHORIZATION, bearer(ada))
                .exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.roomId").isEqualTo(room).jsonPath("$.online").isEqualTo(1);
        http.get().uri("/api/presence/rooms/{room}/online", room)
                .header(HttpHeaders.AUTHORIZATION, bearer(stranger))
                .exchange()
                .expectStatus().isForbidden();

        // Alan hides his last-seen time: co-members no longer get it; he still sees his own.
        http.put().uri("/api/presence/me/settings")
                .header(HttpHeaders.AUTHORIZATION, bearer(alan))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("privacy", "nobody"))
                .exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.privacy").isEqualTo("nobody");
        http.put().uri("/api/presence/me/settings")
                .header(HttpHeaders.AUTHORIZATION, bearer(alan))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("privacy", "friends"))
                .exchange()
                .expectStatus().isBadRequest();
        http.get().uri("/api/presence?userIds={ids}", alan)
                .header(HttpHeaders.AUTHORIZATION, bearer(ada))
                .exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.presence[0].lastSeenAt").doesNotExist();
        http.get().uri("/api/presence/me")
                .header(HttpHeaders.AUTHORIZATION, bearer(alan))
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.status").isEqualTo("busy")
                .jsonPath("$.privacy").isEqualTo("nobody")
                .jsonPath("$.lastSeenAt").exists();
        http.get().uri("/api/presence/me").exchange().expectStatus().isUnauthorized();
    }

    @Test
    @Order(50)
    void activityIsStoredWithoutAnnouncementWhileOnlineAndBringsAnAwayUserBack() {
        String user = "u-active-" + UUID.randomUUID();
        String session = "s1-" + user;
        long opened = System.currentTimeMillis() - 5_000;
        connection(ConnectionEvent.OPENED, session, user, INSTANCE, LIVE_BOOT, opened);
        awaitStatus(user, PresenceEvents.ONLINE);

        // Online and staying so: the activity moves the session's last activity and the user's last
        // seen, and the world hears nothing.
        long active = opened + 1_000;
        connection(ConnectionEvent.ACTIVE, session, user, INSTANCE, LIVE_BOOT, active);
        await().atMost(WAIT).until(() -> count("SELECT last_active_at FROM presence_sessions WHERE session_id = ?", session) == active);
        assertThat(count("SELECT last_seen_at FROM presence_users WHERE user_id = ?", user)).isEqualTo(active);
        // An older activity (redelivered, reordered) moves nothing back.
        connection(ConnectionEvent.ACTIVE, session, user, INSTANCE, LIVE_BOOT, opened + 500);
        noOfflineDuring(user, Duration.ofMillis(500));
        assertThat(count("SELECT last_active_at FROM presence_sessions WHERE session_id = ?", session)).isEqualTo(active);
        assertThat(statusesOf(user)).containsExactly(PresenceEvents.ONLINE);

        // The session idle for longer than away-after (an hour ago): the scanner shows the user away.
        update("UPDATE presence_sessions SET last_active_at = last_active_at - 3600000 WHERE session_id = ?", session);
        awaitStatus(user, PresenceEvents.AWAY);
        // The next activity brings the user back online, announced.
        connection(ConnectionEvent.ACTIVE, session, user, INSTANCE, LIVE_BOOT, System.currentTimeMillis());
        await().atMost(WAIT).until(() -> statusesOf(user).size() == 3);
        assertThat(statusesOf(user)).containsExactly(PresenceEvents.ONLINE, PresenceEvents.AWAY, PresenceEvents.ONLINE);
        assertThat(count("SELECT count(*) FROM presence_users WHERE user_id = ? AND published_status = 'online'", user)).isEqualTo(1);
    }

    @Test
    @Order(99)
    void theUsersOfAGatewayBootThatStopsHeartbeatingGoOffline() {
        String instance = "gw-crash-" + UUID.randomUUID();
        String oldBoot = "boot-old-" + UUID.randomUUID();
        String survivor = "u-survivor-" + UUID.randomUUID();
        String victim = "u-victim-" + UUID.randomUUID();
        beating.put(instance, oldBoot);
        connection(ConnectionEvent.OPENED, "s-" + victim, victim, instance, oldBoot);
        connection(ConnectionEvent.OPENED, "s1-" + survivor, survivor, instance, oldBoot);
        connection(ConnectionEvent.OPENED, "s2-" + survivor, survivor, INSTANCE, LIVE_BOOT);
        awaitStatus(victim, PresenceEvents.ONLINE);
        awaitStatus(survivor, PresenceEvents.ONLINE);

        // The process dies: no SessionClosed, no heartbeat. It restarts as a new boot that beats.
        long lastHeartbeat = heartbeat(instance, oldBoot);
        beating.put(instance, "boot-new-" + UUID.randomUUID());

        int offlineAt = indexOf(awaitStatus(victim, PresenceEvents.OFFLINE));
        long elapsed = readAt.get(offlineAt) - lastHeartbeat;
        System.out.printf("PRESENCE crash->offline: %d ms from the dead boot's last heartbeat to the offline delivery%n",
                elapsed);
        assertThat(deliveries.get(offlineAt).event().data().get("lastSeenAt").asLong()).isLessThanOrEqualTo(lastHeartbeat);
        assertThat(count("SELECT count(*) FROM presence_sessions WHERE boot_id = ?", oldBoot)).isZero();
        // The survivor is still connected through another gateway.
        noOfflineDuring(survivor, Duration.ofSeconds(1));
        assertThat(statusesOf(survivor)).containsExactly(PresenceEvents.ONLINE);
    }

    // --- helpers

    private long heartbeat(String instance, String boot) {
        long at = System.currentTimeMillis();
        if (boot.equals(beating.get(instance)) || instance.equals(INSTANCE)) {
            send(Topics.GATEWAY_INSTANCES, instance, new InstanceHeartbeat(instance, boot, 1, at));
        }
        return at;
    }

    private void connection(String type, String sessionId, String userId, String instance, String boot) {
        connection(type, sessionId, userId, instance, boot, System.currentTimeMillis());
    }

    private void connection(String type, String sessionId, String userId, String instance, String boot, long at) {
        send(Topics.GATEWAY_CONNECTIONS, userId, new ConnectionEvent(type, sessionId, userId, userId + "-name", instance, boot, at));
    }

    private void chatEvent(String roomId, Object event) {
        try {
            producer.send(new ProducerRecord<>(Topics.CHAT_EVENTS, roomId, DomainEvents.write(event))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String command(UserRef user, String sessionId, String type, Object data) {
        String id = UUID.randomUUID().toString();
        CommandEnvelope envelope = new CommandEnvelope(id, type, MeshJson.tree(data), user,
                new CommandEnvelope.ReplyTo("gw-test", sessionId), System.currentTimeMillis());
        send(Topics.PRESENCE_COMMANDS, user.id(), envelope);
        return id;
    }

    private void send(String topic, String key, Object value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, MeshJson.write(value))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String bearer(String userId) {
        return "Bearer " + ISSUER.token(userId, userId, List.of("student"));
    }

    private void poll() {
        for (ConsumerRecord<String, String> record : deliveriesConsumer.poll(Duration.ofMillis(100))) {
            deliveries.add(MeshJson.read(record.value(), Delivery.class));
            readAt.add(System.currentTimeMillis());
        }
    }

    private Delivery awaitDelivery(Predicate<Delivery> what) {
        await().atMost(WAIT).until(() -> {
            poll();
            return deliveries.stream().anyMatch(what);
        });
        return deliveries.stream().filter(what).findFirst().orElseThrow();
    }

    private Delivery.Reply awaitReply(String ref) {
        return awaitDelivery(d -> d.reply() != null && ref.equals(d.reply().ref())).reply();
    }

    private Delivery awaitStatus(String userId, String status) {
        return awaitDelivery(d -> isChange(d, userId) && status.equals(d.event().data().get("status").asString()));
    }

    private void noOfflineDuring(String userId, Duration period) {
        await().during(period).atMost(period.plus(WAIT)).until(() -> {
            poll();
            return !statusesOf(userId).contains(PresenceEvents.OFFLINE);
        });
    }

    private List<String> statusesOf(String userId) {
        poll();
        return deliveries.stream().filter(d -> isChange(d, userId))
                .map(d -> d.event().data().get("status").asString())
                .toList();
    }

    private int indexOf(Delivery delivery) {
        return deliveries.indexOf(delivery);
    }

    private static boolean isChange(Delivery d, String userId) {
        return d.event() != null && PresenceEvents.CHANGED.equals(d.event().type())
                && ("presence:user:" + userId).equals(d.event().topic())
                && userId.equals(d.event().data().get("userId").asString());
    }

    private static void update(String sql, String parameter) {
        try (Connection connection = DriverManager.getConnection(DB.jdbcUrl(), DB.username(), DB.password());
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, parameter);
            assertThat(statement.executeUpdate()).as(sql).isEqualTo(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long count(String sql, String parameter) {
        try (Connection connection = DriverManager.getConnection(DB.jdbcUrl(), DB.username(), DB.password());
             PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, parameter);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
