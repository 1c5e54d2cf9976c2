package dev.mesh.dev.faults;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import dev.mesh.testkit.ws.WsTestClient;

/**
 * Steady chat traffic from {@code clients} users in one fresh room, each connected to one of
 * the given gateway addresses (and failing over to the next), plus {@code leavers} users who
 * connect, join and leave for good when the load starts (presence must publish them offline).
 * A test starts the load, injects its fault, and calls {@link #finish}: the clients stop making
 * commands, retry until each one is acknowledged, catch up to the room's last seq, and the
 * {@link InvariantChecker} compares what they received with the database and presence.
 */
final class LoadUnderFault implements AutoCloseable {

    static final Duration SETTLE = Duration.ofSeconds(60);

    final String name;
    final FaultMesh mesh;
    final String roomId;
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
        for (int i = 0; i < clients; i++) {
            String user = "load" + i + "-" + run;
            this.clients.add(new LoadClient(user, mesh.token(user, "student"), addresses.get(i % addresses.size()), roomId, intervalMs));
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

    /** Starts the traffic; the leavers leave now if so configured. */
    void startLoad() {
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
        if (!await(() -> clients.stream().allMatch(LoadClient::allAcked), SETTLE)) {
            throw new AssertionError(name + ": not every command was acknowledged within " + SETTLE + ": "
                    + clients.stream().map(c -> c.user + " " + c.acked.size() + "/" + c.sent.size() + " " + c.violations).toList());
        }
        long last = InvariantChecker.lastSeq(mesh, roomId);
        if (!await(() -> clients.stream().allMatch(c -> c.lastSeq() >= last), SETTLE)) {
            throw new AssertionError(name + ": not every client caught up to seq " + last + " within " + SETTLE + ": "
                    + clients.stream().map(c -> c.user + "@" + c.lastSeq() + " " + c.violations).toList());
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
