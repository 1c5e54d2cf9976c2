package dev.mesh.dev.faults;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.testkit.ws.WsTestClient;

/**
 * One chat user of a load run, on its own thread, behaving like a careful real client: every
 * command carries a client-made id and is sent again with the same id until it is answered
 * {@code ack} (after UNAVAILABLE, RATE_LIMITED, no answer within {@link #REPLY_TIMEOUT}, or a
 * lost connection); a lost connection is followed by a reconnect to the next gateway address
 * and a resume ({@code chat:join} with its last {@code seq}, paging over HTTP when the resume
 * says {@code recovered:false}); events are accepted strictly in {@code seq} order, older ones
 * are dropped as redeliveries, a gap (or a {@code resync}) makes it resume again. It records
 * everything the checker needs: what it sent, the acks, and every event it accepted.
 *
 * <p>Besides the room it follows two more persisted streams the same way, each with its own
 * resume: its notifications ({@code notification:sync} with the last {@code seq}; paging
 * {@code GET /api/notifications} after {@code recovered:false}), and, as a player, a quiz session
 * ({@code quiz:join} with the last {@code seq}; after {@code recovered:false} the snapshot in the
 * ack stands in and the skipped seqs are recorded). Every third message mentions the next load
 * user ({@code mentions}); every question it sees open is answered once, with one id however
 * often the answer is sent, until it is acknowledged or refused.
 */
final class LoadClient {

    /** No answer to a command for this long: the connection is taken for dead (a silent network). */
    static final Duration REPLY_TIMEOUT = Duration.ofSeconds(8);
    private static final Duration WELCOME_TIMEOUT = Duration.ofSeconds(5);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    final String user;
    private final String token;
    private final List<String> urls;
    private final String roomId;
    private final String topic;
    private final long sendIntervalMillis;
    /** The user every third message mentions, or null. */
    private final String mention;
    /** The quiz session this client plays in, or null. */
    final String quizSessionId;
    private final int playerIndex;

    // Written by this client's thread, read by the checker after the run.
    /** Commands made, by content (unique per command), with their id. */
    final Map<String, String> sent = Collections.synchronizedMap(new LinkedHashMap<>());
    /** Acknowledged commands: content → the seq the ack named. */
    final Map<String, Long> acked = new ConcurrentHashMap<>();
    /** Accepted events, in order: seq → what the event was ({@code m:<content>} for messages). */
    final Map<Long, String> accepted = new ConcurrentHashMap<>();
    /** Acknowledged messages: content → the messageId the ack named. */
    final Map<String, String> ackedIds = new ConcurrentHashMap<>();
    /** Messages made with a mention: content → the user mentioned. */
    final Map<String, String> mentioned = new ConcurrentHashMap<>();
    /** This user's notification stream, {@code notifications:user:<user>}: seq → {@code n:<id>}. */
    final Feed notifications;
    /** The quiz session's stream as this player accepted it (null without a quiz). */
    final Feed quiz;
    /** Answers made: question index → the command's id (one id per question, whatever the retries). */
    final Map<Integer, String> answersMade = new ConcurrentHashMap<>();
    /** Answers acknowledged: question index → receivedAt of the ack. */
    final Map<Integer, Long> answersAcked = new ConcurrentHashMap<>();
    /** Answers refused for good (late, question closed, quiz ended): question index → code and message. */
    final Map<Integer, String> answersRefused = new ConcurrentHashMap<>();
    /** Questions revealed before this client could send an answer (it was disconnected throughout). */
    final AtomicInteger questionsMissed = new AtomicInteger();
    final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger reconnects = new AtomicInteger();
    final AtomicInteger resumes = new AtomicInteger();
    final AtomicInteger pagedResumes = new AtomicInteger();
    final AtomicInteger redelivered = new AtomicInteger();
    final AtomicInteger gapsSeen = new AtomicInteger();
    final AtomicInteger retries = new AtomicInteger();
    final AtomicInteger unavailable = new AtomicInteger();
    final AtomicInteger rateLimited = new AtomicInteger();
    final AtomicInteger replyTimeouts = new AtomicInteger();
    final Map<Integer, AtomicInteger> closeCodes = new ConcurrentHashMap<>();
    /** Connection attempts that got no welcome: by the close code the gateway sent (0: no connection at all). */
    final Map<Integer, AtomicInteger> refusals = new ConcurrentHashMap<>();

    private volatile boolean sending;
    private volatile boolean finished;
    private volatile long firstSeq = -1;
    private volatile long lastSeq = -1;
    private volatile boolean joined;
    private volatile Thread thread;

