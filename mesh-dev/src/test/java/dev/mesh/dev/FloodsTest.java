package dev.mesh.dev;

import static dev.mesh.dev.TestMesh.WAIT;
import static dev.mesh.dev.TestMesh.connectWithHeader;
import static dev.mesh.dev.TestMesh.join;
import static dev.mesh.dev.TestMesh.post;
import static dev.mesh.dev.TestMesh.text;
import static dev.mesh.dev.TestMesh.token;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.gateway.config.GatewayProperties;
import dev.mesh.gateway.socket.ClientSession;
import dev.mesh.gateway.socket.SessionRegistry;
import dev.mesh.testkit.ws.WsTestClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Floods (issue #11, part 4) against a gateway of the shared mesh with the defaults of
 * ARCHITECTURE §4 — no limit raised or lowered: a client flooding messages, typing and joins;
 * a crowd from one address past the per-address cap; a consumer that never reads while its
 * room gets a burst. Bystanders' round trips are timed before and during the flood (printed,
 * not asserted: the box is shared), and the gateway's outbound queues and session registry are
 * watched throughout, so a leak or an unbounded queue fails the class. Binary frames (1003)
 * and invalid UTF-8 (1007) are {@code BadInputCorpusTest}'s. Figures are printed for
 * docs/reliability.md.
 */
class FloodsTest {

    private static int gateway;
    private static GatewayProperties properties;
    private static SessionRegistry registry;
    private static MeterRegistry meters;
    private static final Sampler sampler = new Sampler();
    private static final List<String> report = new CopyOnWriteArrayList<>();
    private static long heapBefore;

    @BeforeAll
    static void gatewayWithDefaults() {
        TestMesh mesh = TestMesh.get();
        gateway = mesh.gateway1;
        ConfigurableApplicationContext context = mesh.mesh.gateways().stream()
                .filter(g -> MeshLauncher.localPort(g) == gateway).findFirst().orElseThrow();
        properties = context.getBean(GatewayProperties.class);
        registry = context.getBean(SessionRegistry.class);
        meters = context.getBean(MeterRegistry.class);
        // The defaults of ARCHITECTURE §4 and FEATURES.md, not a test's own.
        GatewayProperties.RateLimits limits = properties.rateLimits();
        assertThat(List.of(limits.connectionBurst(), limits.connectionPerSecond(), limits.userMessageBurst(),
                limits.userMessagesPerMinute(), limits.floodFactor())).containsExactly(40, 10, 20, 60, 2);
        assertThat(properties.outboundQueueLimit().toBytes()).isEqualTo(1024 * 1024);
        assertThat(properties.maxConnectionsPerAddress()).isEqualTo(200);
        heapBefore = heapAfterGc();
        sampler.start();
    }

    @AfterAll
    static void printFigures() {
        sampler.stop();
        long heapAfter = heapAfterGc();
        report.add(String.format("load average at the end %.1f on %d cores", ManagementFactory.getOperatingSystemMXBean()
                .getSystemLoadAverage(), Runtime.getRuntime().availableProcessors()));
        report.add(String.format("gateway-a heap after GC (whole test JVM): before %d MB, after %d MB; "
                        + "largest outbound queue seen %d bytes (cap %d), most sessions %d",
                heapBefore >> 20, heapAfter >> 20, sampler.maxQueued.get(), properties.outboundQueueLimit().toBytes(),
                sampler.maxSessions.get()));
        report.forEach(line -> System.out.println("FloodsTest: " + line));
        assertThat(sampler.maxQueued.get()).as("no session's outbound queue ever exceeds its cap")
                .isLessThanOrEqualTo(properties.outboundQueueLimit().toBytes());
    }

    // A client flooding messages, typing and joins

