package dev.mesh.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;

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
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.chat.ChatEvents;
import dev.mesh.contracts.kafka.CommandEnvelope;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.DomainEvents;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.presence.PresenceEvents;
import dev.mesh.contracts.quiz.QuizEvents;
import dev.mesh.contracts.wire.StreamTopics;
import dev.mesh.testkit.auth.TokenIssuer;
import dev.mesh.testkit.infra.MeshInfra;
import dev.mesh.testkit.kafka.TopicConsumers;

/**
 * notification-service against real Kafka, PostgreSQL and an SMTP server (GreenMail) in this JVM:
 * domain events written to their topics as chat, quiz and presence write them, commands as the
 * gateway writes them, deliveries read the way a gateway reads them, emails read from the server.
 * Users get an address from the configured template ({@code <id>@mesh.test}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.config.name=" + NotificationServiceApplication.CONFIG_NAME)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NotificationServiceTest {

    static final TokenIssuer ISSUER = new TokenIssuer(0);
    static final MeshInfra.Database DB = MeshInfra.get().database("notification_test");
    static final Duration WAIT = Duration.ofSeconds(30);
    static final int SMTP_PORT = freePort();
    static volatile GreenMail smtp = startSmtp();

    static final UserRef ADA = new UserRef("u-ada", "Ada", List.of("instructor"));
    static final UserRef GRACE = new UserRef("u-grace", "Grace", List.of("admin"));

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        MeshInfra.get().serviceProperties(DB).forEach((key, value) -> registry.add(key, () -> value));
        registry.add("mesh.security.issuer", ISSUER::issuerUri);
        registry.add("mesh.commands.apply-timeout", () -> "10s");
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", () -> SMTP_PORT);
        registry.add("spring.mail.properties.mail.smtp.connectiontimeout", () -> "2000");
        registry.add("mesh.notification.email.address-template", () -> "{userId}@mesh.test");
        registry.add("mesh.notification.email.public-base-url", () -> "https://mesh.example");
        registry.add("mesh.notification.email.poll-interval", () -> "200ms");
        registry.add("mesh.notification.email.backoff-base", () -> "200ms");
        registry.add("mesh.notification.email.backoff-max", () -> "1s");
        registry.add("mesh.notification.email.max-attempts", () -> "100");
        // Digests every 3 s instead of every hour, so a test sees one.
        registry.add("mesh.notification.digest-period", () -> "3s");
    }

    @LocalServerPort
    int port;

    WebTestClient http;
    KafkaProducer<String, String> producer;
    KafkaConsumer<String, String> deliveriesConsumer;
    final List<Delivery> deliveries = new ArrayList<>();

    @BeforeAll
    void connect() {
        http = WebTestClient.bindToServer().baseUrl("http://localhost:" + port).responseTimeout(WAIT).build();
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, MeshInfra.get().kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
        deliveriesConsumer = TopicConsumers.fromEnd(Topics.GATEWAY_DELIVERIES);
        // Ada and Grace have connected once: the service knows their names and roles.
        awaitReply(send(ADA, "s-ada", "notification:sync", Map.of()), "s-ada");
        awaitReply(send(GRACE, "s-grace", "notification:sync", Map.of()), "s-grace");
    }

    @AfterAll
    void disconnect() {
        producer.close();
        deliveriesConsumer.close();
        smtp.stop();
        ISSUER.close();
    }

    @Test
    void aMentionGivesOneInAppNotificationAndOneEmailToAnOfflineUserHoweverOftenItIsDelivered() throws Exception {
        String alan = "u-alan-" + shortId();
        String roomId = "r-" + shortId();
        publish(Topics.CHAT_EVENTS, roomId, new ChatEvents.RoomCreated(eventId(), roomId, "Algebra", "public", ADA.id(), 1L));
        publish(Topics.PRESENCE_EVENTS, alan, new PresenceEvents.UserWentOffline(eventId(), alan,
                System.currentTimeMillis() - Duration.ofMinutes(30).toMillis()));
        ChatEvents.MessagePosted posted = new ChatEvents.MessagePosted(eventId(), roomId, "m-1", 7, ADA.id(),
                "Hello <alan>, see page 12", List.of(alan), null, null, System.currentTimeMillis(), null);
        publish(Topics.CHAT_EVENTS, roomId, posted);

        Delivery.Event created = awaitEvent(alan, "notification:new", 1);
        assertThat(created.topic()).isEqualTo(StreamTopics.notificationsUser(alan));
        assertThat(created.data().get("kind").asString()).isEqualTo("mention");
        assertThat(created.data().get("priority").asString()).isEqualTo("high");
        assertThat(created.data().get("title").asString()).isEqualTo("Ada mentioned you");
        assertThat(created.data().get("body").asString()).isEqualTo("Hello <alan>, see page 12");
        assertThat(created.data().get("link").asString()).isEqualTo("/rooms/" + roomId + "?message=m-1");
        Delivery.Event unread = awaitEvent(alan, "notification:unread", null);
        assertThat(unread.data().get("count").asLong()).isEqualTo(1);

        List<MimeMessage> mails = awaitMails(alan + "@mesh.test", 1);
        MimeMessage mail = mails.getFirst();
        assertThat(mail.getSubject()).isEqualTo("Ada mentioned you");
        assertThat(mail.getFrom()[0].toString()).contains("notifications@mesh.local");
        String text = part(mail, "text/plain");
        String html = part(mail, "text/html");
        assertThat(text).contains("Hello <alan>, see page 12")
                .contains("Open: https://mesh.example/rooms/" + roomId + "?message=m-1")
                .contains("Stop emails about mentions: https://mesh.example/api/notifications/unsubscribe?user=" + alan
                        + "&kind=mention&token=");
        assertThat(html).contains("Hello &lt;alan&gt;, see page 12")
                .contains("href=\"https://mesh.example/api/notifications/unsubscribe?user=" + alan + "&amp;kind=mention");

        // The same event again, then a marker on the same partition: once the marker is in, the duplicate was handled.
        publish(Topics.CHAT_EVENTS, roomId, posted);
        String marker = "u-marker-" + shortId();
        publish(Topics.CHAT_EVENTS, roomId, new ChatEvents.MessagePosted(eventId(), roomId, "m-2", 8, ADA.id(),
                "marker", List.of(marker), null, null, System.currentTimeMillis(), null));
        awaitEvent(marker, "notification:new", 1);
        awaitMails(marker + "@mesh.test", 1);
        assertThat(count("SELECT count(*) FROM notifications WHERE user_id = ?", alan)).isEqualTo(1);
        assertThat(eventsTo(alan, "notification:new")).hasSize(1);
        assertThat(mailsTo(alan + "@mesh.test")).hasSize(1);
        assertThat(count("SELECT count(*) FROM notification_attempts WHERE user_id = ? AND channel = 'email' AND outcome = 'sent'",
                alan)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM notification_attempts WHERE user_id = ? AND channel = 'in_app'", alan))
                .isEqualTo(1);
    }

    @Test
    void emailsWrittenWhileTheSmtpServerIsDownArriveExactlyOnceWhenItIsBack() throws Exception {
        String bob = "u-bob-" + shortId();
        String roomId = "r-" + shortId();
        int burst = 12;
        smtp.stop();
        try {
            for (int i = 0; i < burst; i++) {
                publish(Topics.CHAT_EVENTS, roomId, new ChatEvents.MessagePosted(eventId(), roomId, "m-" + i, i + 1,
                        ADA.id(), "message " + i, List.of(bob), null, null, System.currentTimeMillis(), null));
            }
            awaitEvent(bob, "notification:new", burst);
            // Every email was tried and failed at least once while the server was down.
            await().atMost(WAIT).until(() -> count("""
                    SELECT count(DISTINCT email_id) FROM notification_attempts
                     WHERE user_id = ? AND channel = 'email' AND outcome = 'retry'""", bob) == burst);
            assertThat(count("SELECT count(*) FROM notification_emails WHERE user_id = ? AND status = 'sent'", bob)).isZero();
        } finally {
            smtp = startSmtp();
        }
        List<MimeMessage> mails = awaitMails(bob + "@mesh.test", burst);
        await().atMost(WAIT).until(() -> count(
                "SELECT count(*) FROM notification_emails WHERE user_id = ? AND status = 'sent'", bob) == burst);
        assertThat(mailsTo(bob + "@mesh.test")).hasSize(burst);
        List<String> bodies = new ArrayList<>();
        for (MimeMessage mail : mails) {
            bodies.add(part(mail, "text/plain").lines().skip(2).findFirst().orElseThrow());
        }
        assertThat(bodies).containsExactlyInAnyOrderElementsOf(
                java.util.stream.IntStream.range(0, burst).mapToObj(i -> "message " + i).toList());
    }

    @Test
    void aReconnectWithSinceSeqReplaysExactlyTheMissedNotificationsBeforeTheAttachAndTheAck() {
        UserRef carol = new UserRef("u-carol-" + shortId(), "Carol", List.of("student"));
        String roomId = "r-" + shortId();
        JsonNode first = awaitReply(send(carol, "s-carol-1", "notification:sync", Map.of()), "s-carol-1").data();
        assertThat(first.get("lastSeq").asLong()).isZero();
        for (int i = 0; i < 3; i++) {
            publish(Topics.CHAT_EVENTS, roomId, new ChatEvents.MessagePosted(eventId(), roomId, "m-" + i, i + 1,
                    ADA.id(), "m" + i, List.of(carol.id()), null, null, System.currentTimeMillis(), null));
        }
        awaitEvent(carol.id(), "notification:new", 3);

        String session = "s-carol-2";
        String sync = send(carol, session, "notification:sync", Map.of("sinceSeq", 1));
        Delivery.Reply ack = awaitReply(sync, session);

        assertThat(ack.ok()).isTrue();
        assertThat(ack.data().get("lastSeq").asLong()).isEqualTo(3);
        assertThat(ack.data().get("recovered").asBoolean()).isTrue();
        assertThat(ack.data().get("unread").asLong()).isEqualTo(3);
        List<Delivery.Event> replayed = deliveries.stream()
                .filter(d -> d.event() != null && d.audience().kind() == Delivery.Audience.Kind.session
                        && session.equals(d.audience().id()) && "notification:new".equals(d.event().type()))
                .map(Delivery::event).toList();
        assertThat(replayed).extracting(Delivery.Event::seq).containsExactly(2L, 3L);
        assertThat(replayed).extracting(e -> e.data().get("body").asString()).containsExactly("m1", "m2");
        int lastReplay = indexOf(d -> d.event() != null && session.equals(d.audience().id()) && Long.valueOf(3).equals(d.event().seq()));
        int attach = indexOf(d -> d.attach() != null && session.equals(d.attach().sessionId()));
        int reply = indexOf(d -> d.reply() != null && sync.equals(d.reply().ref()));
        assertThat(lastReplay).isLessThan(attach);
        assertThat(attach).isLessThan(reply);
        assertThat(deliveries.get(attach).attach().topic()).isEqualTo(StreamTopics.notificationsUser(carol.id()));
        assertThat(deliveries.get(attach).attach().fromSeq()).isEqualTo(4);

        // Up to date: nothing replayed.
        Delivery.Reply current = awaitReply(send(carol, "s-carol-3", "notification:sync", Map.of("sinceSeq", 3)), "s-carol-3");
        assertThat(current.data().get("recovered").asBoolean()).isTrue();
        assertThat(deliveries.stream().filter(d -> d.event() != null && "s-carol-3".equals(d.audience().id())
                && "notification:new".equals(d.event().type()))).isEmpty();
    }

    @Test
    void readByIdsUpToSeqAndAllPushTheUnreadCount() {
        UserRef dan = new UserRef("u-dan-" + shortId(), "Dan", List.of("student"));
        String roomId = "r-" + shortId();
        for (int i = 0; i < 4; i++) {
            publish(Topics.CHAT_EVENTS, roomId, new ChatEvents.MessagePosted(eventId(), roomId, "m-" + i, i + 1,
                    ADA.id(), "m" + i, List.of(dan.id()), null, null, System.currentTimeMillis(), null));
        }
        Delivery.Event last = awaitEvent(dan.id(), "notification:new", 4);
        String firstId = eventsTo(dan.id(), "notification:new").getFirst().data().get("id").asString();

        JsonNode byId = awaitReply(send(dan, "s-dan", "notification:read", Map.of("ids", List.of(firstId))), "s-dan").data();
        assertThat(byId.get("updated").asInt()).isEqualTo(1);
        assertThat(byId.get("unread").asLong()).isEqualTo(3);
        assertThat(lastUnread(dan.id())).isEqualTo(3);

        JsonNode upTo = awaitReply(send(dan, "s-dan", "notification:read", Map.of("upToSeq", 3)), "s-dan").data();
        assertThat(upTo.get("updated").asInt()).isEqualTo(2);
        assertThat(lastUnread(dan.id())).isEqualTo(1);

        JsonNode all = awaitReply(send(dan, "s-dan", "notification:read_all", Map.of()), "s-dan").data();
        assertThat(all.get("updated").asInt()).isEqualTo(1);
        assertThat(all.get("unread").asLong()).isZero();
        assertThat(lastUnread(dan.id())).isZero();
        assertThat(last.seq()).isEqualTo(4);

        Delivery.Reply invalid = awaitReply(send(dan, "s-dan", "notification:read",
                Map.of("ids", List.of(firstId), "upToSeq", 2)), "s-dan");
        assertThat(invalid.ok()).isFalse();
        assertThat(invalid.code()).isEqualTo("VALIDATION");
        assertThat(invalid.message()).isEqualTo("give either ids or upToSeq");
    }

    @Test
    void aQuizOpenedForARoomNotifiesItsMembersButTheHost_andResultsGoToTheDigest() throws SQLException {
        String roomId = "r-" + shortId();
        String eve = "u-eve-" + shortId();
        String finn = "u-finn-" + shortId();
        String left = "u-left-" + shortId();
        publish(Topics.CHAT_EVENTS, roomId, new ChatEvents.RoomCreated(eventId(), roomId, "Physics", "public", ADA.id(), 1L));
        for (String member : List.of(eve, finn, left)) {
            publish(Topics.CHAT_EVENTS, roomId, new ChatEvents.MemberJoined(eventId(), roomId, member, 2L));
        }
        publish(Topics.CHAT_EVENTS, roomId, new ChatEvents.MemberLeft(eventId(), roomId, left, 3L));
        // Membership is a projection of chat.events: once a later marker of the same partition is in, it has caught up
        // (the quiz event comes on another topic).
        String marker = "u-marker-" + shortId();
        publish(Topics.CHAT_EVENTS, roomId, new ChatEvents.MemberJoined(eventId(), roomId, marker, 4L));
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM notification_room_members WHERE user_id = ?", marker) == 1);
        assertThat(count("SELECT count(*) FROM notification_room_members WHERE room_id = ?", roomId)).isEqualTo(4);

        String sessionId = "qs-" + shortId();
        // The events exactly as quiz-service writes them.
        publishJson(Topics.QUIZ_EVENTS, sessionId, DomainEvents.write(new QuizEvents.QuizSessionOpened(eventId(), sessionId,
                "q-1", "Kinematics", ADA.id(), ADA.name(), roomId, "123456", System.currentTimeMillis())));
        Delivery.Event opened = awaitEvent(eve, "notification:new", 1);
        assertThat(opened.data().get("kind").asString()).isEqualTo("quiz_opened");
        assertThat(opened.data().get("title").asString()).isEqualTo("A quiz is open in Physics");
        awaitEvent(finn, "notification:new", 1);

        publishJson(Topics.QUIZ_EVENTS, sessionId, DomainEvents.write(new QuizEvents.QuizCompleted(eventId(), sessionId,
                "q-1", roomId, ADA.id(), "completed", List.of(), System.currentTimeMillis())));
        Delivery.Event results = awaitEvent(finn, "notification:new", 2);
        assertThat(results.data().get("kind").asString()).isEqualTo("quiz_results");
        assertThat(results.data().get("priority").asString()).isEqualTo("low");
        assertThat(count("SELECT count(*) FROM notifications WHERE user_id = ?", left)).isZero();
        // Low priority: a line of the digest, no email of its own.
        assertThat(count("SELECT count(*) FROM notification_emails WHERE user_id = ? AND status IN ('digest_item', 'digested')",
                finn)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM notification_emails WHERE user_id = ? AND notification_id IS NOT NULL"
                + " AND status IN ('pending', 'sent')", finn)).isEqualTo(1);
    }

    @Test
    void lowPriorityNotificationsArriveGroupedInADigestWithAnUnsubscribeLinkPerKind() throws Exception {
        String roomId = "r-" + shortId();
        String nia = "u-nia-" + shortId();
        publish(Topics.CHAT_EVENTS, roomId, new ChatEvents.RoomCreated(eventId(), roomId, "Maths", "public", ADA.id(), 1L));
        publish(Topics.CHAT_EVENTS, roomId, new ChatEvents.MemberJoined(eventId(), roomId, nia, 2L));
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM notification_room_members WHERE user_id = ?", nia) == 1);
        for (int i = 0; i < 2; i++) {
            String sessionId = "qs-" + shortId();
            publishJson(Topics.QUIZ_EVENTS, sessionId, MeshJson.write(Map.of("type", "QuizCompleted", "eventId", eventId(),
                    "sessionId", sessionId, "quizId", "q-" + i, "roomId", roomId, "hostId", ADA.id())));
        }
        awaitEvent(nia, "notification:new", 2);
        await().atMost(WAIT).until(() -> count(
                "SELECT count(*) FROM notification_emails WHERE user_id = ? AND status = 'digested'", nia) == 2);
        long digests = count("""
                SELECT count(DISTINCT digest_id) FROM notification_emails WHERE user_id = ? AND status = 'digested'""", nia);
        List<MimeMessage> mails = awaitMails(nia + "@mesh.test", (int) digests);
        // Both lines fall in one 3 s period unless they straddle its end: then two digests of one line each.
        assertThat(mails).hasSize((int) digests);
        int lines = 0;
        for (MimeMessage mail : mails) {
            assertThat(mail.getSubject()).startsWith("Your notification digest: ");
            String text = part(mail, "text/plain");
            assertThat(text).contains("Quiz results (").contains("Stop emails about quiz results: https://mesh.example/");
            assertThat(part(mail, "text/html")).contains("<li><a href=\"https://mesh.example/quiz/sessions/");
            lines += (int) text.lines().filter(l -> l.startsWith("- Quiz results are ready: ")).count();
        }
        assertThat(lines).isEqualTo(2);
    }

    @Test
    void invitationsModerationAndDirectMessagesFollowTheRules() throws SQLException {
        String roomId = "r-" + shortId();
        String gus = "u-gus-" + shortId();
        String hal = "u-hal-" + shortId();
        publish(Topics.CHAT_EVENTS, roomId, new ChatEvents.RoomCreated(eventId(), roomId, "Chemistry", "private", ADA.id(), 1L));
        publishJson(Topics.CHAT_EVENTS, roomId, MeshJson.write(Map.of("type", "MemberInvited", "eventId", eventId(),
                "roomId", roomId, "userId", gus, "invitedBy", ADA.id(), "at", 5L)));
        Delivery.Event invite = awaitEvent(gus, "notification:new", 1);
        assertThat(invite.data().get("kind").asString()).isEqualTo("invite");
        assertThat(invite.data().get("title").asString()).isEqualTo("Ada invited you to Chemistry");

        publish(Topics.CHAT_EVENTS, roomId, new ChatEvents.UserKicked(eventId(), roomId, gus, ADA.id(), 6L));
        Delivery.Event kicked = awaitEvent(gus, "notification:new", 2);
        assertThat(kicked.data().get("kind").asString()).isEqualTo("moderation");
        assertThat(kicked.data().get("title").asString()).isEqualTo("You were removed from Chemistry");

        // A DM to Hal while online: nothing; once offline: a dm.
        String dm = StreamTopics.directRoomId(ADA.id(), hal);
        publish(Topics.PRESENCE_EVENTS, hal, new PresenceEvents.UserCameOnline(eventId(), hal, System.currentTimeMillis()));
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM notification_presence WHERE user_id = ? AND online", hal) == 1);
        publish(Topics.CHAT_EVENTS, dm, new ChatEvents.MessagePosted(eventId(), dm, "m-1", 1, ADA.id(), "are you there?",
                List.of(), null, null, System.currentTimeMillis(), hal));
        // Handled before Hal goes offline (presence.events is another topic): a marker after it on the same partition.
        String marker = "u-marker-" + shortId();
        publish(Topics.CHAT_EVENTS, dm, new ChatEvents.MessagePosted(eventId(), dm, "m-0", 1, ADA.id(), "marker",
                List.of(marker), null, null, System.currentTimeMillis(), null));
        awaitEvent(marker, "notification:new", 1);
        publish(Topics.PRESENCE_EVENTS, hal, new PresenceEvents.UserWentOffline(eventId(), hal, System.currentTimeMillis()));
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM notification_presence WHERE user_id = ? AND NOT online", hal) == 1);
        publish(Topics.CHAT_EVENTS, dm, new ChatEvents.MessagePosted(eventId(), dm, "m-2", 2, ADA.id(), "call me",
                List.of(), null, null, System.currentTimeMillis(), hal));
        Delivery.Event direct = awaitEvent(hal, "notification:new", 1);
        assertThat(direct.data().get("kind").asString()).isEqualTo("dm");
        assertThat(direct.data().get("body").asString()).isEqualTo("call me");
        assertThat(count("SELECT count(*) FROM notifications WHERE user_id = ?", hal)).isEqualTo(1);
    }

    @Test
    void theListPagesNewestFirstWithFiltersAndTheUnreadCountFollowsReads() {
        UserRef ivy = new UserRef("u-ivy-" + shortId(), "Ivy", List.of("student"));
        String roomId = "r-" + shortId();
        for (int i = 0; i < 5; i++) {
            String author = i == 4 ? GRACE.id() : ADA.id();
            publish(Topics.CHAT_EVENTS, roomId, new ChatEvents.MessagePosted(eventId(), roomId, "m-" + i, i + 1, author,
                    "m" + i, i == 4 ? List.of() : List.of(ivy.id()), null, i == 4 ? ivy.id() : null,
                    System.currentTimeMillis(), null));
        }
        awaitEvent(ivy.id(), "notification:new", 5);

        JsonNode page = getJson("/api/notifications?limit=2", ivy);
        assertThat(page.get("items")).extracting(n -> n.get("seq").asLong()).containsExactly(5L, 4L);
        assertThat(page.get("items").get(0).get("kind").asString()).isEqualTo("reply");
        assertThat(page.get("hasMore").asBoolean()).isTrue();
        JsonNode next = getJson("/api/notifications?limit=2&beforeSeq=4", ivy);
        assertThat(next.get("items")).extracting(n -> n.get("seq").asLong()).containsExactly(3L, 2L);
        JsonNode mentions = getJson("/api/notifications?kind=mention", ivy);
        assertThat(mentions.get("items")).hasSize(4);
        assertThat(mentions.get("hasMore").asBoolean()).isFalse();
        assertThat(getJson("/api/notifications/unread-count", ivy).get("count").asLong()).isEqualTo(5);

        awaitReply(send(ivy, "s-ivy", "notification:read", Map.of("upToSeq", 2)), "s-ivy");
        assertThat(getJson("/api/notifications/unread-count", ivy).get("count").asLong()).isEqualTo(3);
        JsonNode unread = getJson("/api/notifications?unread=true", ivy);
        assertThat(unread.get("items")).extracting(n -> n.get("seq").asLong()).containsExactly(5L, 4L, 3L);
        assertThat(absent(getJson("/api/notifications?limit=2", ivy).get("items").get(0), "readAt")).isTrue();

        expectProblem(http.get().uri("/api/notifications?limit=0"), ivy, 400, "VALIDATION");
        expectProblem(http.get().uri("/api/notifications?kind=gossip"), ivy, 400, "VALIDATION");
        http.get().uri("/api/notifications").exchange().expectStatus().isUnauthorized();
    }

    @Test
    void preferencesAreValidatedAndTurnEmailOffPerKindAndQuietHoursHoldHighPriority() throws Exception {
        UserRef jo = new UserRef("u-jo-" + shortId(), "Jo", List.of("student"));
        JsonNode defaults = getJson("/api/notifications/preferences", jo);
        assertThat(absent(defaults, "email")).isTrue();
        assertThat(defaults.get("channels").get("mention").get("email").asBoolean()).isTrue();
        assertThat(defaults.get("channels").get("mention").get("in_app").asBoolean()).isTrue();
        assertThat(absent(defaults, "quietHours")).isTrue();

        expectProblem(http.put().uri("/api/notifications/preferences").bodyValue(Map.of("channels",
                Map.of("mention", Map.of("in_app", false)))), jo, 400, "VALIDATION");
        expectProblem(http.put().uri("/api/notifications/preferences").bodyValue(Map.of("quietHours",
                Map.of("start", "22:00", "end", "07:00", "timeZone", "Nowhere/City"))), jo, 400, "VALIDATION");
        expectProblem(http.put().uri("/api/notifications/preferences").bodyValue(Map.of("email", "jo")), jo, 400,
                "VALIDATION");

        // Quiet hours around the clock but for one minute ago: any high-priority email is held.
        java.time.ZonedDateTime utc = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC);
        String start = utc.minusMinutes(30).toLocalTime().withSecond(0).withNano(0).toString();
        String end = utc.minusMinutes(31).toLocalTime().withSecond(0).withNano(0).toString();
        JsonNode saved = putJson("/api/notifications/preferences", jo, Map.of("email", "jo@school.test",
                "channels", Map.of("reply", Map.of("email", false)),
                "quietHours", Map.of("start", start, "end", end, "timeZone", "UTC")));
        assertThat(saved.get("channels").get("reply").get("email").asBoolean()).isFalse();
        assertThat(saved.get("quietHours").get("timeZone").asString()).isEqualTo("UTC");
        assertThat(getJson("/api/notifications/preferences", jo).get("email").asString()).isEqualTo("jo@school.test");

        String roomId = "r-" + shortId();
        publish(Topics.CHAT_EVENTS, roomId, new ChatEvents.MessagePosted(eventId(), roomId, "m-1", 1, ADA.id(),
                "quiet please", List.of(jo.id()), null, null, System.currentTimeMillis(), null));
        publish(Topics.CHAT_EVENTS, roomId, new ChatEvents.MessagePosted(eventId(), roomId, "m-2", 2, ADA.id(),
                "a reply", List.of(), null, jo.id(), System.currentTimeMillis(), null));
        awaitEvent(jo.id(), "notification:new", 2);
        // The mention waits for the end of the quiet hours (due in about 23 hours); the reply has email off.
        assertThat(count("""
                SELECT count(*) FROM notification_emails WHERE user_id = ? AND status = 'pending'
                   AND due_at > (extract(epoch from now()) * 1000 + 22 * 3600 * 1000)""", jo.id())).isEqualTo(1);
        assertThat(count("""
                SELECT count(*) FROM notification_attempts WHERE user_id = ? AND channel = 'email' AND outcome = 'skipped'
                   AND detail = 'email turned off for reply'""", jo.id())).isEqualTo(1);
        assertThat(mailsTo("jo@school.test")).isEmpty();
    }

    @Test
    void theUnsubscribeLinkOfAnEmailTurnsThatKindOffWithoutLogin() throws Exception {
        UserRef kim = new UserRef("u-kim-" + shortId(), "Kim", List.of("student"));
        String roomId = "r-" + shortId();
        publish(Topics.CHAT_EVENTS, roomId, new ChatEvents.MessagePosted(eventId(), roomId, "m-1", 1, ADA.id(),
                "hi kim", List.of(kim.id()), null, null, System.currentTimeMillis(), null));
        MimeMessage mail = awaitMails(kim.id() + "@mesh.test", 1).getFirst();
        String text = part(mail, "text/plain");
        String link = text.lines().filter(l -> l.startsWith("Stop emails about mentions: ")).findFirst().orElseThrow()
                .substring("Stop emails about mentions: https://mesh.example".length());

        http.get().uri(link).exchange().expectStatus().isOk()
                .expectBody(String.class).value(body -> assertThat(body).contains("no longer get emails about mentions"));
        assertThat(getJson("/api/notifications/preferences", kim).get("channels").get("mention").get("email").asBoolean())
                .isFalse();
        http.get().uri(link.replaceAll("token=[^&]*", "token=forged")).exchange()
                .expectStatus().isNotFound();
    }

    @Test
    void announcementsReachTheirAudienceTheSenderIncludedAndOnlyAdminsAndRoomOwnersMaySendThem() {
        UserRef lea = new UserRef("u-lea-" + shortId(), "Lea", List.of("student"));
        UserRef max = new UserRef("u-max-" + shortId(), "Max", List.of("student"));
        awaitReply(send(lea, "s-lea", "notification:sync", Map.of()), "s-lea");
        String roomId = "r-" + shortId();
        publish(Topics.CHAT_EVENTS, roomId, new ChatEvents.RoomCreated(eventId(), roomId, "History", "public", ADA.id(), 1L));
        publish(Topics.CHAT_EVENTS, roomId, new ChatEvents.MemberJoined(eventId(), roomId, max.id(), 2L));
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM notification_room_members WHERE room_id = ?", roomId) == 2);

        JsonNode toStudents = postJson("/api/notifications/announcements", GRACE, Map.of("title", "Exams", "body",
                "Friday at 9", "priority", "high", "audience", Map.of("kind", "role", "id", "student")));
        assertThat(toStudents.get("priority").asString()).isEqualTo("high");
        Delivery.Event banner = awaitEvent(lea.id(), "notification:new", 1);
        assertThat(banner.data().get("kind").asString()).isEqualTo("announcement");
        assertThat(banner.data().get("title").asString()).isEqualTo("Exams");
        awaitEvent(GRACE.id(), "notification:new", 1);
        assertThat(eventsTo(ADA.id(), "notification:new")).noneMatch(e -> e.data().get("title").asString().equals("Exams"));

        JsonNode toRoom = postJson("/api/notifications/announcements", ADA, Map.of("title", "Room news", "body",
                "New chapter", "audience", Map.of("kind", "room", "id", roomId)));
        assertThat(toRoom.get("recipients").asInt()).isEqualTo(2);
        Delivery.Event roomBanner = awaitEvent(max.id(), "notification:new", 1);
        assertThat(roomBanner.data().get("title").asString()).isEqualTo("Room news");
        assertThat(roomBanner.data().get("priority").asString()).isEqualTo("normal");

        expectProblem(http.post().uri("/api/notifications/announcements").bodyValue(Map.of("title", "t", "body", "b",
                "audience", Map.of("kind", "all"))), ADA, 403, "FORBIDDEN");
        expectProblem(http.post().uri("/api/notifications/announcements").bodyValue(Map.of("title", "t", "body", "b",
                "audience", Map.of("kind", "room", "id", roomId))), lea, 403, "FORBIDDEN");
        expectProblem(http.post().uri("/api/notifications/announcements").bodyValue(Map.of("title", "", "body", "b",
                "audience", Map.of("kind", "all"))), GRACE, 400, "VALIDATION");
    }

    @Test
    void anEmailTheServerCanNeverTakeIsFailedForGoodAndShownToAdmins() throws Exception {
        String broken = "u-<broken-" + shortId();
        String roomId = "r-" + shortId();
        publish(Topics.CHAT_EVENTS, roomId, new ChatEvents.MessagePosted(eventId(), roomId, "m-1", 1, ADA.id(),
                "hello", List.of(broken), null, null, System.currentTimeMillis(), null));
        await().atMost(WAIT).until(() -> count(
                "SELECT count(*) FROM notification_emails WHERE user_id = ? AND status = 'failed'", broken) == 1);

        JsonNode failed = getJson("/api/notifications/admin/failed-deliveries", GRACE);
        JsonNode item = java.util.stream.StreamSupport.stream(failed.get("items").spliterator(), false)
                .filter(n -> n.get("userId").asString().equals(broken)).findFirst().orElseThrow();
        assertThat(item.get("attempts").asInt()).isEqualTo(1);
        assertThat(item.get("lastError").asString()).isNotBlank();
        assertThat(item.get("history")).extracting(h -> h.get("outcome").asString()).containsExactly("failed");
        expectProblem(http.get().uri("/api/notifications/admin/failed-deliveries"), ADA, 403, "FORBIDDEN");
    }

    // ---- helpers

    String bearer(UserRef user) {
        return "Bearer " + ISSUER.token(user.id(), user.name(), user.roles());
    }

    JsonNode getJson(String uri, UserRef user) {
        return body(http.get().uri(uri).header("Authorization", bearer(user)).exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody());
    }

    JsonNode putJson(String uri, UserRef user, Object body) {
        return body(http.put().uri(uri).header("Authorization", bearer(user)).bodyValue(body).exchange()
                .expectStatus().isOk().expectBody().returnResult().getResponseBody());
    }

    JsonNode postJson(String uri, UserRef user, Object body) {
        return body(http.post().uri(uri).header("Authorization", bearer(user)).bodyValue(body).exchange()
                .expectStatus().isCreated().expectBody().returnResult().getResponseBody());
    }

    void expectProblem(WebTestClient.RequestHeadersSpec<?> request, UserRef user, int status, String code) {
        request.header("Authorization", bearer(user)).exchange()
                .expectStatus().isEqualTo(status)
                .expectBody().jsonPath("$.code").isEqualTo(code);
    }

    /** Null members are left out of the JSON. */
    static boolean absent(JsonNode node, String field) {
        return node.get(field) == null || node.get(field).isNull();
    }

    static JsonNode body(byte[] bytes) {
        return MeshJson.read(new String(bytes, java.nio.charset.StandardCharsets.UTF_8), JsonNode.class);
    }

    static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    static String eventId() {
        return UUID.randomUUID().toString();
    }

    void publish(String topic, String key, Object event) {
        publishJson(topic, key, DomainEvents.write(event));
    }

    void publishJson(String topic, String key, String json) {
        try {
            producer.send(new ProducerRecord<>(topic, key, json)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    String send(UserRef user, String sessionId, String type, Object data) {
        String commandId = UUID.randomUUID().toString();
        CommandEnvelope envelope = new CommandEnvelope(commandId, type, MeshJson.tree(data), user,
                new CommandEnvelope.ReplyTo("gw-test", sessionId), System.currentTimeMillis());
        publishJson(Topics.NOTIFICATION_COMMANDS, user.id(), MeshJson.write(envelope));
        return commandId;
    }

    void pollDeliveries() {
        for (ConsumerRecord<String, String> record : deliveriesConsumer.poll(Duration.ofMillis(100))) {
            deliveries.add(MeshJson.read(record.value(), Delivery.class));
        }
    }

    Delivery.Reply awaitReply(String ref, String sessionId) {
        Predicate<Delivery> isReply = d -> d.reply() != null && ref.equals(d.reply().ref())
                && sessionId.equals(d.reply().sessionId());
        await().atMost(WAIT).until(() -> {
            pollDeliveries();
            return deliveries.stream().anyMatch(isReply);
        });
        return deliveries.stream().filter(isReply).findFirst().orElseThrow().reply();
    }

    /** Events of a type on a user's notification topic (to the topic audience). */
    List<Delivery.Event> eventsTo(String userId, String type) {
        String topic = StreamTopics.notificationsUser(userId);
        return deliveries.stream()
                .filter(d -> d.event() != null && d.audience().kind() == Delivery.Audience.Kind.topic
                        && topic.equals(d.audience().id()) && type.equals(d.event().type()))
                .map(Delivery::event)
                .toList();
    }

    /** The event with that seq (or, for seq null, the latest) once it has arrived. */
    Delivery.Event awaitEvent(String userId, String type, Integer seq) {
        Predicate<Delivery.Event> wanted = e -> seq == null || Long.valueOf(seq).equals(e.seq());
        await().atMost(WAIT).until(() -> {
            pollDeliveries();
            return eventsTo(userId, type).stream().anyMatch(wanted);
        });
        return eventsTo(userId, type).stream().filter(wanted).reduce((a, b) -> b).orElseThrow();
    }

    long lastUnread(String userId) {
        pollDeliveries();
        return awaitEvent(userId, "notification:unread", null).data().get("count").asLong();
    }

    int indexOf(Predicate<Delivery> predicate) {
        for (int i = 0; i < deliveries.size(); i++) {
            if (predicate.test(deliveries.get(i))) {
                return i;
            }
        }
        return -1;
    }

    static List<MimeMessage> mailsTo(String address) {
        return Arrays.stream(smtp.getReceivedMessages()).filter(m -> {
            try {
                return Arrays.stream(m.getAllRecipients()).anyMatch(a -> a.toString().equals(address));
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    static List<MimeMessage> awaitMails(String address, int n) {
        await().atMost(WAIT).until(() -> mailsTo(address).size() >= n);
        return mailsTo(address);
    }

    static String part(Part part, String mimeType) throws MessagingException, IOException {
        if (part.isMimeType(mimeType)) {
            return (String) part.getContent();
        }
        if (part.isMimeType("multipart/*")) {
            Multipart multipart = (Multipart) part.getContent();
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart body = multipart.getBodyPart(i);
                String found = part(body, mimeType);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    static long count(String sql, String arg) throws SQLException {
        try (Connection connection = DriverManager.getConnection(DB.jdbcUrl(), DB.username(), DB.password());
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, arg);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static GreenMail startSmtp() {
        GreenMail server = new GreenMail(new ServerSetup(SMTP_PORT, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        server.start();
        return server;
    }
}
