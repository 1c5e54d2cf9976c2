package dev.mesh.dev;

import static dev.mesh.dev.QuizEndToEndTest.ack;
import static dev.mesh.dev.QuizEndToEndTest.connect;
import static dev.mesh.dev.QuizEndToEndTest.get;
import static dev.mesh.dev.QuizEndToEndTest.index;
import static dev.mesh.dev.QuizEndToEndTest.isEvent;
import static dev.mesh.dev.TestMesh.WAIT;
import static dev.mesh.dev.TestMesh.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.testkit.ws.WsTestClient;

/**
 * Two quiz-service instances share the quiz's command partitions; the one that owns a running
 * session's partition dies in the middle of a question. The other takes the partition, reloads
 * the session from the database and finishes the game from the stored deadline: answers
 * acknowledged before the crash are kept, a retry of one is answered from its first result and
 * not counted twice, and the ranking is what the database holds.
 */
class QuizFailoverTest {

    private static final int PLAYERS = 6;

    private static TestMesh mesh;

    @BeforeAll
    static void startMesh() {
        mesh = TestMesh.get();
    }

    @Test
    void theGameCompletesWhenTheSessionsOwnerDiesMidQuestion() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        MeshLauncher launcher = mesh.mesh;
        ConfigurableApplicationContext primary = launcher.service(MeshLauncher.Service.QUIZ);
        ConfigurableApplicationContext second = launcher.startInstance(MeshLauncher.Service.QUIZ);
        boolean primaryStopped = false;
        boolean secondStopped = false;
        List<WsTestClient> players = new ArrayList<>();
        try {
            // Concurrency = partitions, so the first instance keeps every partition while both are up (the
            // sticky assignment moves nothing to the newcomer): the second one is a hot standby here.
            awaitUntil(() -> listener(second).isRunning() && assigned(primary).size() + assigned(second).size() == partitionsOf(primary),
                    "the command partitions are assigned");

            String hostToken = TestMesh.token("teacher-" + run, "instructor");
            String quizId = createQuiz(hostToken);
            try (WsTestClient host = connect(mesh.gateway1, "teacher-" + run, "instructor")) {
                JsonNode hosted = ack(host, "quiz:host", Map.of("quizId", quizId));
                String sessionId = hosted.get("sessionId").asString();
                String topic = "quiz:session:" + sessionId;
                for (int i = 0; i < PLAYERS; i++) {
                    WsTestClient player = connect(i % 2 == 0 ? mesh.gateway1 : mesh.gateway2, "fplayer" + i + "-" + run, "student");
                    players.add(player);
                    ack(player, "quiz:join", Map.of("sessionId", sessionId));
                }
                ack(host, "quiz:start", Map.of("sessionId", sessionId));
                for (WsTestClient p : players) {
                    p.await(f -> isEvent(f, "quiz:question", topic) && index(f) == 0, WAIT);
                }

                // Three answers are acknowledged by the session's owner...
                List<String> retryFrame = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    String id = UUID.randomUUID().toString();
                    String frame = MeshJson.write(Map.of("type", "quiz:answer", "id", id,
                            "data", Map.of("sessionId", sessionId, "questionIndex", 0, "answer", 1)));
                    players.get(i).send(frame);
                    JsonNode reply = players.get(i).awaitReply(id, WAIT);
                    assertThat(text(reply, "type")).as(reply.toString()).isEqualTo("ack");
                    if (i == 0) {
                        retryFrame.add(id);
                        retryFrame.add(frame);
                        retryFrame.add(MeshJson.write(reply.get("data")));
                    }
                }
                // ...which then dies in the middle of the question.
                ConfigurableApplicationContext owner = ownerOf(sessionId, primary, second);
                launcher.stopInstance(owner);
                if (owner == primary) {
                    primaryStopped = true;
                } else {
                    secondStopped = true;
                }

                // The survivor takes over: later answers are accepted, a retried one gets its first result.
                for (int i = 3; i < 5; i++) {
                    JsonNode submitted = ack(players.get(i), "quiz:answer",
                            Map.of("sessionId", sessionId, "questionIndex", 0, "answer", i == 3 ? 1 : 0));
                    assertThat(submitted.get("accepted").asBoolean()).isTrue();
                }
                players.get(0).send(retryFrame.get(1));
                JsonNode retried = players.get(0).awaitReply(retryFrame.get(0), WAIT);
                assertThat(text(retried, "type")).as(retried.toString()).isEqualTo("ack");
                assertThat(MeshJson.write(retried.get("data"))).isEqualTo(retryFrame.get(2));
                JsonNode twice = players.get(1).awaitReply(players.get(1).sendCommand("quiz:answer",
                        Map.of("sessionId", sessionId, "questionIndex", 0, "answer", 1)), WAIT);
                assertThat(text(twice, "code")).isEqualTo("CONFLICT");

                // Player 5 never answers: the stored deadline reveals the question on the survivor.
                for (WsTestClient p : players) {
                    JsonNode results = p.await(f -> isEvent(f, "quiz:question:results", topic) && index(f) == 0, WAIT);
                    assertThat(results.get("data").get("answered").asInt()).isEqualTo(5);
                    assertThat(results.get("data").get("correctCount").asInt()).isEqualTo(4);
                }
                for (WsTestClient p : players) {
                    p.await(f -> isEvent(f, "quiz:question", topic) && index(f) == 1, WAIT);
                }
                for (int i = 0; i < PLAYERS; i++) {
                    ack(players.get(i), "quiz:answer", Map.of("sessionId", sessionId, "questionIndex", 1, "answer", i % 2 == 0));
                }
                JsonNode ranking = null;
                for (WsTestClient p : players) {
                    JsonNode completed = p.await(f -> isEvent(f, "quiz:completed", topic), WAIT);
                    if (ranking == null) {
                        ranking = completed.get("data").get("ranking");
                    }
                    assertThat(completed.get("data").get("ranking")).isEqualTo(ranking);
                }
                assertThat(ranking).hasSize(PLAYERS);

                // The primary instance (the one the gateways route HTTP to) is back for the results.
                if (primaryStopped) {
                    launcher.startService(MeshLauncher.Service.QUIZ);
                    primaryStopped = false;
                }
                HttpResponse<String> stored = get(mesh.gateway1, "/api/quiz/sessions/" + sessionId + "/results", hostToken);
                assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
                JsonNode results = MeshJson.read(stored.body(), JsonNode.class);
                assertThat(results.get("ranking")).isEqualTo(ranking);
                // 5 answers to the first question, 6 to the second: none lost, none twice.
                assertThat(results.get("answers")).hasSize(11);
            }
        } finally {
            players.forEach(WsTestClient::close);
            if (primaryStopped) {
                launcher.startService(MeshLauncher.Service.QUIZ);
            }
            if (!secondStopped) {
                launcher.stopInstance(second);
            }
        }
    }

    private static String createQuiz(String token) throws Exception {
        Map<String, Object> quiz = Map.of("title", "Failover",
                "questions", List.of(
                        Map.of("type", "single", "text", "2 + 2?", "options", List.of("3", "4"), "correct", 1,
                                "timeLimitSeconds", 30),
                        Map.of("type", "true_false", "text", "1 + 1 = 2", "correct", true, "timeLimitSeconds", 30)),
                "settings", Map.of("pauseBetweenQuestionsSeconds", 1));
        HttpResponse<String> created = TestMesh.post(mesh.gateway1, "/api/quiz/quizzes", token, MeshJson.write(quiz));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return MeshJson.read(created.body(), JsonNode.class).get("id").asString();
    }

    /** The instance whose command listener holds the session's partition of {@code quiz.commands}. */
    private static ConfigurableApplicationContext ownerOf(String sessionId, ConfigurableApplicationContext... instances) {
        int partition = Utils.toPositive(Utils.murmur2(sessionId.getBytes(StandardCharsets.UTF_8))) % partitionsOf(instances[0]);
        TopicPartition owned = new TopicPartition("quiz.commands", partition);
        for (ConfigurableApplicationContext instance : instances) {
            if (assigned(instance).contains(owned)) {
                return instance;
            }
        }
        throw new AssertionError("no instance owns " + owned);
    }

    private static Collection<TopicPartition> assigned(ConfigurableApplicationContext instance) {
        Collection<TopicPartition> partitions = listener(instance).getAssignedPartitions();
        return partitions == null ? List.of() : partitions;
    }

    private static MessageListenerContainer listener(ConfigurableApplicationContext instance) {
        return instance.getBean(KafkaListenerEndpointRegistry.class).getListenerContainer("quiz-commands");
    }

    private static int partitionsOf(ConfigurableApplicationContext instance) {
        return instance.getEnvironment().getProperty("mesh.kafka.partitions", Integer.class, 3);
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 60 s: " + what);
            }
            Thread.sleep(100);
        }
    }
}