    @Test
    void aFlooderIsToldToWaitThenClosedWith1008AndBystandersAreServedMeanwhile() throws Exception {
        String room = createRoom("Floods");
        List<WsTestClient> bystanders = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            for (int i = 1; i <= 3; i++) {
                WsTestClient bystander = connectWithHeader(gateway, "bystander-" + i);
                join(bystander, room);
                bystanders.add(bystander);
            }
            Map<String, Long> bystanderMessages = new ConcurrentHashMap<>();
            Map<String, Integer> resends = new ConcurrentHashMap<>();
            List<Long> before = roundTrips(threads, bystanders, room, "before", bystanderMessages, () -> true, 6, resends);

            AtomicBoolean flooding = new AtomicBoolean(true);
            CompletableFuture<List<Long>> measuring = CompletableFuture.supplyAsync(() -> roundTrips(threads, bystanders,
                    room, "during", bystanderMessages, () -> !flooding.get(), 5, resends), task -> Thread.ofPlatform().start(task));
            List<Flood> floods = new ArrayList<>();
            try {
                // The flooder reconnects and floods again, as a broken client would: each connection on its own.
                for (int round = 1; round <= 3; round++) {
                    floods.add(flood(room, "flooder"));
                }
            } finally {
                flooding.set(false);
            }
            List<Long> during;
            try {
                during = measuring.get(2 * WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Error error ? error : new AssertionError("a bystander failed", e.getCause());
            }

            int sent = 0;
            int acks = 0;
            int limited = 0;
            for (Flood flood : floods) {
                report.add("flood: " + flood);
                assertThat(flood.closeCode()).as("the flooder is closed for policy").isEqualTo(1008);
                assertThat(flood.rateLimited()).as("told to wait before being closed").isPositive();
                assertThat(flood.otherErrors()).as("only RATE_LIMITED, never another error").isZero();
                assertThat(flood.waitsWithoutRetryAfter()).as("every RATE_LIMITED says when to retry").isZero();
                assertThat(flood.pastFlood()).as("only the frame that tripped the flood guard is acted on; "
                        + "what the client sent after it is read and ignored").isEqualTo(1);
                sent += flood.sent();
                acks += flood.acks();
                limited += flood.rateLimited();
                String sessionId = flood.sessionId();
                await(() -> registry.session(sessionId) == null, "the flooder's session leaves the registry");
            }
            assertThat(during).as("bystanders measured during the flood").isNotEmpty();
            report.add(String.format("flooder total: %d frames sent over %d connections, %d acks, %d RATE_LIMITED, %d × 1008",
                    sent, floods.size(), acks, limited, floods.size()));
            report.add("bystanders before the flood: " + stats(before));
            report.add("bystanders during the flood: " + stats(during));
            report.add("bystander commands resent with the same id (UNAVAILABLE from a busy service): " + resends);
            assertThat(resends).as("bystanders stay within their rate limits").doesNotContainKey("RATE_LIMITED");

            // Nothing of theirs lost: every bystander message reached every bystander, once, without a resync.
            for (WsTestClient bystander : bystanders) {
                List<JsonNode> frames = bystander.received();
                assertThat(frames).noneMatch(f -> "resync".equals(text(f, "type")));
                for (Map.Entry<String, Long> message : bystanderMessages.entrySet()) {
                    assertThat(frames.stream().filter(f -> "chat:message".equals(text(f, "type"))
                            && message.getKey().equals(text(f.path("data"), "content"))).count())
                            .as("%s at every bystander once", message.getKey()).isEqualTo(1);
                }
            }
            // The flooder's acknowledged messages reached the bystanders too.
            for (Flood flood : floods) {
                for (String content : flood.ackedMessages()) {
                    for (WsTestClient bystander : bystanders) {
                        assertThat(bystander.received()).anyMatch(f -> "chat:message".equals(text(f, "type"))
                                && content.equals(text(f.path("data"), "content")));
                    }
                }
            }
            report.add(String.format("bystanders: %d messages posted, each received by all 3; typing events from the flooder seen by one bystander: %d",
                    bystanderMessages.size(), bystanders.get(0).received().stream()
                            .filter(f -> "chat:typing_update".equals(text(f, "type"))).count()));
        } finally {
            threads.shutdownNow();
            bystanders.forEach(WsTestClient::close);
        }
    }

