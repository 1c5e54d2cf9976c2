package dev.mesh.dev;

import static dev.mesh.dev.TestMesh.WAIT;
import static dev.mesh.dev.TestMesh.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.testkit.ws.WsTestClient;

/**
 * A live quiz on the whole mesh, as a class would run it: an instructor authors a quiz over HTTP
 * and hosts it, 30 players on real sockets spread over both gateways resolve the join code and
 * join, answer (some right, some wrong, some not at all), and the server's clock drives the game
 * to its end. What the clients saw equals what was stored. Also: a double answer sent at once
 * from two sockets of one user, a late answer, and a rejoin through the other gateway.
 */
class QuizEndToEndTest {

    private static final int PLAYERS = 30;

    private static TestMesh mesh;

    @BeforeAll
    static void startMesh() {
        mesh = TestMesh.get();
    }

    @Test
    void aHostAndThirtyPlayersPlayAWholeQuizThroughBothGateways() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String hostToken = TestMesh.token("teacher-" + run, "instructor");
        String quizId = createQuiz(hostToken);

        try (WsTestClient host = connect(mesh.gateway1, "teacher-" + run, "instructor")) {
            JsonNode hosted = ack(host, "quiz:host", Map.of("quizId", quizId));
            String sessionId = hosted.get("sessionId").asString();
            String code = hosted.get("joinCode").asString();
            String topic = "quiz:session:" + sessionId;

            // 30 players, alternately on each gateway, resolve the code over HTTP and join.
            List<WsTestClient> players = new ArrayList<>();
            List<String> names = new ArrayList<>();
            try {
                for (int i = 0; i < PLAYERS; i++) {
                    String name = "player" + i + "-" + run;
                    int gateway = i % 2 == 0 ? mesh.gateway1 : mesh.gateway2;
                    HttpResponse<String> resolved = get(gateway, "/api/quiz/sessions/by-code/" + code,
                            TestMesh.token(name, "student"));
                    assertThat(resolved.statusCode()).as(resolved.body()).isEqualTo(200);
                    assertThat(MeshJson.read(resolved.body(), JsonNode.class).get("sessionId").asString()).isEqualTo(sessionId);
                    WsTestClient player = connect(gateway, name, "student");
                    players.add(player);
                    names.add(name);
                    JsonNode joined = ack(player, "quiz:join", Map.of("sessionId", sessionId));
                    assertThat(joined.get("state").asString()).isEqualTo("lobby");
                }
                host.await(f -> isEvent(f, "quiz:participant_update", topic) && f.get("data").get("count").asInt() == PLAYERS, WAIT);
                // A second socket of player 0, on the other gateway: the same participant.
                WsTestClient phone = connect(mesh.gateway2, names.get(0), "student");
                assertThat(ack(phone, "quiz:join", Map.of("sessionId", sessionId)).get("participants").asInt()).isEqualTo(PLAYERS);

                ack(host, "quiz:start", Map.of("sessionId", sessionId));

                Map<String, Integer> accepted = new HashMap<>();
                // ---- question 0 (single, correct 1): every third answers wrong, every fifth not at all ----
                for (WsTestClient p : players) {
                    JsonNode q = p.await(f -> isEvent(f, "quiz:question", topic) && index(f) == 0, WAIT);
                    assertThat(q.get("data").has("correct")).isFalse();
                    assertThat(q.get("seq").asLong()).isPositive();
                }
                phone.await(f -> isEvent(f, "quiz:question", topic) && index(f) == 0, WAIT);
                // Player 0 answers from both sockets at once: exactly one is accepted.
                String fromLaptop = players.get(0).sendCommand("quiz:answer", Map.of("sessionId", sessionId, "questionIndex", 0, "answer", 1));
                String fromPhone = phone.sendCommand("quiz:answer", Map.of("sessionId", sessionId, "questionIndex", 0, "answer", 1));
                JsonNode laptopReply = players.get(0).awaitReply(fromLaptop, WAIT);
                JsonNode phoneReply = phone.awaitReply(fromPhone, WAIT);
                List<String> outcomes = new ArrayList<>(List.of(text(laptopReply, "type"), text(phoneReply, "type")));
                assertThat(outcomes).containsExactlyInAnyOrder("ack", "error");
                JsonNode refusal = "error".equals(text(laptopReply, "type")) ? laptopReply : phoneReply;
                assertThat(text(refusal, "code")).isEqualTo("CONFLICT");
                accepted.merge(names.get(0), 1, Integer::sum);
                Map<Integer, String> sent = new HashMap<>();
                for (int i = 1; i < PLAYERS; i++) {
                    if (i % 5 != 0) {
                        sent.put(i, players.get(i).sendCommand("quiz:answer",
                                Map.of("sessionId", sessionId, "questionIndex", 0, "answer", i % 3 == 0 ? 0 : 1)));
                    }
                }
                awaitAccepted(players, sent, names, accepted);
                host.await(f -> isEvent(f, "quiz:answer_count", topic + ":host") && f.get("data").get("answered").asInt() == 25, WAIT);
                // The five who did not answer: the deadline reveals the question.
                for (WsTestClient p : players) {
                    JsonNode results = p.await(f -> isEvent(f, "quiz:question:results", topic) && index(f) == 0, WAIT);
                    assertThat(results.get("data").get("correctCount").asInt()).isEqualTo(17);
                    assertThat(results.get("data").get("answered").asInt()).isEqualTo(25);
                    assertThat(results.get("data").get("distribution")).isEqualTo(MeshJson.tree(List.of(8, 17, 0)));
                    assertThat(p.await(f -> "quiz:rank".equals(text(f, "type")) && index(f) == 0, WAIT).get("seq")).isNull();
                }
                // Too late for question 0 now.
                JsonNode late = players.get(5).awaitReply(players.get(5).sendCommand("quiz:answer",
                        Map.of("sessionId", sessionId, "questionIndex", 0, "answer", 1)), WAIT);
                assertThat(text(late, "code")).isEqualTo("VALIDATION");
                assertThat(text(late, "message")).isEqualTo("time is up");

                // ---- question 1 (multi, correct [0,2]): everyone answers, so it is revealed at once ----
                for (int i = 0; i < PLAYERS; i++) {
                    players.get(i).await(f -> isEvent(f, "quiz:question", topic) && index(f) == 1, WAIT);
                }
                // Player 7 drops and comes back through the other gateway: score, answers and the open question.
                players.get(7).close();
                WsTestClient back = connect(mesh.gateway1, names.get(7), "student");
                players.set(7, back);
                JsonNode rejoined = ack(back, "quiz:join", Map.of("sessionId", sessionId));
                assertThat(rejoined.get("state").asString()).isEqualTo("question");
                assertThat(rejoined.get("question").get("index").asInt()).isEqualTo(1);
                assertThat(rejoined.get("question").get("deadline").asLong()).isPositive();
                assertThat(rejoined.get("answers")).hasSize(1);
                assertThat(rejoined.get("score").asInt()).isPositive();
                sent.clear();
                for (int i = 0; i < PLAYERS; i++) {
                    sent.put(i, players.get(i).sendCommand("quiz:answer",
                            Map.of("sessionId", sessionId, "questionIndex", 1, "answer", i % 2 == 0 ? List.of(0, 2) : List.of(0))));
                }
                awaitAccepted(players, sent, names, accepted);
                // ---- question 2 (short text): only even players answer ----
                for (int i = 0; i < PLAYERS; i++) {
                    players.get(i).await(f -> isEvent(f, "quiz:question", topic) && index(f) == 2, WAIT);
                }
                sent.clear();
                for (int i = 0; i < PLAYERS; i += 2) {
                    sent.put(i, players.get(i).sendCommand("quiz:answer",
                            Map.of("sessionId", sessionId, "questionIndex", 2, "answer", i % 4 == 0 ? " Paris " : "Lyon")));
                }
                awaitAccepted(players, sent, names, accepted);

                // ---- completion ----
                List<JsonNode> completions = new ArrayList<>();
                for (WsTestClient p : players) {
                    completions.add(p.await(f -> isEvent(f, "quiz:completed", topic), WAIT));
                }
                JsonNode ranking = completions.getFirst().get("data").get("ranking");
                assertThat(ranking).hasSize(PLAYERS);
                for (JsonNode c : completions) {
                    assertThat(c.get("data").get("ranking")).isEqualTo(ranking);
                }
                host.await(f -> isEvent(f, "quiz:completed", topic), WAIT);
                // The last leaderboard shows the final top 10; each player's last rank is their final place.
                JsonNode board = lastOf(players.get(1), "quiz:leaderboard");
                for (int r = 0; r < 10; r++) {
                    assertThat(board.get("data").get("top").get(r).get("userId").asString()).isEqualTo(ranking.get(r).get("userId").asString());
                    assertThat(board.get("data").get("top").get(r).get("score").asInt()).isEqualTo(ranking.get(r).get("score").asInt());
                }
                for (int i = 0; i < PLAYERS; i++) {
                    String name = names.get(i);
                    JsonNode mine = null;
                    for (JsonNode entry : ranking) {
                        if (entry.get("userId").asString().equals(name)) {
                            mine = entry;
                        }
                    }
                    assertThat(mine).as(name).isNotNull();
                    JsonNode rank = lastOf(players.get(i), "quiz:rank");
                    assertThat(rank.get("data").get("index").asInt()).isEqualTo(2);
                    assertThat(rank.get("data").get("score").asInt()).isEqualTo(mine.get("score").asInt());
                    assertThat(rank.get("data").get("rank").asInt()).isEqualTo(mine.get("rank").asInt());
                }
                // Scores follow the rules: players 5, 15, 25 answered nothing right, ranked last.
                assertThat(ranking.get(PLAYERS - 1).get("score").asInt()).isZero();

                // Stored results equal what the clients saw, with every accepted answer.
                HttpResponse<String> stored = get(mesh.gateway2, "/api/quiz/sessions/" + sessionId + "/results", hostToken);
                assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
                JsonNode results = MeshJson.read(stored.body(), JsonNode.class);
                assertThat(results.get("ranking")).isEqualTo(ranking);
                assertThat(results.get("answers")).hasSize(accepted.values().stream().mapToInt(Integer::intValue).sum());
                HttpResponse<String> csv = get(mesh.gateway1, "/api/quiz/sessions/" + sessionId + "/results.csv", hostToken);
                assertThat(csv.statusCode()).isEqualTo(200);
                assertThat(csv.body().split("\r\n")).hasSize(PLAYERS + 1);
                assertThat(get(mesh.gateway1, "/api/quiz/sessions/" + sessionId + "/results", TestMesh.token(names.get(1), "student"))
                        .statusCode()).isEqualTo(403);
                phone.close();
            } finally {
                players.forEach(WsTestClient::close);
            }
        }
    }

    @Test
    void quizTickIsNotAClientCommand() {
        try (WsTestClient client = connect(mesh.gateway2, "forger-" + UUID.randomUUID().toString().substring(0, 8), "instructor")) {
            JsonNode reply = client.awaitReply(client.sendCommand("quiz:tick",
                    Map.of("sessionId", "s", "index", 0, "stateVersion", 1)), WAIT);
            assertThat(text(reply, "type")).isEqualTo("error");
            assertThat(text(reply, "code")).isEqualTo("VALIDATION");
        }
    }

    // ---- helpers ----

    static String createQuiz(String token) throws Exception {
        Map<String, Object> quiz = Map.of("title", "Geography and numbers",
                "questions", List.of(
                        Map.of("type", "single", "text", "2 + 2?", "options", List.of("3", "4", "5"), "correct", 1,
                                "timeLimitSeconds", 15),
                        Map.of("type", "multi", "text", "Even numbers?", "options", List.of("2", "3", "4"),
                                "correct", List.of(0, 2), "timeLimitSeconds", 20, "points", 500),
                        Map.of("type", "short_text", "text", "Capital of France?", "correct", List.of("paris"),
                                "timeLimitSeconds", 10, "explanation", "Since 987")),
                "settings", Map.of("pauseBetweenQuestionsSeconds", 1));
        HttpResponse<String> created = TestMesh.post(mesh.gateway1, "/api/quiz/quizzes", token, MeshJson.write(quiz));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return MeshJson.read(created.body(), JsonNode.class).get("id").asString();
    }

    static WsTestClient connect(int port, String user, String role) {
        WsTestClient client = WsTestClient.connect(TestMesh.ws(port), Map.of("Authorization", "Bearer " + TestMesh.token(user, role)));
        client.await(f -> "welcome".equals(text(f, "type")), WAIT);
        return client;
    }

    static JsonNode ack(WsTestClient client, String type, Object data) {
        JsonNode reply = client.awaitReply(client.sendCommand(type, data), WAIT);
        assertThat(text(reply, "type")).as(reply.toString()).isEqualTo("ack");
        return reply.get("data");
    }

    /** Every answer sent is acknowledged as accepted. */
    private static void awaitAccepted(List<WsTestClient> players, Map<Integer, String> sent, List<String> names,
                                      Map<String, Integer> accepted) {
        sent.forEach((i, id) -> {
            JsonNode reply = players.get(i).awaitReply(id, WAIT);
            assertThat(text(reply, "type")).as(reply.toString()).isEqualTo("ack");
            assertThat(reply.get("data").get("accepted").asBoolean()).isTrue();
            accepted.merge(names.get(i), 1, Integer::sum);
        });
    }

    static boolean isEvent(JsonNode frame, String type, String topic) {
        return type.equals(text(frame, "type")) && topic.equals(text(frame, "topic"));
    }

    static int index(JsonNode frame) {
        return frame.get("data").get("index").asInt();
    }

    private static JsonNode lastOf(WsTestClient client, String type) {
        JsonNode last = null;
        for (JsonNode frame : client.received()) {
            if (type.equals(text(frame, "type"))) {
                last = frame;
            }
        }
        assertThat(last).as(type).isNotNull();
        return last;
    }

    static HttpResponse<String> get(int port, String path, String token) throws Exception {
        return TestMesh.HTTP.send(HttpRequest.newBuilder(URI.create(TestMesh.http(port) + path))
                        .header("Authorization", "Bearer " + token).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

}
