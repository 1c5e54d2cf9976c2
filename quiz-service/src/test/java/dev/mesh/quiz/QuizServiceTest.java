package dev.mesh.quiz;

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
import org.springframework.beans.factory.annotation.Autowired;
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
import dev.mesh.contracts.quiz.QuizCommands;
import dev.mesh.testkit.auth.TokenIssuer;
import dev.mesh.testkit.infra.MeshInfra;
import dev.mesh.testkit.kafka.TopicConsumers;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * quiz-service against real Kafka and PostgreSQL: authoring over HTTP, commands as the gateway
 * writes them, deliveries read as a gateway reads them, and the deadline scheduler's ticks going
 * through the service's own command topic.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.config.name=" + QuizServiceApplication.CONFIG_NAME)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuizServiceTest {

    private static final TokenIssuer ISSUER = new TokenIssuer(0);
    private static final MeshInfra.Database DB = MeshInfra.get().database("quiz_test");
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static final UserRef ADA = new UserRef("u-ada", "Ada", List.of("instructor"));
    private static final UserRef ALAN = new UserRef("u-alan", "Alan", List.of("student"));
    private static final UserRef BARBARA = new UserRef("u-barbara", "Barbara", List.of("student"));
    private static final UserRef EDSGER = new UserRef("u-edsger", "Edsger", List.of("instructor"));

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        MeshInfra.get().serviceProperties(DB).forEach((key, value) -> registry.add(key, () -> value));
        registry.add("mesh.security.issuer", ISSUER::issuerUri);
        registry.add("mesh.commands.apply-timeout", () -> "10s");
    }

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    private WebTestClient http;
    private KafkaProducer<String, String> commands;
    private KafkaConsumer<String, String> deliveriesConsumer;
    private KafkaConsumer<String, String> eventsConsumer;
    private final List<Delivery> deliveries = new ArrayList<>();
    private final List<JsonNode> events = new ArrayList<>();

    @BeforeAll
    void connect() {
        http = WebTestClient.bindToServer().baseUrl("http://localhost:" + port).responseTimeout(WAIT).build();
        commands = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, MeshInfra.get().kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
        deliveriesConsumer = TopicConsumers.fromEnd(Topics.GATEWAY_DELIVERIES);
        eventsConsumer = TopicConsumers.fromEnd(Topics.QUIZ_EVENTS);
    }

    @AfterAll
    void disconnect() {
        commands.close();
        deliveriesConsumer.close();
        eventsConsumer.close();
        ISSUER.close();
    }

    // ---- authoring ----

    @Test
    void anInstructorAuthorsAQuizAndOnlyTheOwnerEditsIt() {
        JsonNode quiz = createQuiz(ADA, twoQuestions(false));
        String id = quiz.get("id").asString();
        assertThat(quiz.get("title").asString()).isEqualTo("Arithmetic");
        assertThat(quiz.get("questions")).hasSize(2);
        assertThat(quiz.get("questions").get(0).get("timeLimitSeconds").asInt()).isEqualTo(5);
        assertThat(quiz.get("questions").get(1).get("points").asInt()).isEqualTo(1000);
        assertThat(quiz.get("settings").get("showLeaderboard").asBoolean()).isTrue();

        http.post().uri("/api/quiz/quizzes").header(HttpHeaders.AUTHORIZATION, bearer(ALAN))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(twoQuestions(false)).exchange()
                .expectStatus().isForbidden().expectBody().jsonPath("$.code").isEqualTo("FORBIDDEN");
        http.post().uri("/api/quiz/quizzes").header(HttpHeaders.AUTHORIZATION, bearer(ADA))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("title", "Bad", "questions", List.of(Map.of("type", "single", "text", "?",
                        "options", List.of("a"), "correct", 0))))
                .exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo("VALIDATION")
                .jsonPath("$.detail").isEqualTo("questions[0].options must be a list of 2 to 6 options");

        http.get().uri("/api/quiz/quizzes/{id}", id).header(HttpHeaders.AUTHORIZATION, bearer(EDSGER)).exchange()
                .expectStatus().isForbidden();
        http.put().uri("/api/quiz/quizzes/{id}", id).header(HttpHeaders.AUTHORIZATION, bearer(EDSGER))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(twoQuestions(false)).exchange()
                .expectStatus().isForbidden();
        Map<String, Object> renamed = new java.util.HashMap<>(twoQuestions(false));
        renamed.put("title", "Arithmetic II");
        http.put().uri("/api/quiz/quizzes/{id}", id).header(HttpHeaders.AUTHORIZATION, bearer(ADA))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(renamed).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.title").isEqualTo("Arithmetic II");
        http.get().uri("/api/quiz/quizzes").header(HttpHeaders.AUTHORIZATION, bearer(ADA)).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.items[?(@.id == '" + id + "')].title").isEqualTo("Arithmetic II");
        http.delete().uri("/api/quiz/quizzes/{id}", id).header(HttpHeaders.AUTHORIZATION, bearer(ADA)).exchange()
                .expectStatus().isNoContent();
        http.get().uri("/api/quiz/quizzes/{id}", id).header(HttpHeaders.AUTHORIZATION, bearer(ADA)).exchange()
                .expectStatus().isNotFound().expectBody().jsonPath("$.code").isEqualTo("NOT_FOUND");
        http.get().uri("/api/quiz/quizzes").exchange().expectStatus().isUnauthorized();
    }

    // ---- a game ----

    @Test
    void aGameRunsFromTheLobbyToCompletionWithTheServersClock() throws SQLException {
        String quizId = createQuiz(ADA, twoQuestions(false)).get("id").asString();
        JsonNode hosted = ok(awaitReply(send(ADA, "s-ada", quizId, QuizCommands.HOST, Map.of("quizId", quizId, "roomId", "r-1")), "s-ada"));
        String sessionId = hosted.get("sessionId").asString();
        String code = hosted.get("joinCode").asString();
        assertThat(code).matches("\\d{6}");
        assertThat(hosted.get("state").asString()).isEqualTo("lobby");
        assertThat(attachOf("s-ada", "quiz:session:" + sessionId)).isNotNull();
        assertThat(attachOf("s-ada", "quiz:session:" + sessionId + ":host")).isNotNull();
        JsonNode opened = awaitEvent("QuizSessionOpened", sessionId);
        assertThat(opened.get("roomId").asString()).isEqualTo("r-1");

        http.get().uri("/api/quiz/sessions/by-code/{code}", code).header(HttpHeaders.AUTHORIZATION, bearer(ALAN)).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.sessionId").isEqualTo(sessionId)
                .jsonPath("$.state").isEqualTo("lobby");
        http.get().uri("/api/quiz/sessions/by-code/{code}", "12345").header(HttpHeaders.AUTHORIZATION, bearer(ALAN)).exchange()
                .expectStatus().isNotFound();

        JsonNode alanJoined = ok(awaitReply(send(ALAN, "s-alan", sessionId, QuizCommands.JOIN, Map.of("sessionId", sessionId)), "s-alan"));
        assertThat(alanJoined.get("state").asString()).isEqualTo("lobby");
        assertThat(alanJoined.get("participants").asInt()).isEqualTo(1);
        assertThat(attachOf("s-alan", "quiz:session:" + sessionId).attach().fromSeq()).isEqualTo(alanJoined.get("lastSeq").asLong() + 1);
        ok(awaitReply(send(BARBARA, "s-barbara", sessionId, QuizCommands.JOIN, Map.of("sessionId", sessionId)), "s-barbara"));
        assertThat(awaitTopicEvent(sessionId, "quiz:participant_update", e -> e.data().get("count").asInt() == 2)).isNotNull();

        // Only the host drives; a student's start is refused.
        Delivery.Reply refused = awaitReply(send(ALAN, "s-alan", sessionId, QuizCommands.START, Map.of("sessionId", sessionId)), "s-alan");
        assertThat(refused.code()).isEqualTo("FORBIDDEN");

        JsonNode started = ok(awaitReply(send(ADA, "s-ada", sessionId, QuizCommands.START, Map.of("sessionId", sessionId)), "s-ada"));
        assertThat(started.get("state").asString()).isEqualTo("question");
        Delivery.Event q0 = awaitTopicEvent(sessionId, "quiz:question", e -> e.data().get("index").asInt() == 0);
        assertThat(q0.seq()).isNotNull();
        assertThat(q0.data().has("correct")).isFalse();
        assertThat(q0.data().get("options")).hasSize(3);
        assertThat(q0.data().get("total").asInt()).isEqualTo(2);
        long deadline0 = q0.data().get("deadline").asLong();
        awaitEvent("QuizStarted", sessionId);
        awaitEvent("QuestionOpened", sessionId);

        // A second start is an illegal transition.
        assertThat(awaitReply(send(ADA, "s-ada", sessionId, QuizCommands.START, Map.of("sessionId", sessionId)), "s-ada").message())
                .isEqualTo("The quiz has already started");

        // Alan answers right 1 s into the question (by the gateway's clock), Barbara wrong.
        long alanAt = deadline0 - 4_000;
        JsonNode submitted = ok(awaitReply(sendAt(ALAN, "s-alan", sessionId, QuizCommands.ANSWER,
                Map.of("sessionId", sessionId, "questionIndex", 0, "answer", 1), alanAt), "s-alan"));
        assertThat(submitted.get("accepted").asBoolean()).isTrue();
        assertThat(submitted.has("isCorrect")).isFalse();
        Delivery.Event count = awaitDelivery(d -> d.event() != null && "quiz:answer_count".equals(d.event().type())
                && ("quiz:session:" + sessionId + ":host").equals(d.audience().id())).event();
        assertThat(count.data().get("answered").asInt()).isEqualTo(1);
        assertThat(count.data().get("total").asInt()).isEqualTo(2);

        // A second answer, even from another socket: CONFLICT, and the first one stands.
        Delivery.Reply twice = awaitReply(sendAt(ALAN, "s-alan-phone", sessionId, QuizCommands.ANSWER,
                Map.of("sessionId", sessionId, "questionIndex", 0, "answer", 2), alanAt + 100), "s-alan-phone");
        assertThat(twice.code()).isEqualTo("CONFLICT");
        assertThat(twice.message()).isEqualTo("You have already answered this question");

        // Someone who never joined cannot answer, and is not counted.
        Delivery.Reply stranger = awaitReply(sendAt(EDSGER, "s-edsger", sessionId, QuizCommands.ANSWER,
                Map.of("sessionId", sessionId, "questionIndex", 0, "answer", 1), alanAt + 200), "s-edsger");
        assertThat(stranger.code()).isEqualTo("FORBIDDEN");
        assertThat(stranger.message()).isEqualTo("Join the session before answering");

        ok(awaitReply(sendAt(BARBARA, "s-barbara", sessionId, QuizCommands.ANSWER,
                Map.of("sessionId", sessionId, "questionIndex", 0, "answer", 0), alanAt + 500), "s-barbara"));

        // Everyone answered: revealed at once, with results, leaderboard and each one's rank.
        Delivery.Event results = awaitTopicEvent(sessionId, "quiz:question:results", e -> e.data().get("index").asInt() == 0);
        assertThat(results.data().get("correct").asInt()).isEqualTo(1);
        assertThat(results.data().get("explanation").asString()).isEqualTo("Two and two");
        assertThat(results.data().get("distribution")).isEqualTo(MeshJson.tree(List.of(1, 1, 0)));
        assertThat(results.data().get("correctCount").asInt()).isEqualTo(1);
        Delivery.Event leaderboard = awaitTopicEvent(sessionId, "quiz:leaderboard", e -> true);
        assertThat(leaderboard.seq()).isNull();
        int alanScore = (int) Math.round(1000 * (0.7 + 0.3 * 4_000 / 5_000.0));
        assertThat(leaderboard.data().get("top").get(0).get("userId").asString()).isEqualTo(ALAN.id());
        assertThat(leaderboard.data().get("top").get(0).get("score").asInt()).isEqualTo(alanScore);
        Delivery rank = awaitDelivery(d -> d.event() != null && "quiz:rank".equals(d.event().type())
                && d.audience().kind() == Delivery.Audience.Kind.user && BARBARA.id().equals(d.audience().id()));
        assertThat(rank.event().data().get("rank").asInt()).isEqualTo(2);
        assertThat(rank.event().data().get("score").asInt()).isZero();

        // With autoAdvance and a 1 s pause, the scheduler opens the next question.
        Delivery.Event q1 = awaitTopicEvent(sessionId, "quiz:question", e -> e.data().get("index").asInt() == 1);
        assertThat(q1.data().get("type").asString()).isEqualTo("true_false");

        // Rejoin from another device: score and answers are back, with the open question and its deadline.
        JsonNode rejoined = ok(awaitReply(send(ALAN, "s-alan-laptop", sessionId, QuizCommands.JOIN, Map.of("sessionId", sessionId)), "s-alan-laptop"));
        assertThat(rejoined.get("state").asString()).isEqualTo("question");
        assertThat(rejoined.get("score").asInt()).isEqualTo(alanScore);
        assertThat(rejoined.get("answers")).hasSize(1);
        assertThat(rejoined.get("answers").get(0).get("isCorrect").asBoolean()).isTrue();
        assertThat(rejoined.get("question").get("index").asInt()).isEqualTo(1);
        assertThat(rejoined.get("question").get("deadline").asLong()).isEqualTo(q1.data().get("deadline").asLong());
        assertThat(rejoined.get("participants").asInt()).isEqualTo(2);

        // A late answer (after deadline + grace, by the gateway's clock) is refused; only Alan answers in time.
        long deadline1 = q1.data().get("deadline").asLong();
        Delivery.Reply late = awaitReply(sendAt(BARBARA, "s-barbara", sessionId, QuizCommands.ANSWER,
                Map.of("sessionId", sessionId, "questionIndex", 1, "answer", true), deadline1 + 501), "s-barbara");
        assertThat(late.code()).isEqualTo("VALIDATION");
        assertThat(late.message()).isEqualTo("time is up");
        ok(awaitReply(sendAt(ALAN, "s-alan", sessionId, QuizCommands.ANSWER,
                Map.of("sessionId", sessionId, "questionIndex", 1, "answer", true), deadline1 + 400), "s-alan"));

        // Barbara never answers: the stored deadline reveals it, and the last reveal completes the quiz.
        Delivery.Event completed = awaitTopicEvent(sessionId, "quiz:completed", e -> true);
        JsonNode ranking = completed.data().get("ranking");
        assertThat(ranking).hasSize(2);
        assertThat(ranking.get(0).get("userId").asString()).isEqualTo(ALAN.id());
        assertThat(ranking.get(0).get("score").asInt()).isEqualTo(alanScore + 700);
        assertThat(ranking.get(0).get("correct").asInt()).isEqualTo(2);
        assertThat(ranking.get(0).get("totalTimeMs").asLong()).isEqualTo(1_000 + 5_000);
        assertThat(ranking.get(1).get("totalTimeMs").asLong()).isEqualTo(1_500 + 5_000);
        JsonNode quizCompleted = awaitEvent("QuizCompleted", sessionId);
        assertThat(quizCompleted.get("ranking")).isEqualTo(ranking);
        assertThat(quizCompleted.get("roomId").asString()).isEqualTo("r-1");

        // Stored results equal what the clients saw.
        http.get().uri("/api/quiz/sessions/{id}/results", sessionId).header(HttpHeaders.AUTHORIZATION, bearer(ALAN)).exchange()
                .expectStatus().isForbidden();
        JsonNode stored = MeshJson.read(new String(http.get().uri("/api/quiz/sessions/{id}/results", sessionId)
                .header(HttpHeaders.AUTHORIZATION, bearer(ADA)).exchange()
                .expectStatus().isOk().expectBody().returnResult().getResponseBodyContent()), JsonNode.class);
        assertThat(stored.get("state").asString()).isEqualTo("completed");
        assertThat(stored.get("ranking")).isEqualTo(ranking);
        assertThat(stored.get("answers")).hasSize(3);
        String csv = new String(http.get().uri("/api/quiz/sessions/{id}/results.csv", sessionId)
                .header(HttpHeaders.AUTHORIZATION, bearer(ADA)).exchange()
                .expectStatus().isOk().expectHeader().contentTypeCompatibleWith("text/csv")
                .expectBody().returnResult().getResponseBodyContent());
        assertThat(csv.split("\r\n")).hasSize(3);
        assertThat(csv.split("\r\n")[1]).startsWith("1,u-alan,Alan," + (alanScore + 700) + ",2,6000,1,true," + alanScore + ",1000,true,true,700,5000");
        assertThat(count("SELECT count(*) FROM quiz_answers WHERE session_id = ?", sessionId)).isEqualTo(3);

        // The code is free again once the session is over; the session is still there for its results.
        http.get().uri("/api/quiz/sessions/by-code/{code}", code).header(HttpHeaders.AUTHORIZATION, bearer(ALAN)).exchange()
                .expectStatus().isNotFound();
        Delivery.Reply over = awaitReply(send(ADA, "s-ada", sessionId, QuizCommands.END, Map.of("sessionId", sessionId)), "s-ada");
        assertThat(over.code()).isEqualTo("CONFLICT");
        assertThat(over.message()).isEqualTo("The quiz is completed");
    }

    /**
     * A burst: the answers of one poll are judged, stored, credited and counted together (one
     * lock and one statement), and each still gets its own answer — an ack, or CONFLICT for a
     * second answer, FORBIDDEN for someone who never joined and for the host, the first result
     * again for a retry with the same id; then one reveal.
     */
    @Test
    void aBurstOfAnswersIsStoredTogetherAndEachIsAnsweredOnItsOwn() throws SQLException {
        String quizId = createQuiz(ADA, twoQuestions(false)).get("id").asString();
        String sessionId = ok(awaitReply(send(ADA, "s-ada", quizId, QuizCommands.HOST, Map.of("quizId", quizId, "roomId", "r-2")),
                "s-ada")).get("sessionId").asString();
        List<UserRef> players = new ArrayList<>();
        List<String[]> joins = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            UserRef player = new UserRef("u-burst-" + i, "Player " + i, List.of("student"));
            players.add(player);
            joins.add(new String[] {sendAsync(player, "s-burst-" + i, sessionId, QuizCommands.JOIN,
                    Map.of("sessionId", sessionId), System.currentTimeMillis(), null), "s-burst-" + i});
        }
        commands.flush();
        joins.forEach(join -> ok(awaitReply(join[0], join[1])));
        ok(awaitReply(send(ADA, "s-ada", sessionId, QuizCommands.START, Map.of("sessionId", sessionId)), "s-ada"));
        long deadline = awaitTopicEvent(sessionId, "quiz:question", e -> e.data().get("index").asInt() == 0)
                .data().get("deadline").asLong();

        // Every player answers 1 s into the question: the even ones right (1), the odd ones wrong (0).
        // Right after the first one (before the last answer reveals the question): a retry of it with
        // the same id, a second answer from another socket, a stranger's and the host's.
        long at = deadline - 4_000;
        Map<String, String> answerOf = new java.util.LinkedHashMap<>();
        String retry = null;
        String second = null;
        String stranger = null;
        String host = null;
        for (int i = 0; i < players.size(); i++) {
            String id = sendAsync(players.get(i), "s-burst-" + i, sessionId, QuizCommands.ANSWER,
                    Map.of("sessionId", sessionId, "questionIndex", 0, "answer", i % 2 == 0 ? 1 : 0), at + i, null);
            answerOf.put(id, "s-burst-" + i);
            if (i == 0) {
                retry = sendAsync(players.get(0), "s-burst-0", sessionId, QuizCommands.ANSWER,
                        Map.of("sessionId", sessionId, "questionIndex", 0, "answer", 1), at, id);
                second = sendAsync(players.get(0), "s-burst-0-phone", sessionId, QuizCommands.ANSWER,
                        Map.of("sessionId", sessionId, "questionIndex", 0, "answer", 0), at + 50, null);
                stranger = sendAsync(EDSGER, "s-edsger", sessionId, QuizCommands.ANSWER,
                        Map.of("sessionId", sessionId, "questionIndex", 0, "answer", 1), at + 60, null);
                host = sendAsync(ADA, "s-ada", sessionId, QuizCommands.ANSWER,
                        Map.of("sessionId", sessionId, "questionIndex", 0, "answer", 1), at + 70, null);
            }
        }
        String firstId = answerOf.keySet().iterator().next();
        commands.flush();

        Map<String, JsonNode> acks = new java.util.HashMap<>();
        answerOf.forEach((id, socket) -> acks.put(id, ok(awaitReply(id, socket))));
        assertThat(acks.values()).allMatch(ack -> ack.get("accepted").asBoolean() && ack.get("questionIndex").asInt() == 0);
        assertThat(ok(awaitReply(retry, "s-burst-0"))).isEqualTo(acks.get(firstId));
        Delivery.Reply twice = awaitReply(second, "s-burst-0-phone");
        assertThat(twice.code()).isEqualTo("CONFLICT");
        assertThat(twice.message()).isEqualTo("You have already answered this question");
        assertThat(awaitReply(stranger, "s-edsger").message()).isEqualTo("Join the session before answering");
        assertThat(awaitReply(host, "s-ada").message()).isEqualTo("The host does not answer");

        // Everyone answered: one reveal, counting each answer once.
        Delivery.Event results = awaitTopicEvent(sessionId, "quiz:question:results", e -> e.data().get("index").asInt() == 0);
        assertThat(results.data().get("answered").asInt()).isEqualTo(30);
        assertThat(results.data().get("correctCount").asInt()).isEqualTo(15);
        assertThat(results.data().get("distribution")).isEqualTo(MeshJson.tree(List.of(15, 15, 0)));
        Delivery.Event lastCount = awaitDelivery(d -> d.event() != null && "quiz:answer_count".equals(d.event().type())
                && ("quiz:session:" + sessionId + ":host").equals(d.audience().id())
                && d.event().data().get("answered").asInt() == 30).event();
        assertThat(lastCount.data().get("total").asInt()).isEqualTo(30);
        assertThat(count("SELECT count(*) FROM quiz_answers WHERE session_id = ?", sessionId)).isEqualTo(30);
        assertThat(count("SELECT count(*) FROM quiz_participants WHERE session_id = ? AND score > 0 AND correct = 1", sessionId))
                .isEqualTo(15);
        assertThat(count("SELECT count(*) FROM quiz_participants WHERE session_id = ? AND score = 0 AND correct = 0", sessionId))
                .isEqualTo(15);
        // And they were applied together, not one by one.
        assertThat(meters.find("mesh.commands.together").tag("type", QuizCommands.ANSWER).summary())
                .isNotNull()
                .satisfies(together -> assertThat(together.max()).isGreaterThan(1));
    }

    @Test
    void theHostPausesResumesAndEnds_andLateJoinsFollowTheSetting() {
        String quizId = createQuiz(ADA, twoQuestions(false)).get("id").asString();
        String sessionId = ok(awaitReply(send(ADA, "s-ada", quizId, QuizCommands.HOST, Map.of("quizId", quizId)), "s-ada"))
                .get("sessionId").asString();
        long alanSince = ok(awaitReply(send(ALAN, "s-alan", sessionId, QuizCommands.JOIN, Map.of("sessionId", sessionId)), "s-alan"))
                .get("lastSeq").asLong();
        Delivery.Reply nothingToPause = awaitReply(send(ADA, "s-ada", sessionId, QuizCommands.PAUSE, Map.of("sessionId", sessionId)), "s-ada");
        assertThat(nothingToPause.code()).isEqualTo("CONFLICT");
        ok(awaitReply(send(ADA, "s-ada", sessionId, QuizCommands.START, Map.of("sessionId", sessionId)), "s-ada"));

        Delivery.Reply tooLate = awaitReply(send(BARBARA, "s-barbara", sessionId, QuizCommands.JOIN, Map.of("sessionId", sessionId)), "s-barbara");
        assertThat(tooLate.code()).isEqualTo("CONFLICT");
        assertThat(tooLate.message()).isEqualTo("The quiz has already started and does not take late joins");

        JsonNode paused = ok(awaitReply(send(ADA, "s-ada", sessionId, QuizCommands.PAUSE, Map.of("sessionId", sessionId)), "s-ada"));
        assertThat(paused.get("state").asString()).isEqualTo("paused");
        Delivery.Event state = awaitTopicEvent(sessionId, "quiz:state", e -> "paused".equals(e.data().get("state").asString()));
        assertThat(state.data().get("remainingMs").asLong()).isBetween(1L, 5_000L);
        Delivery.Reply whilePaused = awaitReply(send(ALAN, "s-alan", sessionId, QuizCommands.ANSWER,
                Map.of("sessionId", sessionId, "questionIndex", 0, "answer", 1)), "s-alan");
        assertThat(whilePaused.code()).isEqualTo("CONFLICT");
        JsonNode rejoined = ok(awaitReply(send(ALAN, "s-alan-2", sessionId, QuizCommands.JOIN, Map.of("sessionId", sessionId)), "s-alan-2"));
        assertThat(rejoined.get("state").asString()).isEqualTo("paused");
        assertThat(rejoined.get("remainingMs").asLong()).isEqualTo(state.data().get("remainingMs").asLong());
        // A client that says what it saw last gets what it missed, in seq order, before its ack.
        String resume = send(ALAN, "s-alan-3", sessionId, QuizCommands.JOIN, Map.of("sessionId", sessionId, "sinceSeq", alanSince));
        JsonNode resumed0 = ok(awaitReply(resume, "s-alan-3"));
        assertThat(resumed0.get("recovered").asBoolean()).isTrue();
        List<Delivery.Event> replayed = deliveries.stream()
                .filter(d -> d.event() != null && d.audience().kind() == Delivery.Audience.Kind.session
                        && "s-alan-3".equals(d.audience().id()))
                .map(Delivery::event).toList();
        assertThat(replayed).extracting(Delivery.Event::type).containsExactly("quiz:question", "quiz:state");
        assertThat(replayed).extracting(Delivery.Event::seq)
                .containsExactly(alanSince + 1, alanSince + 2);
        assertThat(resumed0.get("lastSeq").asLong()).isEqualTo(alanSince + 2);

        ok(awaitReply(send(ADA, "s-ada", sessionId, QuizCommands.RESUME, Map.of("sessionId", sessionId)), "s-ada"));
        Delivery.Event resumed = awaitTopicEvent(sessionId, "quiz:state", e -> "question".equals(e.data().get("state").asString()));
        assertThat(resumed.data().get("deadline").asLong()).isPositive();
        ok(awaitReply(send(ALAN, "s-alan", sessionId, QuizCommands.ANSWER,
                Map.of("sessionId", sessionId, "questionIndex", 0, "answer", 1)), "s-alan"));

        JsonNode ended = ok(awaitReply(send(ADA, "s-ada", sessionId, QuizCommands.END, Map.of("sessionId", sessionId)), "s-ada"));
        assertThat(ended.get("state").asString()).isEqualTo("completed");
        assertThat(awaitTopicEvent(sessionId, "quiz:completed", e -> true).data().get("ranking")).hasSize(1);

        // A session that never started is cancelled.
        String other = ok(awaitReply(send(ADA, "s-ada", quizId, QuizCommands.HOST, Map.of("quizId", quizId)), "s-ada"))
                .get("sessionId").asString();
        assertThat(ok(awaitReply(send(ADA, "s-ada", other, QuizCommands.END, Map.of("sessionId", other)), "s-ada"))
                .get("state").asString()).isEqualTo("cancelled");
        assertThat(awaitTopicEvent(other, "quiz:state", e -> "cancelled".equals(e.data().get("state").asString()))).isNotNull();
    }

    @Test
    void onlyTheOwnerHosts_andAStaleTickDoesNothing() throws SQLException {
        String quizId = createQuiz(ADA, twoQuestions(false)).get("id").asString();
        Delivery.Reply notOwner = awaitReply(send(EDSGER, "s-edsger", quizId, QuizCommands.HOST, Map.of("quizId", quizId)), "s-edsger");
        assertThat(notOwner.code()).isEqualTo("FORBIDDEN");
        Delivery.Reply missing = awaitReply(send(ADA, "s-ada", "nope", QuizCommands.HOST, Map.of("quizId", "nope")), "s-ada");
        assertThat(missing.code()).isEqualTo("NOT_FOUND");

        String sessionId = ok(awaitReply(send(ADA, "s-ada", quizId, QuizCommands.HOST, Map.of("quizId", quizId)), "s-ada"))
                .get("sessionId").asString();
        ok(awaitReply(send(ALAN, "s-alan", sessionId, QuizCommands.JOIN, Map.of("sessionId", sessionId)), "s-alan"));
        ok(awaitReply(send(ADA, "s-ada", sessionId, QuizCommands.START, Map.of("sessionId", sessionId)), "s-ada"));
        long version = count("SELECT state_version FROM quiz_sessions WHERE id = ?", sessionId);

        // A tick made for an older version (a zombie owner's) and one before the deadline change nothing.
        send(ADA, "x", sessionId, QuizCommands.TICK, Map.of("sessionId", sessionId, "index", 0, "stateVersion", version - 1));
        send(ADA, "x", sessionId, QuizCommands.TICK, Map.of("sessionId", sessionId, "index", 0, "stateVersion", version));
        // A command after them in the same partition: once it is answered, the ticks were applied.
        ok(awaitReply(send(ALAN, "s-alan", sessionId, QuizCommands.JOIN, Map.of("sessionId", sessionId)), "s-alan"));
        assertThat(count("SELECT state_version FROM quiz_sessions WHERE id = ?", sessionId)).isEqualTo(version);
        ok(awaitReply(send(ADA, "s-ada", sessionId, QuizCommands.END, Map.of("sessionId", sessionId)), "s-ada"));
    }

    // ---- helpers ----

    /** Two questions of 5 s: a single choice (correct: 1) and a true/false (correct: true); 1 s between them. */
    private static Map<String, Object> twoQuestions(boolean allowLateJoin) {
        return Map.of("title", "Arithmetic",
                "questions", List.of(
                        Map.of("type", "single", "text", "2 + 2?", "options", List.of("3", "4", "5"), "correct", 1,
                                "timeLimitSeconds", 5, "explanation", "Two and two"),
                        Map.of("type", "true_false", "text", "1 + 1 = 2", "correct", true, "timeLimitSeconds", 5)),
                "settings", Map.of("allowLateJoin", allowLateJoin, "pauseBetweenQuestionsSeconds", 1));
    }

    private JsonNode createQuiz(UserRef author, Map<String, Object> body) {
        byte[] created = http.post().uri("/api/quiz/quizzes").header(HttpHeaders.AUTHORIZATION, bearer(author))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
                .expectStatus().isCreated().expectBody().returnResult().getResponseBodyContent();
        return MeshJson.read(new String(created), JsonNode.class);
    }

    private String bearer(UserRef user) {
        return "Bearer " + ISSUER.token(user.id(), user.name(), user.roles());
    }

    private static JsonNode ok(Delivery.Reply reply) {
        assertThat(reply.ok()).as(reply.code() + " " + reply.message()).isTrue();
        return reply.data();
    }

    private String send(UserRef user, String sessionId, String key, String type, Object data) {
        return sendAt(user, sessionId, key, type, data, System.currentTimeMillis());
    }

    /** Sends without waiting for the broker (a burst lands in one poll); {@code commandId} null: a fresh one. */
    private String sendAsync(UserRef user, String sessionId, String key, String type, Object data, long receivedAt,
                             String commandId) {
        String id = commandId != null ? commandId : UUID.randomUUID().toString();
        CommandEnvelope envelope = new CommandEnvelope(id, type, MeshJson.tree(data), user,
                new CommandEnvelope.ReplyTo("gw-test", sessionId), receivedAt);
        commands.send(new ProducerRecord<>(Topics.QUIZ_COMMANDS, key, MeshJson.write(envelope)));
        return id;
    }

    /** A command as the gateway writes it, received at {@code receivedAt} by the gateway's clock. */
    private String sendAt(UserRef user, String sessionId, String key, String type, Object data, long receivedAt) {
        String commandId = UUID.randomUUID().toString();
        CommandEnvelope envelope = new CommandEnvelope(commandId, type, MeshJson.tree(data), user,
                new CommandEnvelope.ReplyTo("gw-test", sessionId), receivedAt);
        try {
            commands.send(new ProducerRecord<>(Topics.QUIZ_COMMANDS, key, MeshJson.write(envelope))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return commandId;
    }

    /** The reply to a command at a session; every delivery read on the way is kept. */
    private Delivery.Reply awaitReply(String ref, String sessionId) {
        Predicate<Delivery> isReply = d -> d.reply() != null && ref.equals(d.reply().ref())
                && sessionId.equals(d.reply().sessionId());
        await().atMost(WAIT).until(() -> {
            poll();
            return deliveries.stream().anyMatch(isReply);
        });
        return deliveries.stream().filter(isReply).findFirst().map(Delivery::reply).orElseThrow();
    }

    private Delivery awaitDelivery(Predicate<Delivery> what) {
        await().atMost(WAIT).until(() -> {
            poll();
            return deliveries.stream().anyMatch(what);
        });
        return deliveries.stream().filter(what).findFirst().orElseThrow();
    }

    private Delivery.Event awaitTopicEvent(String sessionId, String type, Predicate<Delivery.Event> what) {
        return awaitDelivery(d -> d.event() != null && d.audience().kind() == Delivery.Audience.Kind.topic
                && ("quiz:session:" + sessionId).equals(d.audience().id()) && type.equals(d.event().type())
                && what.test(d.event())).event();
    }

    private Delivery attachOf(String session, String topic) {
        return awaitDelivery(d -> d.attach() != null && d.attach().sessionId().equals(session) && d.attach().topic().equals(topic));
    }

    private JsonNode awaitEvent(String type, String sessionId) {
        Predicate<JsonNode> what = e -> DomainEvents.typeOf(e).orElse("").equals(type)
                && sessionId.equals(e.path("sessionId").asString());
        await().atMost(WAIT).until(() -> {
            for (ConsumerRecord<String, String> record : eventsConsumer.poll(Duration.ofMillis(100))) {
                events.add(MeshJson.read(record.value(), JsonNode.class));
            }
            return events.stream().anyMatch(what);
        });
        return events.stream().filter(what).findFirst().orElseThrow();
    }

    private void poll() {
        for (ConsumerRecord<String, String> record : deliveriesConsumer.poll(Duration.ofMillis(100))) {
            deliveries.add(MeshJson.read(record.value(), Delivery.class));
        }
    }

    private static long count(String sql, Object... parameters) throws SQLException {
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
}
