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

    // Written by this client's thread, read by the checker after the run.
    /** Commands made, by content (unique per command), with their id. */
    final Map<String, String> sent = Collections.synchronizedMap(new LinkedHashMap<>());
    /** Acknowledged commands: content → the seq the ack named. */
    final Map<String, Long> acked = new ConcurrentHashMap<>();
    /** Accepted events, in order: seq → what the event was ({@code m:<content>} for messages). */
    final Map<Long, String> accepted = new ConcurrentHashMap<>();
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

    private record Command(String id, String content, long sentAt) {
    }

    LoadClient(String user, String token, List<String> urls, String roomId, long sendIntervalMillis) {
        this.user = user;
        this.token = token;
        this.urls = List.copyOf(urls);
        this.roomId = roomId;
        this.topic = "chat:room:" + roomId;
        this.sendIntervalMillis = sendIntervalMillis;
    }

    /** Connects and joins (before the load starts), then runs on its own thread. */
    void start() {
        connect();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!joined) {
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

    /** True when every command this client made has been acknowledged. */
    boolean allAcked() {
        return !sending && acked.size() == sent.size();
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
        if (joinId != null && now - joinSentAt > REPLY_TIMEOUT.toMillis()) {
            replyTimeouts.incrementAndGet();
            dropConnection();
            return;
        }
        if (joined && pending == null && sending && now >= nextSendAt) {
            made++;
            String content = user + "#" + made;
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
            if (pending != null && pending.sentAt == 0) {
                return; // a retry is due: go send it
            }
        }
    }

    private void sendPending() {
        try {
            ws.send(Map.of("type", "chat:message", "id", pending.id, "data", Map.of("roomId", roomId, "content", pending.content)));
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
                if (topic.equals(text(frame.path("data"), "topic")) && joinId == null) {
                    resume();
                }
            }
            case "ping" -> send(Map.of("type", "pong"));
            default -> {
                if (topic.equals(text(frame, "topic")) && frame.hasNonNull("seq")) {
                    event(frame.get("seq").asLong(), describe(frame));
                }
            }
        }
    }

    private void reply(JsonNode frame, String type) {
        String ref = text(frame, "ref");
        if (ref == null) {
            return;
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
