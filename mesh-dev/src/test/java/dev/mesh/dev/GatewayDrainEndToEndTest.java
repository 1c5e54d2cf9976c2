package dev.mesh.dev;

import static dev.mesh.dev.TestMesh.WAIT;
import static dev.mesh.dev.TestMesh.connectWithHeader;
import static dev.mesh.dev.TestMesh.post;
import static dev.mesh.dev.TestMesh.text;
import static dev.mesh.dev.TestMesh.token;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.wire.StreamTopics;
import dev.mesh.testkit.infra.MeshInfra;
import dev.mesh.testkit.ws.WsTestClient;

/**
 * A gateway drained under traffic (issue #13): clients on a gateway of their own post into one
 * room without pause; the gateway is shut down the way SIGTERM shuts it down (its application
 * context closed: Spring's shutdown hook does the same). Every client must get {@code reconnect}
 * with an {@code afterMs} inside the drain window and a 1012 close, then — after waiting that
 * long, as the client library does — reconnect to one of the two other gateways, resume the room
 * by {@code seq} and send again the commands it has no reply for, with the same ids.
 * Checked: every seq of the room reaches every client exactly once and in order across its two
 * sockets, every command id is acknowledged exactly once, and the database holds each message once.
 */
class GatewayDrainEndToEndTest {

    private static final int CLIENTS = 10;
    /** Per client; with {@link #PAUSE_MS} within the per-user burst (20) plus its refill, so nothing is rate limited. */
    private static final int MESSAGES = 10;
    private static final long PAUSE_MS = 300;
    /** Stopped once this many were sent per client: traffic before, during and after the drain. */
    private static final int STOP_AFTER = 3;
    private static final long DRAIN_WINDOW_MS = 2_000;

    /** One client: the commands it sent in order (id → content), and its sockets. */
    private static final class Poster {
        final String user;
        final Map<String, String> sent = new LinkedHashMap<>();
        final List<WsTestClient> sockets = new ArrayList<>();
        volatile long joinedAt;
        volatile long reconnectAfterMs = -1;
        volatile int closeCode;
        volatile int resent;

        Poster(String user) {
            this.user = user;
        }

        WsTestClient socket() {
            return sockets.getLast();
        }
    }