    /** One connection's flood: {@code chat:message}, {@code chat:typing}, {@code chat:join} in turn, as fast as the client sends. */
    private static Flood flood(String room, String user) {
        WsTestClient flooder = connectWithHeader(gateway, user);
        String sessionId = flooder.received().getFirst().path("data").path("sessionId").asString();
        join(flooder, room);
        double overRateBefore = limited("connection") + limited("user_messages");
        double pastFloodBefore = limited("flood");
        long started = System.nanoTime();
        int sent = 0;
        Map<String, String> messages = new ConcurrentHashMap<>();
        java.util.Set<String> commands = ConcurrentHashMap.newKeySet();
        try {
            while (flooder.isOpen() && sent < 4_000) {
                switch (sent % 3) {
                    case 0 -> {
                        String content = "flood " + sessionId.substring(0, 8) + " " + sent;
                        String id = flooder.sendCommand("chat:message", Map.of("roomId", room, "content", content));
                        messages.put(id, content);
                        commands.add(id);
                    }
                    case 1 -> flooder.send(Map.of("type", "chat:typing", "data", Map.of("roomId", room, "isTyping", true)));
                    default -> commands.add(flooder.sendCommand("chat:join", Map.of("roomId", room)));
                }
                sent++;
            }
        } catch (IllegalStateException closedMeanwhile) {
            // the gateway closed it: the flood is over
        }
        int code = flooder.awaitClose(WAIT).code();
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        // Bystanders stay within their budgets: what the limits refused meanwhile is the flooder's.
        long overRate = Math.round(limited("connection") + limited("user_messages") - overRateBefore);
        long pastFlood = Math.round(limited("flood") - pastFloodBefore);
        int acks = 0;
        int limited = 0;
        int others = 0;
        int withoutRetry = 0;
        List<String> acked = new ArrayList<>();
        for (JsonNode frame : flooder.received()) {
            String ref = text(frame, "ref");
            if (ref == null || !commands.contains(ref)) {
                continue; // an event, or the reply to the join before the flood
            }
            if ("ack".equals(text(frame, "type"))) {
                acks++;
                if (messages.containsKey(ref)) {
                    acked.add(messages.get(ref));
                }
            } else if ("RATE_LIMITED".equals(text(frame, "code"))) {
                limited++;
                if (frame.path("data").path("retryAfterMs").asLong() < 1) {
                    withoutRetry++;
                }
            } else {
                others++;
            }
        }
        flooder.close();
        return new Flood(sessionId, sent, acks, limited, others, withoutRetry, code, tookMs, acked, overRate, pastFlood);
    }

    /**
     * Sends a command and returns its {@code ack}; an {@code UNAVAILABLE} (a busy service) or
     * {@code RATE_LIMITED} answer is sent again with the same id after the wait it names, as
     * ARCHITECTURE §4 tells clients to. Any other answer fails. Resends are counted by code.
     */
    private static JsonNode acked(WsTestClient client, String type, Map<String, ?> data, Map<String, Integer> resends)
            throws InterruptedException {
        String id = UUID.randomUUID().toString();
        String frame = MeshJson.write(Map.of("type", type, "id", id, "data", data));
        client.send(frame);
        return awaitAck(client, id, frame, resends);
    }

    private static JsonNode awaitAck(WsTestClient client, String id, String frame, Map<String, Integer> resends)
            throws InterruptedException {
        long deadline = System.nanoTime() + 2 * WAIT.toNanos();
        while (true) {
            JsonNode reply = client.awaitReply(id, WAIT);
            if ("ack".equals(text(reply, "type"))) {
                return reply;
            }
            String code = text(reply, "code");
            assertThat(code).as("answered %s", reply).isIn("UNAVAILABLE", "RATE_LIMITED");
            assertThat(System.nanoTime()).as("acknowledged in the end: %s", reply).isLessThan(deadline);
            resends.merge(code, 1, Integer::sum);
            Thread.sleep(Math.max(100, reply.path("data").path("retryAfterMs").asLong()));
            client.send(frame);
        }
    }

