package dev.mesh.dev;

import static dev.mesh.dev.Hostile.WAIT;
import static dev.mesh.dev.Hostile.assertANewClientIsServed;
import static dev.mesh.dev.Hostile.assertHealthy;
import static dev.mesh.dev.Hostile.assertNothingLeaked;
import static dev.mesh.dev.Hostile.json;
import static dev.mesh.dev.Hostile.problemCode;
import static dev.mesh.dev.Hostile.send;
import static dev.mesh.dev.TestMesh.connectWithHeader;
import static dev.mesh.dev.TestMesh.text;
import static dev.mesh.dev.TestMesh.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import tools.jackson.databind.JsonNode;

import dev.mesh.testkit.auth.TokenIssuer;
import dev.mesh.testkit.ws.WsTestClient;
import dev.mesh.testkit.ws.WsUpgradeRejected;

/**
 * Auth attacks (issue #11, part 3), each refused with the documented code and logged without
 * the token. Complements {@code WalkingSkeletonTest.Authentication} (no token, a frame before
 * auth, expired, unknown key, wrong issuer, wrong audience, a foreign Origin, a student creating
 * a room) and its {@code SessionLife} (another user's token on a live socket → 4003).
 */
class AuthAttacksTest {

    private static TestMesh shared;
    private static TokenIssuer otherTenant;
    private static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private static final Map<String, Level> levelsBefore = new LinkedHashMap<>();
    /** Every token these tests present, good or bad: none may appear in a log line. */
    private static final List<String> presented = new ArrayList<>();
    private static final Map<String, Integer> counts = new TreeMap<>();

    @BeforeAll
    static void start() {
        shared = TestMesh.get();
        otherTenant = new TokenIssuer(0);
        logs.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(logs);
        // The refusals are logged at DEBUG; listen there too, so a token in any of them is caught.
        for (String name : List.of("dev.mesh", "org.springframework.security")) {
            Logger logger = (Logger) LoggerFactory.getLogger(name);
            levelsBefore.put(name, logger.getLevel());
            logger.setLevel(Level.DEBUG);
        }
    }

    @AfterAll
    static void stop() {
        levelsBefore.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        otherTenant.close();
        System.out.println("AuthAttacksTest refusals per attack: " + counts);
    }

    private static void count(String attack) {
        counts.merge(attack, 1, Integer::sum);
    }

    private static String present(String token) {
        synchronized (presented) {
            presented.add(token);
        }
        return token;
    }

