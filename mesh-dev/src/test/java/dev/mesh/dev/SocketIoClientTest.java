package dev.mesh.dev;

import static dev.mesh.dev.TestMesh.WAIT;
import static dev.mesh.dev.TestMesh.connectWithHeader;
import static dev.mesh.dev.TestMesh.http;
import static dev.mesh.dev.TestMesh.join;
import static dev.mesh.dev.TestMesh.post;
import static dev.mesh.dev.TestMesh.text;
import static dev.mesh.dev.TestMesh.token;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.testkit.ws.WsTestClient;

/**
 * The gateway's Socket.IO v4 endpoint ({@code /socket.io/}) as a team migrating from a Node
 * Socket.IO server meets it: the stock {@code socket.io-client} from npm, run by Node as a
 * child process ({@code src/test/socketio/client.mjs}), driven by JSON commands on its stdin and
 * observed through the JSON lines it prints for every connect, event, ack and disconnect.
 * Users are fresh per test, so the other end-to-end tests' sockets do not blur the picture.
 */
class SocketIoClientTest {

    /** Node, npm and the client project; the tests run with mesh-dev as the working directory. */
    private static final Path CLIENT_DIR = Files.isDirectory(Path.of("src/test/socketio"))
            ? Path.of("src/test/socketio") : Path.of("mesh-dev/src/test/socketio");

    private static TestMesh shared;
    /** The node executable, once found (and the client project installed). */
    private static String node;

    /**
     * Checked before each test (not in {@code @BeforeAll}: surefire reports an abort there as
     * "Tests run: 0, Skipped: 0", which hides it), so a machine without Node shows every test
     * here as skipped, with the reason.
     */
    @BeforeEach
    void needsNodeAndTheClientProject() throws Exception {
        if (node == null) {
            Optional<String> foundNode = executable("node");
            Optional<String> npm = executable("npm");
            if (foundNode.isEmpty() || npm.isEmpty()) {
                String reason = "SKIPPED: SocketIoClientTest needs Node.js 18+ and npm on the PATH (node "
                        + (foundNode.isEmpty() ? "missing" : "found") + ", npm " + (npm.isEmpty() ? "missing" : "found") + ")";
                System.err.println(reason);
                Assumptions.abort(reason);
            }
            if (!Files.exists(CLIENT_DIR.resolve("node_modules/socket.io-client/package.json"))) {
                npmCi(npm.get());
            }
            node = foundNode.get();
        }
        if (shared == null) {
            shared = TestMesh.get();
        }
    }

