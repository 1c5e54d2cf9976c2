package dev.mesh.dev.faults;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.testkit.ws.WsTestClient;

/**
 * Steady chat traffic from {@code clients} users in one fresh room, each connected to one of
 * the given gateway addresses (and failing over to the next), plus {@code leavers} users who
 * connect, join and leave for good when the load starts (presence must publish them offline).
 * Every third message of a client mentions the next client (a notification each). The same
 * users play one live quiz hosted by an instructor ({@link #QUESTIONS} single-choice questions,
 * each open until every player answered or {@link #QUESTION_SECONDS}, the next one a second
 * after the reveal): every player answers every question it sees open.
 * A test starts the load, injects its fault, and calls {@link #finish}: the clients stop making
 * commands, retry until each one is acknowledged, catch up to the room's last seq, and the
 * {@link InvariantChecker} compares what they received with the database and presence.
 */
final class LoadUnderFault implements AutoCloseable {

    static final Duration SETTLE = Duration.ofSeconds(60);
    /** Enough questions for the longest test: the host ends the quiz when the load stops. */
    static final int QUESTIONS = 100;
    static final int QUESTION_SECONDS = 10;

    final String name;
    final FaultMesh mesh;
    final String roomId;
    final String host;
    private final String hostToken;
    private final List<String> hostUrls;
    final String quizSessionId;
    /** The host's {@code quiz:end}: its ack or refusal (a quiz that completed by itself is CONFLICT). */
    JsonNode quizEnd;
    final List<LoadClient> clients = new ArrayList<>();
    final List<String> leavers = new ArrayList<>();
    private final List<WsTestClient> leaverSockets = new ArrayList<>();
    private final boolean leaveAtStart;
    long loadStartedAt;
    long faultStartedAt;
    long faultEndedAt;
    long settledAt;

    /**
     * @param addresses   per client, the WebSocket addresses it tries in turn (round robin over the list of lists)
     * @param intervalMs  time between two messages of one client
     * @param leaveAtStart whether the leavers (connected to the first address) leave when the load starts;
     *                     otherwise the test makes them leave (or lose their gateway)
     */
    LoadUnderFault(FaultMesh mesh, String name, int clients, int leavers, List<List<String>> addresses, long intervalMs,
                   boolean leaveAtStart) throws Exception {
        this.name = name;
        this.leaveAtStart = leaveAtStart;
        this.mesh = mesh;
        String run = UUID.randomUUID().toString().substring(0, 6);
        this.roomId = mesh.createRoom(name + " " + run);
        this.host = "host-" + run;
        this.hostToken = mesh.token(host, "instructor");
        this.hostUrls = addresses.getFirst();
        String quizId = createQuiz(name + " " + run);
        JsonNode hosted = hostCommand("quiz:host", Map.of("quizId", quizId));
        if (!"ack".equals(LoadClient.text(hosted, "type"))) {
            throw new IllegalStateException("quiz not hosted: " + hosted);
        }
        this.quizSessionId = hosted.path("data").path("sessionId").asString();
        for (int i = 0; i < clients; i++) {
            String user = "load" + i + "-" + run;
            String next = "load" + ((i + 1) % clients) + "-" + run;
            this.clients.add(new LoadClient(user, mesh.token(user, "student"), addresses.get(i % addresses.size()), roomId, intervalMs,
                    clients > 1 ? next : null, quizSessionId, i));
        }
        // Connect and join side by side: sequentially this is seconds per test.
        try (ExecutorService starting = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> started = this.clients.stream().map(c -> starting.submit(c::start)).collect(Collectors.toList());
            for (Future<?> f : started) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        }
        for (int i = 0; i < leavers; i++) {
            String user = "leaver" + i + "-" + run;
            this.leavers.add(user);
            WsTestClient socket = WsTestClient.connect(addresses.getFirst().getFirst(),
                    java.util.Map.of("Authorization", "Bearer " + mesh.token(user, "student")));
            socket.await(f -> "welcome".equals(LoadClient.text(f, "type")), Duration.ofSeconds(10));
            String id = socket.sendCommand("chat:join", java.util.Map.of("roomId", roomId));
            socket.awaitReply(id, Duration.ofSeconds(30));
            leaverSockets.add(socket);
        }
    }