    @Test
    void aGatewayShutDownUnderTrafficMovesEveryClientToAnotherGatewayWithNoEventOrCommandLostOrDoubled() throws Exception {
        TestMesh mesh = TestMesh.get();
        String run = UUID.randomUUID().toString().substring(0, 8);
        long started = System.nanoTime();
        ConfigurableApplicationContext doomed = mesh.mesh.startGateway("drain-" + run, 0,
                "--mesh.gateway.drain-reconnect-after=" + DRAIN_WINDOW_MS + "ms");
        int doomedPort = MeshLauncher.localPort(doomed);
        String roomId = createRoom(mesh, "Drain " + run);
        String topic = StreamTopics.chatRoom(roomId);
        List<Poster> posters = new ArrayList<>();
        try {
            // Connected and joined in parallel: one after the other costs a round trip each.
            List<Thread> joining = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                Poster poster = new Poster("drain" + i + "-" + run);
                posters.add(poster);
                joining.add(Thread.ofVirtual().start(() -> {
                    poster.sockets.add(connectWithHeader(doomedPort, poster.user));
                    JsonNode ack = poster.socket().awaitReply(poster.socket().sendCommand("chat:join", Map.of("roomId", roomId)), WAIT);
                    assertThat(text(ack, "type")).as(ack.toString()).isEqualTo("ack");
                    poster.joinedAt = ack.get("data").get("lastSeq").asLong();
                }));
            }
            for (Thread thread : joining) {
                thread.join(WAIT.toMillis());
            }
            assertThat(posters).allSatisfy(p -> assertThat(p.joinedAt).as(p.user + " joined").isPositive());
            long joined = System.nanoTime();
            // Everyone has joined: from here the room's stream holds only the posters' messages.
            long firstSeq = posters.stream().mapToLong(p -> p.joinedAt).max().orElseThrow() + 1;

            CountDownLatch readyToStop = new CountDownLatch(CLIENTS);
            Map<String, Throwable> failures = new ConcurrentHashMap<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                Poster poster = posters.get(i);
                int other = i % 2 == 0 ? mesh.gateway1 : mesh.gateway2;
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        postThroughTheDrain(poster, roomId, other, readyToStop);
                    } catch (Throwable e) {
                        failures.put(poster.user, e);
                        readyToStop.countDown();
                    }
                }));
            }
            assertThat(readyToStop.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            long stopping = System.nanoTime();
            mesh.mesh.stopGateway(doomed); // SIGTERM's path: the context closes, the drain runs first
            long stopped = System.nanoTime();
            for (Thread thread : threads) {
                thread.join(WAIT.toMillis() * 2);
                assertThat(thread.isAlive()).as("a client still busy").isFalse();
            }
            assertThat(failures).as("client failures").isEmpty();
            long done = System.nanoTime();

            // Every command: exactly one ack over the client's two sockets, never an error.
            long lastSeq = firstSeq - 1 + (long) CLIENTS * MESSAGES;
            int resent = 0;
            for (Poster poster : posters) {
                assertThat(poster.reconnectAfterMs).as(poster.user + " got reconnect").isBetween(0L, DRAIN_WINDOW_MS - 1);
                assertThat(poster.closeCode).as(poster.user + "'s close").isEqualTo(1012);
                assertThat(poster.sockets).hasSize(2);
                Map<String, Integer> acks = new HashMap<>();
                for (WsTestClient socket : poster.sockets) {
                    for (JsonNode frame : socket.received()) {
                        String ref = text(frame, "ref");
                        if (ref != null && poster.sent.containsKey(ref)) {
                            assertThat(text(frame, "type")).as(frame.toString()).isEqualTo("ack");
                            acks.merge(ref, 1, Integer::sum);
                        }
                    }
                }
                assertThat(acks).as(poster.user + ": acks per command id").hasSize(MESSAGES)
                        .allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1));
                resent += poster.resent;
            }
            // Every client: the room's seqs from its join to the last message, each exactly once, in
            // order, over the old socket then the new one (the replay before the resume's ack).
            for (Poster poster : posters) {
                awaitSeq(poster.socket(), topic, lastSeq);
                List<Long> seqs = new ArrayList<>();
                for (WsTestClient socket : poster.sockets) {
                    socket.received().stream().filter(f -> topic.equals(text(f, "topic")))
                            .forEach(f -> seqs.add(f.get("seq").asLong()));
                }
                assertThat(seqs).as(poster.user + "'s seqs").containsExactlyElementsOf(
                        LongStream.rangeClosed(poster.joinedAt + 1, lastSeq).boxed().toList());
            }
            // The database: each command's message once.
            Map<String, Integer> stored = storedByClientRef(roomId);
            List<String> allIds = posters.stream().flatMap(p -> p.sent.keySet().stream()).toList();
            assertThat(stored).as("messages stored per command id").hasSize(CLIENTS * MESSAGES)
                    .containsOnlyKeys(allIds).allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1));
            System.out.printf("drain: %d clients, %d messages, %d commands resent after the drain, every seq once;"
                            + " start+join %d ms, traffic before the stop %d ms, stop %d ms, clients done %d ms later, whole test %d ms%n",
                    CLIENTS, CLIENTS * MESSAGES, resent, (joined - started) / 1_000_000, (stopping - joined) / 1_000_000,
                    (stopped - stopping) / 1_000_000, (done - stopped) / 1_000_000, (System.nanoTime() - started) / 1_000_000);
        } finally {
            posters.forEach(p -> p.sockets.forEach(WsTestClient::close));
            if (doomed.isActive()) {
                mesh.mesh.stopGateway(doomed);
            }
        }
    }

    /**
     * Posts {@link #MESSAGES} messages, one every {@link #PAUSE_MS}, without waiting for replies.
     * When its socket closes: moves to {@code otherGateway} ({@link #move}) and goes on posting.
     * Then waits for the reply of every command that had none on the old socket.
     */
    private static void postThroughTheDrain(Poster poster, String roomId, int otherGateway, CountDownLatch readyToStop)
            throws InterruptedException {
        Set<String> repliedBeforeTheDrain = null;
        int i = 0;
        while (i < MESSAGES) {
            if (i == STOP_AFTER) {
                readyToStop.countDown();
            }
            if (repliedBeforeTheDrain == null && !poster.socket().isOpen()) {
                repliedBeforeTheDrain = move(poster, roomId, otherGateway);
                continue;
            }
            String id = UUID.randomUUID().toString();
            String content = poster.user + " #" + i;
            poster.sent.put(id, content);
            send(poster.socket(), id, roomId, content);
            i++;
            Thread.sleep(PAUSE_MS);
        }
        if (repliedBeforeTheDrain == null) {
            // Everything was sent before the drain reached this socket.
            repliedBeforeTheDrain = move(poster, roomId, otherGateway);
        }
        for (String id : poster.sent.keySet()) {
            if (!repliedBeforeTheDrain.contains(id)) {
                poster.socket().awaitReply(id, WAIT);
            }
        }
    }

    /**
     * What a client does when its gateway drains: checks the {@code reconnect} frame and the
     * close, waits {@code afterMs}, connects to {@code otherGateway}, resumes the room from the
     * last seq it saw, and sends again the commands with no reply (same ids, same content).
     * Returns the ids replied to on the old socket.
     */
    private static Set<String> move(Poster poster, String roomId, int otherGateway) throws InterruptedException {
        String topic = StreamTopics.chatRoom(roomId);
        WsTestClient old = poster.socket();
        poster.closeCode = old.awaitClose(WAIT).code();
        List<JsonNode> frames = old.received();
        JsonNode reconnect = frames.stream().filter(f -> "reconnect".equals(text(f, "type"))).findFirst()
                .orElseThrow(() -> new AssertionError(poster.user + ": no reconnect frame before the close"));
        poster.reconnectAfterMs = reconnect.get("data").get("afterMs").asLong();
        long seen = frames.stream().filter(f -> topic.equals(text(f, "topic")))
                .mapToLong(f -> f.get("seq").asLong()).max().orElse(poster.joinedAt);
        Set<String> replied = new HashSet<>();
        frames.stream().map(f -> text(f, "ref")).filter(poster.sent::containsKey).forEach(replied::add);
        Thread.sleep(poster.reconnectAfterMs);

        WsTestClient fresh = connectWithHeader(otherGateway, poster.user);
        poster.sockets.add(fresh);
        JsonNode ack = fresh.awaitReply(fresh.sendCommand("chat:join", Map.of("roomId", roomId, "sinceSeq", seen)), WAIT);
        assertThat(text(ack, "type")).as(ack.toString()).isEqualTo("ack");
        assertThat(ack.get("data").get("recovered").asBoolean()).as("resumed by seq: " + ack).isTrue();
        for (Map.Entry<String, String> command : poster.sent.entrySet()) {
            if (!replied.contains(command.getKey())) {
                send(fresh, command.getKey(), roomId, command.getValue());
                poster.resent++;
            }
        }
        return replied;
    }

    private static void send(WsTestClient socket, String id, String roomId, String content) {
        socket.send(Map.of("type", "chat:message", "id", id, "data", Map.of("roomId", roomId, "content", content)));
    }

    private static void awaitSeq(WsTestClient socket, String topic, long seq) {
        socket.await(f -> topic.equals(text(f, "topic")) && f.get("seq").asLong() == seq, WAIT);
    }

    private static String createRoom(TestMesh mesh, String name) throws Exception {
        var created = post(mesh.gateway1, "/api/chat/rooms", token("ada", "instructor"),
                MeshJson.write(Map.of("name", name, "type", "public")));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return MeshJson.read(created.body(), JsonNode.class).get("id").asString();
    }

    private static Map<String, Integer> storedByClientRef(String roomId) throws Exception {
        MeshInfra.Database db = MeshInfra.get().database("e2e_chat");
        Map<String, Integer> stored = new HashMap<>();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
             PreparedStatement q = c.prepareStatement(
                     "SELECT client_ref, count(*) FROM chat_messages WHERE room_id = ? GROUP BY client_ref")) {
            q.setString(1, roomId);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    stored.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        return stored;
    }
}