    /** No log line (message, arguments or stack trace) holds a presented token or its signature. */
    private static void assertNoTokenLogged() {
        List<String> lines = new ArrayList<>();
        // AppenderBase appends under the appender's own lock: copy under it.
        synchronized (logs) {
            for (ILoggingEvent event : logs.list) {
                lines.add(event.getFormattedMessage()
                        + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy())));
            }
        }
        assertThat(lines).as("log lines were captured").isNotEmpty();
        List<String> secrets;
        synchronized (presented) {
            secrets = new ArrayList<>(presented);
        }
        for (String token : secrets) {
            if (token.isBlank() || token.length() < 16) {
                continue; // "", "not.a.jwt": every line would "contain" them
            }
            String[] parts = token.split("\\.");
            String signature = parts.length == 3 && parts[2].length() > 16 ? parts[2] : null;
            for (String line : lines) {
                assertThat(line).as("a log line holds a token").doesNotContain(token);
                if (signature != null) {
                    assertThat(line).as("a log line holds a token's signature").doesNotContain(signature);
                }
            }
        }
    }

    private static Map<String, String> badTokens() {
        TokenIssuer issuer = shared.issuer;
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("alg none", issuer.forUser("mallory", "mallory", List.of("admin")).signWithAlgNone());
        bad.put("RS256 public key as HS256 secret", issuer.forUser("mallory", "mallory", List.of("admin")).signHs256WithThePublicKey());
        bad.put("not yet valid", issuer.forUser("mallory", "mallory", List.of("student"))
                .notBefore(Instant.now().plus(Duration.ofMinutes(10))).sign());
        bad.put("tampered role claim", TokenIssuer.tampered(issuer.token("mallory", "mallory", List.of("student")), "roles", List.of("admin")));
        bad.put("tampered subject", TokenIssuer.tampered(issuer.token("mallory", "mallory", List.of("student")), "sub", "ada"));
        bad.put("another tenant's issuer", otherTenant.token("mallory", "mallory", List.of("admin")));
        bad.put("another tenant's key under our issuer", otherTenant.forUser("mallory", "mallory", List.of("admin"))
                .issuer(issuer.issuerUri()).sign());
        bad.put("wrong signature", issuer.forUser("mallory", "mallory", List.of("admin")).signedWithUnknownKey().sign());
        bad.put("expired", issuer.forUser("mallory", "mallory", List.of("student")).ttl(Duration.ofMinutes(-5)).sign());
        bad.put("wrong issuer", issuer.forUser("mallory", "mallory", List.of("student")).issuer("http://elsewhere.invalid").sign());
        bad.put("wrong audience", issuer.forUser("mallory", "mallory", List.of("student")).audience("someone-else").sign());
        bad.put("not a JWT", "not.a.jwt");
        bad.put("empty", "");
        bad.put("a token twice", issuer.token("mallory", "mallory", List.of("student")) + " " + issuer.token("mallory", "mallory", List.of("student")));
        bad.values().forEach(AuthAttacksTest::present);
        return bad;
    }

    @Test
    void forgedAndInvalidTokensAreRefusedWith4001OnTheSocketAndWith401OverHttp() throws Exception {
        int[] gateways = {shared.gateway1, shared.gateway2};
        List<String> paths = List.of("/api/chat/rooms", "/api/quiz/quizzes", "/api/presence/me", "/api/notifications/unread-count",
                "/api/admin/stats");
        List<String> wrong = new ArrayList<>();
        int g = 0;
        for (Map.Entry<String, String> bad : badTokens().entrySet()) {
            int gateway = gateways[g++ % 2];
            count(bad.getKey());
            try (WsTestClient viaHeader = WsTestClient.connect(TestMesh.ws(gateway), Map.of("Authorization", "Bearer " + bad.getValue()));
                 WsTestClient viaFrame = WsTestClient.connect(TestMesh.ws(gateway))) {
                viaFrame.send(Map.of("type", "auth", "data", Map.of("token", bad.getValue())));
                // A refused header leaves the socket unauthenticated: its first frame closes it at once.
                if (viaHeader.isOpen()) {
                    viaHeader.send(Map.of("type", "chat:join", "id", "x", "data", Map.of("roomId", shared.roomId)));
                }
                int headerClose = viaHeader.awaitClose(WAIT).code();
                int frameClose = viaFrame.awaitClose(WAIT).code();
                if (headerClose != 4001 || frameClose != 4001) {
                    wrong.add(bad.getKey() + ": closed with " + headerClose + " / " + frameClose);
                }
                assertThat(viaHeader.received()).noneMatch(f -> "welcome".equals(text(f, "type")));
                assertThat(viaFrame.received()).noneMatch(f -> "welcome".equals(text(f, "type")));
            }
            for (String path : paths) {
                HttpResponse<String> response = assertHealthy(send(gateway, "GET", path, bad.getValue(), null), bad.getKey());
                if (response.statusCode() != 401) {
                    wrong.add(bad.getKey() + ": GET " + path + " → " + response.statusCode());
                }
            }
            // The services check the token again: straight at chat-service, the same refusal.
            HttpResponse<String> direct = assertHealthy(send(shared.mesh.servicePort(MeshLauncher.Service.CHAT), "GET",
                    "/api/chat/rooms", bad.getValue(), null), bad.getKey());
            if (direct.statusCode() != 401) {
                wrong.add(bad.getKey() + ": chat-service directly → " + direct.statusCode());
            }
        }
        assertThat(wrong).isEmpty();
        assertNoTokenLogged();
        assertANewClientIsServed(shared.gateway1, "after-attacks");
    }

    @Test
    void aTokenInTheUrlIsNeverRead() throws Exception {
        String valid = present(token("url-user", "student"));
        for (String query : List.of("?access_token=", "?token=", "?auth=", "?Authorization=Bearer%20")) {
            count("token in the URL");
            try (WsTestClient client = WsTestClient.connect(TestMesh.ws(shared.gateway1) + query + valid)) {
                client.send(Map.of("type", "chat:join", "id", "u", "data", Map.of("roomId", shared.roomId)));
                assertThat(client.awaitClose(WAIT).code()).isEqualTo(4001);
                assertThat(client.received()).noneMatch(f -> "welcome".equals(text(f, "type")));
            }
            HttpResponse<String> http = send(shared.gateway1, "GET", "/api/chat/rooms" + query + valid, null, null);
            assertThat(http.statusCode()).as(query).isEqualTo(401);
        }
        assertNoTokenLogged();
    }

    @Test
    void aCrossSiteUpgradeFromAForeignOriginIsRefusedWith403WhateverThePathLooksLike() {
        List<String> origins = List.of("http://evil.example", "null", "http://localhost:8000.evil.example", "https://localhost:8000",
                "http://localhost:8000@evil.example", "http://LOCALHOST:8000 ");
        List<String> paths = List.of("/ws", "/ws;x=1", "/%77s", "/ws/", "/socket.io/?EIO=4&transport=websocket",
                "/socket.io;x/?EIO=4&transport=websocket");
        List<String> accepted = new ArrayList<>();
        for (String origin : origins) {
            for (String path : paths) {
                count("foreign Origin");
                String url = "ws://localhost:" + shared.gateway1 + path;
                try {
                    WsTestClient client = WsTestClient.connect(url, Map.of("Origin", origin));
                    accepted.add(origin + " " + path);
                    client.close();
                } catch (WsUpgradeRejected refused) {
                    if (refused.status() != 403) {
                        accepted.add(origin + " " + path + " → " + refused.status());
                    }
                }
            }
        }
        assertThat(accepted).as("cross-site upgrades that were not refused").isEmpty();
        // The allowed origin still gets in.
        try (WsTestClient allowed = WsTestClient.connect(TestMesh.ws(shared.gateway1), Map.of("Origin", "http://localhost:8000"))) {
            allowed.send(Map.of("type", "auth", "data", Map.of("token", present(token("origin-user", "student")))));
            allowed.await(f -> "welcome".equals(text(f, "type")), WAIT);
        }
    }

    @Test
    void aStudentIsRefusedEveryInstructorAndAdminCommand() throws Exception {
        int gateway = shared.gateway2;
        String instructor = present(token("auth-teacher", "instructor"));
        String student = present(token("auth-student", "student"));
        // The instructor's quiz and open session, and room.
        HttpResponse<String> quiz = send(gateway, "POST", "/api/quiz/quizzes", instructor,
                "{\"title\":\"Owned\",\"questions\":[{\"type\":\"single\",\"text\":\"1+1?\",\"options\":[\"1\",\"2\"],\"correct\":1}]}");
        assertThat(quiz.statusCode()).as(quiz.body()).isEqualTo(201);
        String quizId = text(json(quiz), "id");
        HttpResponse<String> room = send(gateway, "POST", "/api/chat/rooms", instructor, "{\"name\":\"Owned room\",\"type\":\"public\"}");
        String roomId = text(json(room), "id");
        try (WsTestClient teacher = connectWithHeader(gateway, "auth-teacher");
             WsTestClient pupil = connectWithHeader(gateway, "auth-student")) {
            String host = teacher.sendCommand("quiz:host", Map.of("quizId", quizId));
            JsonNode hosted = teacher.awaitReply(host, WAIT);
            assertThat(text(hosted, "type")).as(hosted.toString()).isEqualTo("ack");
            String sessionId = text(hosted.get("data"), "sessionId");
            TestMesh.join(pupil, roomId);
            TestMesh.join(teacher, roomId);
            String join = pupil.sendCommand("quiz:join", Map.of("sessionId", sessionId));
            assertThat(text(pupil.awaitReply(join, WAIT), "type")).isEqualTo("ack");

            Map<String, Object> commands = new LinkedHashMap<>();
            commands.put("quiz:host", Map.of("quizId", quizId));
            for (String control : List.of("quiz:start", "quiz:next", "quiz:pause", "quiz:resume", "quiz:end")) {
                commands.put(control, Map.of("sessionId", sessionId));
            }
            commands.put("chat:moderate mute", Map.of("roomId", roomId, "action", "mute", "userId", "auth-teacher"));
            commands.put("chat:moderate kick", Map.of("roomId", roomId, "action", "kick", "userId", "auth-teacher"));
            List<String> wrong = new ArrayList<>();
            for (Map.Entry<String, Object> command : commands.entrySet()) {
                count("student: instructor/admin command");
                String id = pupil.sendCommand(command.getKey().split(" ")[0], command.getValue());
                JsonNode reply = pupil.awaitReply(id, WAIT);
                if (!"FORBIDDEN".equals(text(reply, "code"))) {
                    wrong.add(command.getKey() + " → " + reply);
                }
            }
            // Over HTTP: every instructor/admin route.
            Map<String, String> routes = new LinkedHashMap<>();
            routes.put("POST /api/chat/rooms", "{\"name\":\"Mine\",\"type\":\"public\"}");
            routes.put("PATCH /api/chat/rooms/" + roomId, "{\"name\":\"Taken over\"}");
            routes.put("DELETE /api/chat/rooms/" + roomId, null);
            routes.put("PUT /api/chat/rooms/" + roomId + "/members/auth-student", "{\"role\":\"moderator\"}");
            routes.put("POST /api/chat/rooms/" + roomId + "/invites", "{\"userId\":\"friend\"}");
            routes.put("POST /api/quiz/quizzes", "{\"title\":\"Mine\",\"questions\":[{\"type\":\"true_false\",\"text\":\"t\",\"correct\":true}]}");
            routes.put("GET /api/quiz/quizzes/" + quizId, null);
            routes.put("PUT /api/quiz/quizzes/" + quizId, "{\"title\":\"Mine\",\"questions\":[{\"type\":\"true_false\",\"text\":\"t\",\"correct\":true}]}");
            routes.put("DELETE /api/quiz/quizzes/" + quizId, null);
            routes.put("GET /api/quiz/sessions/" + sessionId + "/results", null);
            routes.put("GET /api/quiz/sessions/" + sessionId + "/results.csv", null);
            routes.put("POST /api/notifications/announcements", "{\"title\":\"t\",\"body\":\"b\",\"audience\":{\"kind\":\"all\"}}");
            routes.put("GET /api/notifications/admin/failed-deliveries", null);
            routes.put("GET /api/admin/stats", null);
            routes.put("POST /api/admin/users/auth-teacher/disconnect", null);
            for (Map.Entry<String, String> route : routes.entrySet()) {
                count("student: instructor/admin command");
                String[] methodPath = route.getKey().split(" ", 2);
                HttpResponse<String> response = assertHealthy(send(gateway, methodPath[0], methodPath[1], student,
                        route.getValue() == null && !methodPath[0].equals("GET") && !methodPath[0].equals("DELETE") ? "{}" : route.getValue()),
                        route.getKey());
                if (response.statusCode() != 403 || (!methodPath[1].startsWith("/api/admin") && !"FORBIDDEN".equals(problemCode(response)))) {
                    wrong.add(route.getKey() + " → " + response.statusCode() + " " + response.body());
                }
            }
            // An instructor is no admin either.
            for (String adminOnly : List.of("GET /api/admin/stats", "POST /api/admin/users/auth-student/disconnect",
                    "GET /api/notifications/admin/failed-deliveries")) {
                count("instructor: admin command");
                String[] methodPath = adminOnly.split(" ", 2);
                HttpResponse<String> response = send(gateway, methodPath[0], methodPath[1], instructor, null);
                if (response.statusCode() != 403) {
                    wrong.add("instructor " + adminOnly + " → " + response.statusCode());
                }
            }
            assertThat(wrong).isEmpty();
            assertThat(pupil.isOpen()).isTrue();
            assertNothingLeaked(pupil);
            // Nothing changed: the quiz is still the instructor's, the session still in its lobby.
            assertThat(send(gateway, "GET", "/api/quiz/quizzes/" + quizId, instructor, null).statusCode()).isEqualTo(200);
            assertThat(text(json(send(gateway, "GET", "/api/chat/rooms/" + roomId, instructor, null)), "name")).isEqualTo("Owned room");
        }
        assertNoTokenLogged();
    }

    @Test
    void aUserCannotActOnAnotherUsersMessageSessionAnswerOrNotifications() throws Exception {
        int gateway = shared.gateway1;
        String room = shared.roomId;
        String instructor = present(token("owner-teacher", "instructor"));
        HttpResponse<String> quiz = send(gateway, "POST", "/api/quiz/quizzes", instructor,
                "{\"title\":\"Answers\",\"questions\":[{\"type\":\"single\",\"text\":\"1+1?\",\"options\":[\"1\",\"2\"],\"correct\":1,"
                        + "\"timeLimitSeconds\":60}],\"settings\":{\"autoAdvance\":false}}");
        String quizId = text(json(quiz), "id");
        try (WsTestClient victim = connectWithHeader(gateway, "victim");
             WsTestClient attacker = connectWithHeader(gateway, "attacker");
             WsTestClient teacher = connectWithHeader(gateway, "owner-teacher")) {
            TestMesh.join(victim, room);
            TestMesh.join(attacker, room);
            String posted = victim.sendCommand("chat:message", Map.of("roomId", room, "content", "mine alone"));
            String messageId = text(victim.awaitReply(posted, WAIT).get("data"), "messageId");
            List<String> wrong = new ArrayList<>();

            Map<String, Map<String, Object>> onTheMessage = new LinkedHashMap<>();
            onTheMessage.put("chat:edit", Map.of("roomId", room, "messageId", messageId, "content", "not yours"));
            onTheMessage.put("chat:delete", Map.of("roomId", room, "messageId", messageId));
            for (Map.Entry<String, Map<String, Object>> command : onTheMessage.entrySet()) {
                count("another user's message");
                JsonNode reply = attacker.awaitReply(attacker.sendCommand(command.getKey(), command.getValue()), WAIT);
                if (!"FORBIDDEN".equals(text(reply, "code"))) {
                    wrong.add(command.getKey() + " on another's message → " + reply);
                }
            }
            // A forged author in the data is ignored: the message is the sender's.
            count("forged sender fields");
            String forged = attacker.sendCommand("chat:message", Map.of("roomId", room, "content", "who am I", "userId", "victim",
                    "userName", "victim"));
            JsonNode forgedEvent = attacker.await(f -> "chat:message".equals(text(f, "type")) && forged.equals(text(f.path("data"), "clientRef")), WAIT);
            assertThat(text(forgedEvent.get("data"), "userId")).isEqualTo("attacker");

            // Another user's quiz session: the controls are the host's; an answer needs one's own join.
            String host = teacher.sendCommand("quiz:host", Map.of("quizId", quizId));
            String sessionId = text(teacher.awaitReply(host, WAIT).get("data"), "sessionId");
            JsonNode victimJoin = victim.awaitReply(victim.sendCommand("quiz:join", Map.of("sessionId", sessionId)), WAIT);
            assertThat(text(victimJoin, "type")).isEqualTo("ack");
            JsonNode started = teacher.awaitReply(teacher.sendCommand("quiz:start", Map.of("sessionId", sessionId)), WAIT);
            assertThat(text(started, "type")).as(started.toString()).isEqualTo("ack");
            count("another user's session");
            JsonNode end = attacker.awaitReply(attacker.sendCommand("quiz:end", Map.of("sessionId", sessionId)), WAIT);
            if (!"FORBIDDEN".equals(text(end, "code"))) {
                wrong.add("quiz:end of another's session → " + end);
            }
            count("another user's answer");
            JsonNode answer = attacker.awaitReply(attacker.sendCommand("quiz:answer", Map.of("sessionId", sessionId, "questionIndex", 0,
                    "answer", 1, "userId", "victim")), WAIT);
            if (!"FORBIDDEN".equals(text(answer, "code"))) {
                wrong.add("quiz:answer for another (not joined) → " + answer);
            }
            count("another user's session");
            HttpResponse<String> results = send(gateway, "GET", "/api/quiz/sessions/" + sessionId + "/results", present(token("victim", "student")), null);
            if (results.statusCode() != 403) {
                wrong.add("a participant reading the host's results → " + results.statusCode());
            }
            // The victim's own answer still counts once: the attacker's attempt took nothing from it.
            JsonNode own = victim.awaitReply(victim.sendCommand("quiz:answer", Map.of("sessionId", sessionId, "questionIndex", 0, "answer", 1)), WAIT);
            assertThat(text(own, "type")).as(own.toString()).isEqualTo("ack");

            // Another user's presence (no shared room) and notifications.
            count("another user's presence");
            JsonNode subscribe = attacker.awaitReply(attacker.sendCommand("presence:subscribe", Map.of("userIds", List.of("stranger-" + quizId))), WAIT);
            if (!"FORBIDDEN".equals(text(subscribe, "code"))) {
                wrong.add("presence of a stranger → " + subscribe);
            }
            count("another user's notifications");
            JsonNode readOthers = attacker.awaitReply(attacker.sendCommand("notification:read", Map.of("ids",
                    List.of("00000000-0000-7000-8000-000000000000"))), WAIT);
            if (!"ack".equals(text(readOthers, "type")) || readOthers.path("data").path("updated").asInt() != 0) {
                wrong.add("reading notifications not one's own → " + readOthers);
            }
            // A direct conversation between two others.
            count("another user's conversation");
            JsonNode dm = attacker.awaitReply(attacker.sendCommand("chat:join", Map.of("roomId", "dm:owner-teacher:victim")), WAIT);
            if (!"FORBIDDEN".equals(text(dm, "code")) && !"NOT_FOUND".equals(text(dm, "code"))) {
                wrong.add("joining others' DM → " + dm);
            }
            assertThat(wrong).isEmpty();
            assertNothingLeaked(attacker);
        }
        assertNoTokenLogged();
    }

    @Test
    void aSocketCannotBeTakenOverByAnotherUsersTokenOrAnUnauthenticatedFrame() {
        count("another user's session");
        String alans = present(token("takeover-a", "student"));
        String barbaras = present(token("takeover-b", "student"));
        try (WsTestClient socket = WsTestClient.connect(TestMesh.ws(shared.gateway2), Map.of("Authorization", "Bearer " + alans))) {
            socket.await(f -> "welcome".equals(text(f, "type")), WAIT);
            socket.send(Map.of("type", "auth", "data", Map.of("token", barbaras)));
            assertThat(socket.awaitClose(WAIT).code()).isEqualTo(4003);
        }
        assertThatThrownBy(() -> WsTestClient.connect(TestMesh.ws(shared.gateway2), Map.of("Origin", "http://evil.example",
                "Authorization", "Bearer " + alans))).isInstanceOf(WsUpgradeRejected.class);
        assertNoTokenLogged();
    }
}