    @Test
    void theStockClientConnectsJoinsSendsWithAcksAndReceivesANativeClientsMessageFromTheOtherGateway() {
        String user = fresh("sio-ana");
        String roomId = shared.roomId;
        try (NodeClient sio = NodeClient.start("basic", shared.gateway1, token(user, "student"));
             WsTestClient other = connectWithHeader(shared.gateway2, fresh("native-bo"))) {
            sio.await("connect", line -> "connect".equals(text(line, "kind")), WAIT);
            JsonNode welcome = arg(sio.awaitEvent("welcome", WAIT));
            assertThat(text(welcome.path("data"), "userId")).as(welcome.toString()).isEqualTo(user);
            assertThat(text(welcome.path("data"), "sessionId")).as(welcome.toString()).isNotBlank();
            assertThat(text(welcome.path("data"), "instanceId")).as(welcome.toString()).isEqualTo("gateway-a");

            String joinId = UUID.randomUUID().toString();
            sio.send(Map.of("emit", "chat:join", "data", Map.of("roomId", roomId, "id", joinId), "ack", true));
            JsonNode joinReply = sio.awaitAck(joinId, WAIT);
            assertThat(text(joinReply, "type")).as(joinReply.toString()).isEqualTo("ack");
            assertThat(text(joinReply, "ref")).isEqualTo(joinId);
            assertThat(joinReply.path("data").path("lastSeq").isNumber()).as(joinReply.toString()).isTrue();

            String messageId = UUID.randomUUID().toString();
            String content = "hello from socket.io " + messageId.substring(0, 8);
            sio.send(Map.of("emit", "chat:message", "data", Map.of("roomId", roomId, "content", content, "id", messageId), "ack", true));
            JsonNode messageReply = sio.awaitAck(messageId, WAIT);
            assertThat(text(messageReply, "type")).as(messageReply.toString()).isEqualTo("ack");
            assertThat(text(messageReply, "ref")).isEqualTo(messageId);
            long seq = messageReply.path("data").path("seq").asLong(-1);
            assertThat(seq).as(messageReply.toString()).isPositive();
            // The room's event reaches the sender too, with the same seq, before the ack.
            JsonNode own = arg(sio.awaitEvent("chat:message", line -> content.equals(text(arg(line).path("data"), "content")), WAIT));
            assertThat(own.path("seq").asLong()).isEqualTo(seq);
            assertThat(text(own.path("data"), "clientRef")).isEqualTo(messageId);
            List<JsonNode> seen = sio.seen();
            assertThat(TestMesh.indexOf(seen, line -> isEvent(line, "chat:message") && content.equals(text(arg(line).path("data"), "content"))))
                    .as("the event comes before the ack").isLessThan(TestMesh.indexOf(seen, line -> isAck(line, messageId)));

            // A native client on the other gateway: its message reaches the Socket.IO client as an event.
            join(other, roomId);
            String nativeContent = "hello from the native socket " + UUID.randomUUID().toString().substring(0, 8);
            String nativeId = other.sendCommand("chat:message", Map.of("roomId", roomId, "content", nativeContent));
            JsonNode nativeAck = other.awaitReply(nativeId, WAIT);
            assertThat(text(nativeAck, "type")).as(nativeAck.toString()).isEqualTo("ack");
            JsonNode received = arg(sio.awaitEvent("chat:message",
                    line -> nativeContent.equals(text(arg(line).path("data"), "content")), WAIT));
            assertThat(text(received, "topic")).as(received.toString()).isEqualTo("chat:room:" + roomId);
            assertThat(received.path("seq").asLong()).as(received.toString()).isEqualTo(nativeAck.path("data").path("seq").asLong());
            assertThat(received.has("type")).as("the event's argument is the native frame without type: " + received).isFalse();
            assertThat(sio.seen()).as("no disconnect").noneMatch(line -> "disconnect".equals(text(line, "kind")));
        }
    }

    @Test
    void withoutATokenOrWithAForgedOrExpiredOneTheClientGetsConnectErrorAuthenticationFailedAndNeverWelcome()
            throws Exception {
        String user = fresh("sio-eve");
        Map<String, String> tokens = new HashMap<>();
        tokens.put("forged", shared.issuer.forUser(user, user, List.of("student")).signedWithUnknownKey().sign());
        tokens.put("expired", shared.issuer.forUser(user, user, List.of("student")).ttl(Duration.ofMinutes(-5)).sign());
        tokens.put("none", null);
        for (Map.Entry<String, String> entry : tokens.entrySet()) {
            String scenario = entry.getValue() == null ? "noauth" : "basic";
            try (NodeClient sio = NodeClient.start(scenario, shared.gateway1, entry.getValue())) {
                JsonNode error = sio.await("connect_error", line -> "connect_error".equals(text(line, "kind")), WAIT);
                assertThat(text(error, "message")).as(entry.getKey() + ": " + error).isEqualTo("Authentication failed");
                Thread.sleep(1_500);
                assertThat(sio.seen()).as(entry.getKey() + ": never connected, never welcomed")
                        .noneMatch(line -> "connect".equals(text(line, "kind")) || isEvent(line, "welcome"));
            }
        }
    }

    @Test
    void aBinaryAttachmentIsAnsweredWithAValidationErrorAndTheSocketStaysUsable() {
        try (NodeClient sio = NodeClient.start("basic", shared.gateway2, token(fresh("sio-bin"), "student"))) {
            sio.awaitEvent("welcome", WAIT);
            sio.send(Map.of("emit", "chat:message", "data", Map.of("roomId", shared.roomId, "content", "with a file"),
                    "binary", true, "ack", false));
            JsonNode error = arg(sio.awaitEvent("error", WAIT));
            assertThat(text(error, "code")).as(error.toString()).isEqualTo("VALIDATION");
            assertThat(text(error, "message")).as(error.toString()).isEqualTo("Binary attachments are not supported");

            String joinId = UUID.randomUUID().toString();
            sio.send(Map.of("emit", "chat:join", "data", Map.of("roomId", shared.roomId, "id", joinId), "ack", true));
            assertThat(text(sio.awaitAck(joinId, WAIT), "type")).isEqualTo("ack");
            assertThat(sio.seen()).as("still connected").noneMatch(line -> "disconnect".equals(text(line, "kind")));
        }
    }