    private static double limited(String limit) {
        Counter counter = meters.find("mesh.gateway.rate_limited").tag("limit", limit).counter();
        return counter == null ? 0 : counter.count();
    }

    record Flood(String sessionId, int sent, int acks, int rateLimited, int otherErrors, int waitsWithoutRetryAfter,
                 int closeCode, long tookMs, List<String> ackedMessages, long overRate, long pastFlood) {
        @Override
        public String toString() {
            return String.format("%d frames queued by the client before it saw the close; the gateway refused %d over the "
                    + "rate (%d answered RATE_LIMITED with retryAfterMs, the rest typing dropped), %d past the flood "
                    + "budget (closed there); %d acks (%d of them messages); closed %d after %d ms", sent, overRate, rateLimited,
                    pastFlood, acks, ackedMessages.size(), closeCode, tookMs);
        }
    }

    /**
     * Each bystander in its own thread: a command, its reply, then the next — a {@code chat:message}
     * every eighth, {@code chat:join} otherwise — at most 5 a second (half the connection's budget;
     * the messages within the user's 1 a second), at least
     * {@code minimum} each and until {@code done}. Returns every round trip's time; fails if any
     * command is not acknowledged.
     */
    private static List<Long> roundTrips(ExecutorService threads, List<WsTestClient> bystanders, String room, String phase,
                                         Map<String, Long> messages, BooleanSupplier done, int minimum,
                                         Map<String, Integer> resends) {
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        List<Future<?>> running = new ArrayList<>();
        for (int b = 0; b < bystanders.size(); b++) {
            WsTestClient bystander = bystanders.get(b);
            String name = "bystander-" + (b + 1);
            running.add(threads.submit(() -> {
                for (int i = 0; i < minimum || !done.getAsBoolean(); i++) {
                    long start = System.nanoTime();
                    String content = name + " " + phase + " " + i;
                    JsonNode reply = i % 8 == 0
                            ? acked(bystander, "chat:message", Map.of("roomId", room, "content", content), resends)
                            : acked(bystander, "chat:join", Map.of("roomId", room), resends);
                    long took = System.nanoTime() - start;
                    latencies.add(took);
                    if (i % 8 == 0) {
                        messages.put(content, reply.path("data").path("seq").asLong());
                    }
                    long pause = 200 - took / 1_000_000;
                    if (pause > 0) {
                        Thread.sleep(pause);
                    }
                }
                return null;
            }));
        }
        for (Future<?> bystander : running) {
            try {
                bystander.get();
            } catch (Exception e) {
                throw new AssertionError("a bystander failed", e.getCause() != null ? e.getCause() : e);
            }
        }
        return List.copyOf(latencies);
    }