    private WsTestClient ws;
    private int urlIndex;
    private String joinId;
    private long joinSentAt;
    private Command pending;
    private int made;
    private long nextSendAt;

    /** Answers not yet answered for good, by question index (this client's thread only). */
    private final Map<Integer, Answer> answers = new LinkedHashMap<>();

    private record Command(String id, String content, long sentAt) {
    }

    /** A quiz answer in flight: {@code sentAt} 0 = to be sent (again); {@code sends} how often it was. */
    private record Answer(int index, String id, long sentAt, int sends) {
    }

    /**
     * A persisted stream followed in seq order from the seq it was first attached at. Written
     * by the client's thread, read by the checker after the run.
     */
    static final class Feed {
        final String topic;
        /** Accepted events: seq → what it was. */
        final Map<Long, String> accepted = new ConcurrentHashMap<>();
        /** Seqs not seen because a resume answered {@code recovered:false} with a snapshot (quiz). */
        final Set<Long> skipped = ConcurrentHashMap.newKeySet();
        final AtomicInteger resumes = new AtomicInteger();
        final AtomicInteger notRecovered = new AtomicInteger();
        volatile long firstSeq = -1;
        volatile long lastSeq = -1;
        volatile boolean attached;
        private String joinId;
        private long joinSentAt;

        Feed(String topic) {
            this.topic = topic;
        }
    }

    LoadClient(String user, String token, List<String> urls, String roomId, long sendIntervalMillis) {
        this(user, token, urls, roomId, sendIntervalMillis, null, null, 0);
    }

    LoadClient(String user, String token, List<String> urls, String roomId, long sendIntervalMillis, String mention,
               String quizSessionId, int playerIndex) {
        this.user = user;
        this.token = token;
        this.urls = List.copyOf(urls);
        this.roomId = roomId;
        this.topic = "chat:room:" + roomId;
        this.sendIntervalMillis = sendIntervalMillis;
        this.mention = mention;
        this.quizSessionId = quizSessionId;
        this.playerIndex = playerIndex;
        this.notifications = new Feed("notifications:user:" + user);
        this.quiz = quizSessionId == null ? null : new Feed("quiz:session:" + quizSessionId);
    }