    /**
     * Two gateways of its own behind the round-robin balancer; the one the client landed on shuts
     * down while a native client keeps posting. socket.io-client reconnects by itself (to the
     * other instance), client.mjs re-joins with the last seq it saw, and the missed events arrive
     * before the join's ack: every seq of the room exactly once, no gap.
     */
    @Test
    void afterItsGatewayShutsDownTheClientReconnectsElsewhereAndResumesEverySeqExactlyOnce() throws Exception {
        long started = System.nanoTime();
        String roomId = createRoom("Socket.IO resume " + UUID.randomUUID().toString().substring(0, 8));
        String topic = "chat:room:" + roomId;
        Map<String, ConfigurableApplicationContext> gateways = new HashMap<>();
        gateways.put("sio-a", shared.mesh.startGateway("sio-a", 0));
        gateways.put("sio-b", shared.mesh.startGateway("sio-b", 0));
        LoadBalancer balancer = null;
        try {
            balancer = new LoadBalancer(freePort(), gateways.values().stream().map(MeshLauncher::localPort).toList());
            try (NodeClient sio = NodeClient.start("resume", balancer.port(), token(fresh("sio-res"), "student"));
                 WsTestClient poster = connectWithHeader(shared.gateway1, fresh("native-poster"))) {
                String firstInstance = text(arg(sio.awaitEvent("welcome", WAIT)).path("data"), "instanceId");
                assertThat(gateways).containsKey(firstInstance);

                sio.send(Map.of("join", roomId));
                JsonNode joined = sio.await("the first join's ack", line -> "ack".equals(text(line, "kind"))
                        && "chat:join".equals(text(line, "event")), WAIT).path("reply");
                assertThat(text(joined, "type")).as(joined.toString()).isEqualTo("ack");
                long joinedAt = joined.path("data").path("lastSeq").asLong();

                join(poster, roomId);
                List<Long> posted = new ArrayList<>();
                posted.add(postMessage(poster, roomId, "before the drain"));
                sio.awaitEvent("chat:message", line -> arg(line).path("seq").asLong() == posted.getFirst(), WAIT);

                ConfigurableApplicationContext doomed = gateways.remove(firstInstance);
                long stopAt = System.nanoTime();
                Thread stopper = Thread.ofVirtual().start(() -> shared.mesh.stopGateway(doomed));
                for (int i = 1; i <= 6; i++) {
                    posted.add(postMessage(poster, roomId, "during the drain " + i));
                    Thread.sleep(250);
                }
                stopper.join(Duration.ofSeconds(60));
                assertThat(stopper.isAlive()).as("the gateway stopped").isFalse();
                for (int i = 1; i <= 3; i++) {
                    posted.add(postMessage(poster, roomId, "after the drain " + i));
                }

                JsonNode second = arg(sio.awaitEvent("welcome",
                        line -> !firstInstance.equals(text(arg(line).path("data"), "instanceId")), Duration.ofSeconds(60)));
                String secondInstance = text(second.path("data"), "instanceId");
                assertThat(gateways).as(second.toString()).containsKey(secondInstance);
                System.out.printf("socket.io: %s stopped → welcome from %s after %d ms%n", firstInstance, secondInstance,
                        (System.nanoTime() - stopAt) / 1_000_000);

                JsonNode rejoin = sio.await("the re-join with sinceSeq", line -> "rejoin".equals(text(line, "kind")), WAIT);
                assertThat(rejoin.path("sinceSeq").asLong(-1)).as(rejoin.toString()).isGreaterThanOrEqualTo(posted.getFirst());
                JsonNode rejoined = sio.await("the re-join's ack", line -> "ack".equals(text(line, "kind"))
                        && "chat:join".equals(text(line, "event")), WAIT).path("reply");
                assertThat(text(rejoined, "type")).as(rejoined.toString()).isEqualTo("ack");
                assertThat(rejoined.path("data").path("recovered").asBoolean(false)).as(rejoined.toString()).isTrue();

                // The first was awaited (and taken) before the drain.
                for (long seq : posted.subList(1, posted.size())) {
                    sio.awaitEvent("chat:message", line -> topic.equals(text(arg(line), "topic"))
                            && arg(line).path("seq").asLong() == seq, WAIT);
                }
                long last = posted.getLast();
                assertThat(rejoined.path("data").path("lastSeq").asLong()).isLessThanOrEqualTo(last);

                List<Long> seqs = sio.seen().stream()
                        .filter(line -> "event".equals(text(line, "kind")) && topic.equals(text(arg(line), "topic")))
                        .map(line -> arg(line).path("seq").asLong())
                        .toList();
                List<Long> expected = new ArrayList<>();
                for (long s = joinedAt + 1; s <= last; s++) {
                    expected.add(s);
                }
                assertThat(seqs).as("every seq of %s after the join exactly once, in order; lines seen:%n%s", topic, sio.transcript())
                        .containsExactlyElementsOf(expected);
                System.out.printf("socket.io: resumed %d events across the drain; whole test %d ms%n", seqs.size(),
                        (System.nanoTime() - started) / 1_000_000);
            }
        } finally {
            if (balancer != null) {
                balancer.close();
            }
            gateways.values().forEach(shared.mesh::stopGateway);
        }
    }