    /** A quiz of {@link #QUESTIONS} single-choice questions (option 0 is right), owned by the host. */
    private String createQuiz(String title) throws Exception {
        List<Map<String, Object>> questions = new ArrayList<>();
        for (int i = 0; i < QUESTIONS; i++) {
            questions.add(Map.of("type", "single", "text", "Question " + i, "options", List.of("a", "b", "c"), "correct", 0,
                    "timeLimitSeconds", QUESTION_SECONDS));
        }
        Map<String, Object> quiz = new LinkedHashMap<>();
        quiz.put("title", title);
        quiz.put("questions", questions);
        quiz.put("settings", Map.of("pauseBetweenQuestionsSeconds", 1, "autoAdvance", true));
        HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://localhost:" + mesh.gatewayAPort + "/api/quiz/quizzes"))
                        .header("Authorization", "Bearer " + hostToken)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(MeshJson.write(quiz))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("quiz not created: " + created.statusCode() + " " + created.body());
        }
        return MeshJson.read(created.body(), JsonNode.class).get("id").asString();
    }

    /**
     * One command of the quiz's host, on a fresh connection (the host is not part of the load):
     * sent with one id, again after UNAVAILABLE, no answer or a lost connection (bounded), and
     * its final answer returned — an ack or a refusal.
     */
    JsonNode hostCommand(String type, Map<String, Object> data) {
        String id = UUID.randomUUID().toString();
        long deadline = System.nanoTime() + SETTLE.toNanos();
        Throwable last = null;
        for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
            String url = hostUrls.get(attempt % hostUrls.size());
            try (WsTestClient ws = WsTestClient.connect(url, Map.of("Authorization", "Bearer " + hostToken))) {
                ws.await(f -> "welcome".equals(LoadClient.text(f, "type")), Duration.ofSeconds(5));
                ws.send(Map.of("type", type, "id", id, "data", data));
                JsonNode reply = ws.awaitReply(id, LoadClient.REPLY_TIMEOUT);
                String code = LoadClient.text(reply, "code");
                if (!"UNAVAILABLE".equals(code) && !"RATE_LIMITED".equals(code)) {
                    return reply;
                }
                last = new AssertionError(reply.toString());
            } catch (RuntimeException | AssertionError e) {
                last = e;
            }
            pause(300);
        }
        throw new AssertionError(name + ": the host's " + type + " was not answered within " + SETTLE, last);
    }

    /** Starts the traffic; the leavers leave now if so configured. */
    void startLoad() {
        JsonNode started = hostCommand("quiz:start", Map.of("sessionId", quizSessionId));
        if (!"ack".equals(LoadClient.text(started, "type"))) {
            throw new IllegalStateException("quiz not started: " + started);
        }
        loadStartedAt = System.currentTimeMillis();
        clients.forEach(LoadClient::startSending);
        if (leaveAtStart) {
            leaversLeave();
        }
    }

    /** The leavers close their sockets normally and do not come back. */
    void leaversLeave() {
        leaverSockets.forEach(WsTestClient::close);
    }

    void faultStarts() {
        faultStartedAt = System.currentTimeMillis();
    }

    void faultEnds() {
        faultEndedAt = System.currentTimeMillis();
    }

    /** Waits (bounded) until {@code condition} holds, e.g. until every client has some acks. */
    static boolean await(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            pause(50);
        }
        return true;
    }

    /** Every client has had {@code n} more commands acknowledged than when this was called. */
    void awaitAcks(int n, Duration timeout) {
        int target = totalAcked() + n;
        if (!await(() -> totalAcked() >= target, timeout)) {
            throw new AssertionError(name + ": " + n + " more acks did not come within " + timeout + " (" + totalAcked() + ")");
        }
    }

    int totalAcked() {
        return clients.stream().mapToInt(c -> c.acked.size()).sum();
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops the traffic, lets every command be acknowledged and every client catch up, then checks. */
    InvariantChecker.Report finish() throws Exception {
        clients.forEach(LoadClient::stopSending);
        // The host ends the quiz meanwhile (its results are notified): one path less to wait for one after another.
        java.util.concurrent.FutureTask<JsonNode> ending = new java.util.concurrent.FutureTask<>(
                () -> hostCommand("quiz:end", Map.of("sessionId", quizSessionId)));
        Thread.ofVirtual().start(ending);
        if (!await(() -> clients.stream().allMatch(LoadClient::allAcked), SETTLE)) {
            throw new AssertionError(name + ": not every command was acknowledged within " + SETTLE + ": "
                    + clients.stream().map(c -> c.user + " " + c.acked.size() + "/" + c.sent.size() + " answers "
                    + (c.answersAcked.size() + c.answersRefused.size()) + "/" + c.answersMade.size() + " " + c.violations).toList());
        }
        long last = InvariantChecker.lastSeq(mesh, roomId);
        if (!await(() -> clients.stream().allMatch(c -> c.lastSeq() >= last), SETTLE)) {
            throw new AssertionError(name + ": not every client caught up to seq " + last + " within " + SETTLE + ": "
                    + clients.stream().map(c -> c.user + "@" + c.lastSeq() + " " + c.violations).toList());
        }
        try {
            quizEnd = ending.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
        if (!await(() -> clients.stream().allMatch(LoadClient::allAcked), SETTLE)) {
            throw new AssertionError(name + ": not every answer was answered after the quiz ended within " + SETTLE);
        }
        long quizLast = InvariantChecker.lastSeq(mesh, "quiz", "quiz:session:" + quizSessionId);
        if (!await(() -> clients.stream().allMatch(c -> c.quiz.lastSeq >= quizLast), SETTLE)) {
            throw new AssertionError(name + ": not every player caught up to the quiz's seq " + quizLast + " within " + SETTLE + ": "
                    + clients.stream().map(c -> c.user + "@" + c.quiz.lastSeq + " " + c.violations).toList());
        }
        // The notifications the run must have made exist, then every client has caught up to its stream's end.
        Map<String, Long> notificationsLast = new java.util.HashMap<>();
        if (!await(() -> InvariantChecker.expectedNotificationsStored(this), SETTLE)) {
            throw new AssertionError(name + ": the expected notifications were not all stored within " + SETTLE);
        }
        for (LoadClient c : clients) {
            notificationsLast.put(c.user, InvariantChecker.lastSeq(mesh, "notification", c.notifications.topic));
        }
        if (!await(() -> clients.stream().allMatch(c -> c.notifications.lastSeq >= notificationsLast.get(c.user)), SETTLE)) {
            throw new AssertionError(name + ": not every client caught up to its notifications within " + SETTLE + ": "
                    + clients.stream().map(c -> c.user + "@" + c.notifications.lastSeq + "/" + notificationsLast.get(c.user)).toList());
        }
        settledAt = System.currentTimeMillis();
        return InvariantChecker.check(this);
    }

    /** Presence as the service reports it, asked as one of the room's members: user → status. */
    java.util.Map<String, String> presence(List<String> users) throws Exception {
        LoadClient asker = clients.getFirst();
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://localhost:" + mesh.gatewayBPort + "/api/presence?userIds=" + String.join(",", users)))
                .header("Authorization", "Bearer " + mesh.token(asker.user, "student")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        java.util.Map<String, String> statuses = new java.util.HashMap<>();
        if (response.statusCode() == 200) {
            for (var p : dev.mesh.contracts.MeshJson.read(response.body(), tools.jackson.databind.JsonNode.class).path("presence")) {
                statuses.put(p.path("userId").asString(), p.path("status").asString());
            }
        }
        return statuses;
    }

    @Override
    public void close() {
        clients.forEach(LoadClient::requestFinish);
        try (ExecutorService closing = Executors.newVirtualThreadPerTaskExecutor()) {
            clients.forEach(c -> closing.submit(c::finish));
            leaverSockets.forEach(socket -> closing.submit(() -> socket.close()));
        }
    }
}