    /** Connects and joins (before the load starts), then runs on its own thread. */
    void start() {
        connect();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!joined || !notifications.attached || (quiz != null && !quiz.attached)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(user + " could not join " + roomId + ": " + violations);
            }
            step(200);
        }
        thread = Thread.ofPlatform().name("load-" + user).daemon().start(this::run);
    }

    void startSending() {
        nextSendAt = System.currentTimeMillis();
        sending = true;
    }

    void stopSending() {
        sending = false;
    }

    /** True when every message this client made has been acknowledged and every answer answered for good. */
    boolean allAcked() {
        return !sending && acked.size() == sent.size() && answersMade.size() == answersAcked.size() + answersRefused.size();
    }

    long lastSeq() {
        return lastSeq;
    }

    /** The seq of the room this client had seen when it first joined (it receives everything after). */
    long firstSeq() {
        return firstSeq;
    }

    boolean connected() {
        WsTestClient current = ws;
        return current != null && current.isOpen() && joined;
    }

    /** Tells the thread to end at its next turn. */
    void requestFinish() {
        finished = true;
    }

    /** Ends the thread and closes the socket normally. */
    void finish() {
        finished = true;
        Thread t = thread;
        if (t != null) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (ws != null) {
            ws.close();
        }
    }

    private void run() {
        while (!finished) {
            try {
                step(100);
            } catch (RuntimeException | AssertionError e) {
                violations.add("client loop failed: " + e);
                sleep(200);
            }
        }
    }

    /** One turn: make or re-send a command when due, then handle frames for up to {@code waitMillis}. */
    private void step(long waitMillis) {
        long now = System.currentTimeMillis();
        if (ws == null || !ws.isOpen()) {
            reconnect();
            return;
        }
        if (timedOut(joinId, joinSentAt, now) || timedOut(notifications.joinId, notifications.joinSentAt, now)
                || (quiz != null && timedOut(quiz.joinId, quiz.joinSentAt, now))
                || answers.values().stream().anyMatch(a -> a.sentAt > 0 && now - a.sentAt > REPLY_TIMEOUT.toMillis())) {
            replyTimeouts.incrementAndGet();
            dropConnection();
            return;
        }
        if (quiz != null && quiz.attached) {
            sendDueAnswers();
            if (ws == null) {
                return;
            }
        }
        if (joined && pending == null && sending && now >= nextSendAt) {
            made++;
            String content = user + "#" + made;
            if (mention != null && made % 3 == 0) {
                mentioned.put(content, mention);
            }
            pending = new Command(UUID.randomUUID().toString(), content, 0);
            sent.put(content, pending.id);
            nextSendAt = Math.max(nextSendAt + sendIntervalMillis, now);
            sendPending();
        } else if (joined && pending != null && pending.sentAt == 0) {
            sendPending();
        } else if (pending != null && pending.sentAt > 0 && now - pending.sentAt > REPLY_TIMEOUT.toMillis()) {
            replyTimeouts.incrementAndGet();
            dropConnection();
            return;
        }
        if (ws == null) {
            return; // a send of this turn found the connection lost
        }
        long until = now + waitMillis;
        while (true) {
            long left = until - System.currentTimeMillis();
            if (left <= 0) {
                return;
            }
            JsonNode frame;
            try {
                frame = ws.await(f -> true, Duration.ofMillis(left));
            } catch (AssertionError e) {
                if (String.valueOf(e.getMessage()).startsWith("no matching frame before the connection closed")) {
                    connectionLost();
                }
                return;
            }
            handle(frame);
            if (ws == null || (pending != null && pending.sentAt == 0) || answersDue()) {
                return; // a (re-)send is due: go send it
            }
        }
    }

    private static boolean timedOut(String id, long sentAt, long now) {
        return id != null && now - sentAt > REPLY_TIMEOUT.toMillis();
    }

    private boolean answersDue() {
        return quiz != null && quiz.attached && answers.values().stream().anyMatch(a -> a.sentAt == 0);
    }

    /** Sends every answer not in flight (the first time, or again with the same id). */
    private void sendDueAnswers() {
        for (Integer index : List.copyOf(answers.keySet())) {
            Answer answer = answers.get(index);
            if (answer == null || answer.sentAt > 0) {
                continue;
            }
            try {
                ws.send(Map.of("type", "quiz:answer", "id", answer.id, "data", Map.of("sessionId", quizSessionId,
                        "questionIndex", index, "answer", (playerIndex + index) % 3)));
            } catch (IllegalStateException closed) {
                connectionLost();
                return;
            }
            if (answer.sends > 0) {
                retries.incrementAndGet();
            }
            answers.put(index, new Answer(index, answer.id, System.currentTimeMillis(), answer.sends + 1));
        }
    }

    private void sendPending() {
        try {
            String mentions = mentioned.get(pending.content);
            ws.send(Map.of("type", "chat:message", "id", pending.id, "data", mentions == null
                    ? Map.of("roomId", roomId, "content", pending.content)
                    : Map.of("roomId", roomId, "content", pending.content, "mentions", List.of(mentions))));
            pending = new Command(pending.id, pending.content, System.currentTimeMillis());
        } catch (IllegalStateException closed) {
            connectionLost();
        }
    }

    private void handle(JsonNode frame) {
        String type = text(frame, "type");
        if (type == null) {
            return;
        }
        switch (type) {
            case "ack", "error" -> reply(frame, type);
            case "resync" -> {
                String resync = text(frame.path("data"), "topic");
                if (topic.equals(resync) && joinId == null) {
                    resume();
                } else if (notifications.topic.equals(resync) && notifications.joinId == null) {
                    resumeFeed(notifications);
                } else if (quiz != null && quiz.topic.equals(resync) && quiz.joinId == null) {
                    resumeFeed(quiz);
                }
            }
            case "ping" -> send(Map.of("type", "pong"));
            default -> {
                String on = text(frame, "topic");
                if (on == null || !frame.hasNonNull("seq")) {
                    return;
                }
                long seq = frame.get("seq").asLong();
                if (topic.equals(on)) {
                    event(seq, describe(frame));
                } else if (notifications.topic.equals(on) && "notification:new".equals(type)) {
                    feedEvent(notifications, seq, "n:" + text(frame.path("data"), "id"));
                } else if (quiz != null && quiz.topic.equals(on)) {
                    JsonNode data = frame.path("data");
                    if (feedEvent(quiz, seq, describeQuiz(type, data))) {
                        if ("quiz:question".equals(type)) {
                            makeAnswer(data.path("index").asInt());
                        } else if ("quiz:question:results".equals(type)) {
                            revealed(data.path("index").asInt());
                        }
                    }
                }
            }
        }
    }

    /** How a quiz session event is recorded, the same from a frame and from the stream event log. */
    static String describeQuiz(String type, JsonNode data) {
        return switch (type) {
            case "quiz:question" -> "question:" + data.path("index").asInt();
            case "quiz:question:results" -> "results:" + data.path("index").asInt();
            case "quiz:participant_update" -> "participant:" + text(data, "userId");
            case "quiz:state" -> "state:" + text(data, "state") + ":" + data.path("index").asInt();
            default -> type;
        };
    }

    /** A question is open: answer it once (one id, sent until answered). */
    private void makeAnswer(int index) {
        if (answersMade.containsKey(index)) {
            return;
        }
        String id = UUID.randomUUID().toString();
        answersMade.put(index, id);
        answers.put(index, new Answer(index, id, 0, 0));
    }

    /** A question was revealed: an answer never sent is not made any more (the client missed it). */
    private void revealed(int index) {
        Answer answer = answers.get(index);
        if (answer != null && answer.sends == 0) {
            answers.remove(index);
            answersMade.remove(index);
            questionsMissed.incrementAndGet();
        } else if (answer == null && !answersMade.containsKey(index)) {
            questionsMissed.incrementAndGet();
        }
    }

    private void answerReply(Answer answer, JsonNode frame, String type) {
        int index = answer.index;
        if ("ack".equals(type)) {
            answersAcked.put(index, frame.path("data").path("receivedAt").asLong());
            answers.remove(index);
            return;
        }
        String code = text(frame, "code");
        if ("UNAVAILABLE".equals(code) || "RATE_LIMITED".equals(code)) {
            countError(frame);
            sleep(retryAfter(frame));
            answers.put(index, new Answer(index, answer.id, 0, answer.sends));
        } else if ("VALIDATION".equals(code) || "CONFLICT".equals(code)) {
            // Too late (the question is closed) or the quiz has ended: refused for good, never stored.
            answersRefused.put(index, code + " " + text(frame, "message"));
            answers.remove(index);
        } else {
            violations.add("unexpected answer to the answer of question " + index + ": " + frame);
            sleep(500);
            answers.put(index, new Answer(index, answer.id, 0, answer.sends));
        }
    }

    private void reply(JsonNode frame, String type) {
        String ref = text(frame, "ref");
        if (ref == null) {
            return;
        }
        Feed feed = ref.equals(notifications.joinId) ? notifications : quiz != null && ref.equals(quiz.joinId) ? quiz : null;
        if (feed != null) {
            feed.joinId = null;
            if ("ack".equals(type)) {
                feedAttached(feed, frame.path("data"));
            } else {
                countError(frame);
                sleep(retryAfter(frame));
                resumeFeed(feed);
            }
            return;
        }
        for (Answer answer : answers.values()) {
            if (ref.equals(answer.id)) {
                answerReply(answer, frame, type);
                return;
            }
        }
        if (ref.equals(joinId)) {
            joinId = null;
            if ("ack".equals(type)) {
                joinAcked(frame.path("data"));
            } else {
                countError(frame);
                sleep(retryAfter(frame));
                resume();
            }
            return;
        }
        if (pending == null || !ref.equals(pending.id)) {
            return; // the answer to an earlier send of a command already answered
        }
        if ("ack".equals(type)) {
            long seq = frame.path("data").path("seq").asLong(-1);
            acked.put(pending.content, seq);
            ackedIds.put(pending.content, String.valueOf(text(frame.path("data"), "messageId")));
            pending = null;
            return;
        }
        String code = text(frame, "code");
        if ("UNAVAILABLE".equals(code) || "RATE_LIMITED".equals(code)) {
            countError(frame);
            sleep(retryAfter(frame));
            retries.incrementAndGet();
            pending = new Command(pending.id, pending.content, 0);
        } else {
            violations.add("unexpected answer to " + pending.content + ": " + frame);
            retries.incrementAndGet();
            sleep(500);
            pending = new Command(pending.id, pending.content, 0);
        }
    }

    private void countError(JsonNode frame) {
        String code = text(frame, "code");
        if ("UNAVAILABLE".equals(code)) {
            unavailable.incrementAndGet();
        } else if ("RATE_LIMITED".equals(code)) {
            rateLimited.incrementAndGet();
        } else {
            violations.add("unexpected error: " + frame);
        }
    }

    private static long retryAfter(JsonNode frame) {
        return Math.min(2000, Math.max(100, frame.path("data").path("retryAfterMs").asLong(200)));
    }

    private void joinAcked(JsonNode data) {
        long serverLast = data.path("lastSeq").asLong();
        if (lastSeq < 0) {
            firstSeq = serverLast;
            lastSeq = serverLast;
        } else if (!data.path("recovered").asBoolean(true)) {
            pagedResumes.incrementAndGet();
            page(serverLast);
        }
        joined = true;
        if (lastSeq < serverLast) {
            // Live events that came while the resume was prepared were dropped as gaps: resume again.
            resume();
        }
        if (pending != null) {
            pending = new Command(pending.id, pending.content, 0);
        }
    }

    /** A feed's resume was acknowledged: attached from its {@code lastSeq}. */
    private void feedAttached(Feed feed, JsonNode data) {
        long serverLast = data.path("lastSeq").asLong();
        if (feed.lastSeq < 0) {
            feed.firstSeq = serverLast;
            feed.lastSeq = serverLast;
        } else if (!data.path("recovered").asBoolean(true)) {
            feed.notRecovered.incrementAndGet();
            if (feed == notifications) {
                pageNotifications(serverLast);
            } else {
                // The quiz has no history to page: the snapshot in the ack stands in for the events.
                for (long seq = feed.lastSeq + 1; seq <= serverLast; seq++) {
                    feed.skipped.add(seq);
                }
                feed.lastSeq = serverLast;
            }
        }
        feed.attached = true;
        if (feed.lastSeq < serverLast) {
            resumeFeed(feed);
        }
        if (feed == quiz && "question".equals(text(data, "state"))) {
            makeAnswer(data.path("index").asInt());
        }
    }

    /** Accepts a feed's event if it is the next in seq order; true when accepted. */
    private boolean feedEvent(Feed feed, long seq, String what) {
        if (feed.lastSeq < 0) {
            return false;
        }
        if (seq <= feed.lastSeq) {
            redelivered.incrementAndGet();
            String before = feed.accepted.get(seq);
            if (before != null && !before.equals(what)) {
                violations.add(feed.topic + " seq " + seq + " was " + before + ", now " + what);
            }
            return false;
        }
        if (seq == feed.lastSeq + 1) {
            feed.accepted.put(seq, what);
            feed.lastSeq = seq;
            return true;
        }
        gapsSeen.incrementAndGet();
        if (feed.joinId == null) {
            resumeFeed(feed);
        }
        return false;
    }

    /** Notifications after {@code lastSeq} up to {@code upTo} over HTTP (newest first), as after {@code recovered:false}. */
    private void pageNotifications(long upTo) {
        String base = urls.get(urlIndex).replace("ws://", "http://").replace("/ws", "");
        java.util.TreeMap<Long, String> found = new java.util.TreeMap<>();
        long before = upTo + 1;
        try {
            while (true) {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base
                                + "/api/notifications?limit=100&beforeSeq=" + before))
                        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    return; // the next resume tries again
                }
                JsonNode page = MeshJson.read(response.body(), JsonNode.class);
                long oldest = before;
                for (JsonNode item : page.path("items")) {
                    long seq = item.path("seq").asLong();
                    if (seq > notifications.lastSeq && seq <= upTo) {
                        found.put(seq, "n:" + item.path("id").asString());
                    }
                    oldest = Math.min(oldest, seq);
                }
                if (page.path("items").isEmpty() || oldest <= notifications.lastSeq + 1 || !page.path("hasMore").asBoolean()) {
                    break;
                }
                before = oldest;
            }
        } catch (Exception e) {
            return;
        }
        for (Map.Entry<Long, String> item : found.entrySet()) {
            if (item.getKey() != notifications.lastSeq + 1) {
                return;
            }
            notifications.accepted.put(item.getKey(), item.getValue());
            notifications.lastSeq = item.getKey();
        }
    }

    private void resumeFeed(Feed feed) {
        feed.resumes.incrementAndGet();
        feed.joinId = UUID.randomUUID().toString();
        feed.joinSentAt = System.currentTimeMillis();
        if (feed == notifications) {
            send(Map.of("type", "notification:sync", "id", feed.joinId,
                    "data", feed.lastSeq < 0 ? Map.of() : Map.of("sinceSeq", feed.lastSeq)));
        } else {
            send(Map.of("type", "quiz:join", "id", feed.joinId, "data", feed.lastSeq < 0
                    ? Map.of("sessionId", quizSessionId) : Map.of("sessionId", quizSessionId, "sinceSeq", feed.lastSeq)));
        }
    }

    private void event(long seq, String what) {
        if (lastSeq < 0) {
            return; // before the first join's ack: not attached yet
        }
        if (seq <= lastSeq) {
            redelivered.incrementAndGet();
            String before = accepted.get(seq);
            if (before != null && !before.equals(what)) {
                violations.add("seq " + seq + " was " + before + ", now " + what);
            }
        } else if (seq == lastSeq + 1) {
            accepted.put(seq, what);
            lastSeq = seq;
        } else {
            gapsSeen.incrementAndGet();
            if (joinId == null) {
                resume();
            }
        }
    }

    /** Events after {@code lastSeq} up to {@code upTo} over HTTP, as after a {@code recovered:false} resume. */
    private void page(long upTo) {
        String base = urls.get(urlIndex).replace("ws://", "http://").replace("/ws", "");
        while (lastSeq < upTo) {
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/chat/rooms/" + roomId
                                + "/messages?afterSeq=" + lastSeq + "&limit=200"))
                        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    return; // the next resume tries again
                }
                JsonNode items = MeshJson.read(response.body(), JsonNode.class).path("items");
                if (items.isEmpty()) {
                    return;
                }
                for (JsonNode item : items) {
                    long seq = item.path("seq").asLong();
                    if (seq != lastSeq + 1) {
                        return; // not a message (not in the page): the next resume gets it
                    }
                    accepted.put(seq, "m:" + item.path("content").asString());
                    lastSeq = seq;
                }
            } catch (Exception e) {
                return;
            }
        }
    }

    private void resume() {
        resumes.incrementAndGet();
        joinId = UUID.randomUUID().toString();
        joinSentAt = System.currentTimeMillis();
        Map<String, Object> data = lastSeq < 0 ? Map.of("roomId", roomId) : Map.of("roomId", roomId, "sinceSeq", lastSeq);
        send(Map.of("type", "chat:join", "id", joinId, "data", data));
    }

    private void send(Object frame) {
        if (ws == null) {
            return; // the connection was lost by an earlier send of this turn
        }
        try {
            ws.send(frame);
        } catch (IllegalStateException closed) {
            connectionLost();
        }
    }

    private void connectionLost() {
        if (ws != null) {
            int code;
            try {
                code = ws.awaitClose(Duration.ofSeconds(2)).code();
            } catch (AssertionError | IllegalStateException e) {
                code = -1;
            }
            closeCodes.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
        }
        dropConnection();
    }

    private void dropConnection() {
        if (ws != null) {
            WsTestClient old = ws;
            ws = null;
            Thread.ofVirtual().start(() -> old.close(1000, ""));
        }
        joined = false;
        joinId = null;
        if (pending != null) {
            pending = new Command(pending.id, pending.content, 0);
        }
        for (Feed feed : quiz == null ? List.of(notifications) : List.of(notifications, quiz)) {
            feed.attached = false;
            feed.joinId = null;
        }
        answers.replaceAll((index, a) -> new Answer(index, a.id, 0, a.sends));
    }

    private void reconnect() {
        reconnects.incrementAndGet();
        long backoff = 100;
        while (!finished) {
            urlIndex = (urlIndex + 1) % urls.size();
            if (connect()) {
                return;
            }
            sleep(backoff);
            backoff = Math.min(1000, backoff * 2);
        }
    }

    /** One attempt at the current address: connect, wait for the welcome, send the join (or resume). */
    private boolean connect() {
        WsTestClient client;
        try {
            client = WsTestClient.connect(urls.get(urlIndex), Map.of("Authorization", "Bearer " + token));
        } catch (RuntimeException e) {
            refusals.computeIfAbsent(0, c -> new AtomicInteger()).incrementAndGet();
            return false;
        }
        try {
            client.await(f -> "welcome".equals(text(f, "type")), WELCOME_TIMEOUT);
        } catch (AssertionError e) {
            int code;
            try {
                code = client.awaitClose(Duration.ofMillis(500)).code();
            } catch (AssertionError | IllegalStateException stillOpen) {
                code = -1;
            }
            refusals.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
            Thread.ofVirtual().start(client::close);
            return false;
        }
        ws = client;
        joined = false;
        resume();
        resumeFeed(notifications);
        if (quiz != null) {
            resumeFeed(quiz);
        }
        return true;
    }

    private static String describe(JsonNode frame) {
        JsonNode data = frame.path("data");
        String type = text(frame, "type");
        return "chat:message".equals(type) ? "m:" + text(data, "content") : type + ":" + text(data, "userId");
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || value.isNull() ? null : value.asString();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