    // helpers

    private static String fresh(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String createRoom(String name) throws Exception {
        HttpResponse<String> created = post(shared.gateway1, "/api/chat/rooms", token("ada", "instructor"),
                MeshJson.write(Map.of("name", name, "type", "public")));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return MeshJson.read(created.body(), JsonNode.class).get("id").asString();
    }

    private static long postMessage(WsTestClient client, String roomId, String content) {
        String id = client.sendCommand("chat:message", Map.of("roomId", roomId, "content", content));
        JsonNode ack = client.awaitReply(id, WAIT);
        assertThat(text(ack, "type")).as(ack.toString()).isEqualTo("ack");
        return ack.path("data").path("seq").asLong();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static boolean isEvent(JsonNode line, String event) {
        return "event".equals(text(line, "kind")) && event.equals(text(line, "event"));
    }

    private static boolean isAck(JsonNode line, String id) {
        return "ack".equals(text(line, "kind")) && id.equals(text(line, "id"));
    }

    /** The single argument of a Socket.IO event line. */
    private static JsonNode arg(JsonNode line) {
        return line.path("args").path(0);
    }

    private static Optional<String> executable(String name) {
        boolean windows = System.getProperty("os.name", "").toLowerCase().contains("win");
        List<String> names = windows ? List.of(name + ".exe", name + ".cmd") : List.of(name);
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String candidate : names) {
                Path path = Path.of(dir.isEmpty() ? "." : dir, candidate);
                if (Files.isRegularFile(path) && Files.isExecutable(path)) {
                    return Optional.of(path.toString());
                }
            }
        }
        return Optional.empty();
    }