    private static String stats(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return String.format("%d round trips, all acknowledged; p50 %.1f ms, p99 %.1f ms, max %.1f ms (load average %.1f)",
                sorted.size(), percentile(sorted, 0.50), percentile(sorted, 0.99), sorted.getLast() / 1e6,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static double percentile(List<Long> sorted, double p) {
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))) / 1e6;
    }

    // Many connections from one address

    @Test
    void connectionsPastThePerAddressCapAreClosedWith1013AndNoOneElseIsAffected() throws Exception {
        int cap = properties.maxConnectionsPerAddress();
        InetAddress crowdAddress = InetAddress.getByName("127.0.0.2");
        InetAddress otherAddress = InetAddress.getByName("127.0.0.3");
        String crowdToken = token("crowd", "student");
        List<RawWebSocket> crowd = new ArrayList<>();
        long started = System.nanoTime();
        try {
            for (int i = 0; i < cap; i++) {
                RawWebSocket socket = RawWebSocket.open(gateway, crowdAddress, 0, crowdToken);
                crowd.add(socket);
                socket.awaitText("\"welcome\"", WAIT);
            }
            long openedMs = (System.nanoTime() - started) / 1_000_000;
            int refused = 0;
            for (int i = 0; i < 3; i++) {
                try (RawWebSocket over = RawWebSocket.open(gateway, crowdAddress, 0, crowdToken)) {
                    assertThat(over.awaitClose(WAIT)).as("connection %d from one address", cap + 1 + i).isEqualTo(1013);
                    refused++;
                }
            }
            // Every earlier one is still open and served: each gets its answer to a frame.
            for (RawWebSocket socket : crowd) {
                socket.sendText("{\"type\":\"no:such\",\"id\":\"still-here\"}");
            }
            for (RawWebSocket socket : crowd) {
                assertThat(socket.awaitText("still-here", WAIT)).contains("VALIDATION");
            }
            // Another address is not counted with them.
            try (RawWebSocket other = RawWebSocket.open(gateway, otherAddress, 0, token("neighbour", "student"))) {
                other.awaitText("\"welcome\"", WAIT);
                other.sendText("{\"type\":\"chat:join\",\"id\":\"neighbour-join\",\"data\":{\"roomId\":\"" + TestMesh.get().roomId + "\"}}");
                assertThat(other.awaitText("neighbour-join", WAIT)).contains("\"ack\"");
            }
            report.add(String.format("address cap: %d sockets from 127.0.0.2 opened and authenticated in %d ms; "
                    + "%d more refused with 1013; all %d still answered; 127.0.0.3 served", cap, openedMs, refused, cap));
        } finally {
            crowd.forEach(RawWebSocket::close);
        }
        // Their slots are given back: the address is admitted again.
        await(() -> registry.ofUser("crowd").isEmpty(), "the crowd's sessions leave the registry");
        try (RawWebSocket again = RawWebSocket.open(gateway, crowdAddress, 0, crowdToken)) {
            again.awaitText("\"welcome\"", WAIT);
        }
    }

    // A consumer that never reads

    @Test
    void aConsumerThatNeverReadsIsClosedWith1013AndTheRoomKeepsReceiving() throws Exception {
        String room = createRoom("Slow");
        List<WsTestClient> readers = new ArrayList<>();
        List<WsTestClient> posters = new ArrayList<>();
        RawWebSocket slow = RawWebSocket.open(gateway, null, 4096, token("slow", "student"));
        try {
            for (int i = 1; i <= 2; i++) {
                WsTestClient reader = connectWithHeader(gateway, "reader-" + i);
                join(reader, room);
                readers.add(reader);
            }
            String welcome = slow.awaitText("\"welcome\"", WAIT);
            String slowId = MeshJson.read(welcome, JsonNode.class).path("data").path("sessionId").asString();
            slow.sendText("{\"type\":\"chat:join\",\"id\":\"slow-join\",\"data\":{\"roomId\":\"" + room + "\"}}");
            assertThat(slow.awaitText("slow-join", WAIT)).contains("\"ack\"");
            ClientSession slowSession = registry.session(slowId);
            // From here on the slow consumer reads nothing.

            String text = "🌊".repeat(1_990); // the longest message there is: ~8 KB of UTF-8
            long started = System.nanoTime();
            int posted = 0;
            long postedBytes = 0;
            int round = 0;
            Map<String, Integer> posterResends = new ConcurrentHashMap<>();
            while (!slowSession.isClosed() && posted < 1_600) {
                round++;
                // Each poster sends its user's whole burst at once, then waits for the acks.
                List<WsTestClient> batch = new ArrayList<>();
                for (int p = 0; p < 8; p++) {
                    WsTestClient poster = connectWithHeader(gateway, "poster-" + round + "-" + p);
                    join(poster, room);
                    posters.add(poster);
                    batch.add(poster);
                }
                List<String> ids = new ArrayList<>();
                List<String> frames = new ArrayList<>();
                for (int m = 0; m < properties.rateLimits().userMessageBurst(); m++) {
                    for (WsTestClient poster : batch) {
                        String id = UUID.randomUUID().toString();
                        String frame = MeshJson.write(Map.of("type", "chat:message", "id", id,
                                "data", Map.of("roomId", room, "content", text + " " + round + "." + m)));
                        poster.send(frame);
                        ids.add(id);
                        frames.add(frame);
                    }
                }
                for (int i = 0; i < ids.size(); i++) {
                    awaitAck(batch.get(i % batch.size()), ids.get(i), frames.get(i), posterResends);
                }
                posted += ids.size();
                postedBytes += (long) ids.size() * (text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 300);
                for (WsTestClient poster : batch) {
                    poster.close();
                }
                posters.removeAll(batch);
                System.out.printf("FloodsTest: slow consumer round %d: %d messages posted, its pending bytes %d, closed %s%n",
                        round, posted, slowSession.pendingBytes(), slowSession.isClosed());
            }
            await(slowSession::isClosed, "the slow consumer is closed");
            long closedAfterMs = (System.nanoTime() - started) / 1_000_000;
            assertThat(slowSession.isClosed()).as("closed after %d messages", posted).isTrue();

            // The others received every message of the burst, in order, without a resync.
            int expected = posted;
            for (WsTestClient reader : readers) {
                BooleanSupplier all = () -> burstReceived(reader, text) == expected;
                await(all, () -> String.format("a reader receives the whole burst: %d of %d, open %s, %d resync",
                        burstReceived(reader, text), expected, reader.isOpen(),
                        reader.received().stream().filter(f -> "resync".equals(text(f, "type"))).count()));
                assertThat(reader.received()).noneMatch(f -> "resync".equals(text(f, "type")));
                assertThat(reader.isOpen()).isTrue();
            }
            long drainStart = System.nanoTime();
            int code = slow.awaitClose(WAIT);
            assertThat(code).as("the slow consumer's close code, after what was already on the wire").isEqualTo(1013);
            await(() -> registry.session(slowId) == null, "the slow consumer's session leaves the registry");
            report.add(String.format("slow consumer (4 KB receive buffer, never reads): closed 1013 after %d messages "
                    + "(~%d KB) posted in %d rounds, %d ms after the burst began; both readers received all %d; "
                    + "reading its socket to the close frame took %d ms; posts resent with the same id: %s", posted,
                    postedBytes >> 10, round, closedAfterMs, posted, (System.nanoTime() - drainStart) / 1_000_000,
                    posterResends));
        } finally {
            slow.close();
            posters.forEach(WsTestClient::close);
            readers.forEach(WsTestClient::close);
        }
    }

    // Helpers

    private static String createRoom(String name) throws Exception {
        HttpResponse<String> created = post(gateway, "/api/chat/rooms", token("ada", "instructor"),
                "{\"name\":\"" + name + "\",\"type\":\"public\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return MeshJson.read(created.body(), JsonNode.class).get("id").asString();
    }

    private static long burstReceived(WsTestClient reader, String text) {
        return reader.received().stream().filter(f -> "chat:message".equals(text(f, "type"))
                && text(f.path("data"), "content").startsWith(text)).count();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        await(condition, () -> what);
    }

    private static void await(BooleanSupplier condition, java.util.function.Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what.get() + ": not within " + WAIT);
            }
            Thread.sleep(100);
        }
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Watches the gateway every 20 ms: the largest outbound queue of any session, the most sessions. */
    private static final class Sampler {
        final AtomicLong maxQueued = new AtomicLong();
        final AtomicLong maxSessions = new AtomicLong();
        private volatile boolean running;
        private Thread thread;

        void start() {
            running = true;
            thread = Thread.ofPlatform().daemon().name("floods-sampler").start(() -> {
                while (running) {
                    long sessions = 0;
                    for (ClientSession session : registry.all()) {
                        maxQueued.accumulateAndGet(session.pendingBytes(), Math::max);
                        sessions++;
                    }
                    maxSessions.accumulateAndGet(sessions, Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        void stop() {
            running = false;
            thread.interrupt();
        }
    }
}