    private static void npmCi(String npm) throws Exception {
        long started = System.nanoTime();
        Process process = new ProcessBuilder(npm, "ci", "--no-audit", "--no-fund")
                .directory(CLIENT_DIR.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
        assertThat(process.exitValue()).as("npm ci in %s:%n%s", CLIENT_DIR.toAbsolutePath(), output).isZero();
        System.out.printf("socket.io: npm ci in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * {@code node client.mjs} as a child process: its stdout lines (JSON) are queued by a reader
     * thread; {@link #await} takes them out in arrival order, skipping those that do not match,
     * which stay for later awaits. {@link #seen} keeps every line.
     */
    static final class NodeClient implements AutoCloseable {

        private final Process process;
        private final OutputStream stdin;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final ArrayDeque<JsonNode> unconsumed = new ArrayDeque<>();
        private final List<JsonNode> seen = new ArrayList<>();
        private final List<String> stderr = Collections.synchronizedList(new ArrayList<>());
        private boolean ended;

        private NodeClient(Process process) {
            this.process = process;
            this.stdin = process.getOutputStream();
            Thread.ofPlatform().daemon().name("node-stdout-" + process.pid()).start(this::readStdout);
            Thread.ofPlatform().daemon().name("node-stderr-" + process.pid()).start(this::readStderr);
        }

        /** Starts client.mjs against {@code http://localhost:port}; a null token sends none (the noauth scenario sends no auth at all). */
        static NodeClient start(String scenario, int port, String token) {
            ProcessBuilder builder = new ProcessBuilder(node, "client.mjs", "--url", http(port), "--scenario", scenario,
                    "--max-seconds", "120")
                    .directory(CLIENT_DIR.toFile());
            // The token goes by environment, never on the command line (visible to every user of the machine).
            builder.environment().remove("MESH_SIO_TOKEN");
            if (token != null) {
                builder.environment().put("MESH_SIO_TOKEN", token);
            }
            try {
                NodeClient client = new NodeClient(builder.start());
                client.await("ready", line -> "ready".equals(text(line, "kind")), Duration.ofSeconds(20));
                return client;
            } catch (IOException e) {
                throw new UncheckedIOException("could not start node client.mjs in " + CLIENT_DIR.toAbsolutePath(), e);
            }
        }

        private void readStdout() {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    JsonNode parsed;
                    try {
                        parsed = MeshJson.read(line, JsonNode.class);
                    } catch (RuntimeException notJson) {
                        ObjectNode raw = MeshJson.object();
                        raw.put("kind", "raw");
                        raw.put("line", line);
                        parsed = raw;
                    }
                    lock.lock();
                    try {
                        unconsumed.add(parsed);
                        seen.add(parsed);
                        changed.signalAll();
                    } finally {
                        lock.unlock();
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            } finally {
                lock.lock();
                try {
                    ended = true;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }

        private void readStderr() {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    stderr.add(line);
                    System.err.println("[node " + process.pid() + "] " + line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }

        void send(Map<String, ?> command) {
            try {
                stdin.write((MeshJson.write(command) + "\n").getBytes(StandardCharsets.UTF_8));
                stdin.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("node client.mjs is gone; lines seen:\n" + transcript(), e);
            }
        }

        JsonNode await(String what, Predicate<JsonNode> matching, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            lock.lock();
            try {
                while (true) {
                    for (Iterator<JsonNode> it = unconsumed.iterator(); it.hasNext(); ) {
                        JsonNode line = it.next();
                        if (matching.test(line)) {
                            it.remove();
                            return line;
                        }
                    }
                    long left = deadline - System.nanoTime();
                    if (ended || left <= 0) {
                        throw new AssertionError("no " + what + " from the Socket.IO client within " + timeout
                                + (ended ? " (node exited with " + exitCode() + ")" : "") + "; lines seen:\n" + transcriptLocked()
                                + (stderr.isEmpty() ? "" : "\nstderr:\n" + String.join("\n", stderr)));
                    }
                    changed.awaitNanos(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            } finally {
                lock.unlock();
            }
        }

        JsonNode awaitEvent(String event, Duration timeout) {
            return awaitEvent(event, line -> true, timeout);
        }

        JsonNode awaitEvent(String event, Predicate<JsonNode> matching, Duration timeout) {
            return await("event " + event, line -> isEvent(line, event) && matching.test(line), timeout);
        }

        /** The reply given to the ack callback of the command whose data.id is {@code id}. */
        JsonNode awaitAck(String id, Duration timeout) {
            JsonNode line = await("ack callback for " + id, l -> isAck(l, id) || ("ack_error".equals(text(l, "kind"))
                    && id.equals(text(l, "id"))), timeout);
            assertThat(text(line, "kind")).as("the ack callback was called with a reply: " + line).isEqualTo("ack");
            return line.path("reply");
        }

        List<JsonNode> seen() {
            lock.lock();
            try {
                return List.copyOf(seen);
            } finally {
                lock.unlock();
            }
        }

        String transcript() {
            lock.lock();
            try {
                return transcriptLocked();
            } finally {
                lock.unlock();
            }
        }

        private String transcriptLocked() {
            StringBuilder text = new StringBuilder();
            for (JsonNode line : seen) {
                text.append("  ").append(line).append('\n');
            }
            return text.toString();
        }

        private String exitCode() {
            return process.isAlive() ? "-" : String.valueOf(process.exitValue());
        }

        @Override
        public void close() {
            try {
                stdin.close(); // client.mjs disconnects and exits when its stdin closes
            } catch (IOException ignored) {
                // already gone
            }
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
