package dev.mesh.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.gateway.GatewayApplication;

/**
 * The benchmark (issue #10): one command runs every scenario against the mesh and, with the
 * same load generator in the same run, against a bare Reactor Netty broadcast server and a
 * Socket.IO 4 server, then writes docs/benchmarks.md with its plots.
 *
 * <p>Processes: the infrastructure and the four services ({@link MeshNode}), each measured
 * gateway, the bare Netty server ({@link BareNettyServer}), the Socket.IO server (Node) and
 * the load generators ({@link LoadGen}) each run in their own process, so that CPU
 * (utime/stime from /proc) and memory are attributable. Everything stays on loopback.
 *
 * <pre>
 * java -cp … dev.mesh.bench.Bench [--quick] [--scenario=fanout,persisted,quiz,fanout5000,idle]
 *                                 [--out=docs/benchmarks.md] [--scale=0.25] [--post-rates=250,500] [--jfr | --no-jfr]
 * </pre>
 * {@code --quick} runs tiny sizes to prove the harness works and writes under target/, never
 * over docs/. The full run records JFR profiles of the gateways and the services' process
 * (summarized in the report) unless {@code --no-jfr}.
 */
public final class Bench {

    /**
     * In the order run. Idle comes last: closing its 19,500 sockets is 19,500 sessions that presence
     * closes and, after the grace period, 19,500 users it takes offline (and notification hears of) —
     * a minute or more of work the mesh would otherwise still be doing while the next scenario is measured.
     */
    static final List<String> ALL_SCENARIOS = List.of("fanout", "persisted", "quiz", "fanout5000", "idle");
    static final String MESH = "mesh", NETTY = "bare Netty", SIO = "Socket.IO";

    private static final String[] URL_VARIABLES = {"MESH_CHAT_URL", "MESH_QUIZ_URL", "MESH_PRESENCE_URL", "MESH_NOTIFICATION_URL"};
    private static final String[] SERVICES = {"CHAT", "QUIZ", "PRESENCE", "NOTIFICATION"};

    record Options(boolean quick, Set<String> scenarios, Path out, boolean jfr, double scale, List<Integer> postRates) {

        static Options parse(List<String> args) {
            boolean quick = args.contains("--quick");
            Set<String> scenarios = new LinkedHashSet<>(ALL_SCENARIOS);
            Path out = null;
            double scale = 1;
            List<Integer> postRates = null;
            // The full run records JFR profiles by default: the report shows where the CPU went when a goal is missed.
            boolean jfr = args.contains("--jfr") || !quick && !args.contains("--no-jfr");
            for (String arg : args) {
                if (arg.startsWith("--scenario=")) {
                    scenarios = new LinkedHashSet<>(List.of(arg.substring("--scenario=".length()).split(",")));
                    if (!ALL_SCENARIOS.containsAll(scenarios)) {
                        throw new IllegalArgumentException("scenarios are " + ALL_SCENARIOS + ", not " + scenarios);
                    }
                } else if (arg.startsWith("--post-rates=")) {
                    postRates = java.util.Arrays.stream(arg.substring("--post-rates=".length()).split(","))
                            .map(Integer::valueOf).toList();
                } else if (arg.startsWith("--scale=")) {
                    scale = Double.parseDouble(arg.substring("--scale=".length()));
                } else if (arg.startsWith("--out=")) {
                    out = Path.of(arg.substring("--out=".length()));
                } else if (!arg.equals("--quick") && !arg.equals("--jfr") && !arg.equals("--no-jfr")) {
                    throw new IllegalArgumentException("unknown argument " + arg
                            + " (use --quick, --scenario=" + String.join(",", ALL_SCENARIOS) + ", --out=<file.md>, --scale=<factor>, --post-rates=<msg/s,...>, --jfr, --no-jfr)");
                }
            }
            if (out == null) {
                out = quick ? moduleTarget().resolve("bench-quick/benchmarks.md") : Path.of("docs/benchmarks.md");
            }
            if (quick && !out.toAbsolutePath().normalize().toString().contains("target")) {
                throw new IllegalArgumentException("--quick writes under target/ only, never over " + out);
            }
            return new Options(quick, scenarios, out, jfr, scale, postRates);
        }
    }

    private final Options options;
    private final Sizes sizes;
    private final Path logs;
    private final Results results = new Results();
    private final HttpClient http = HttpClient.newBuilder()
            // HTTP/1.1 only: the default first tries an h2c upgrade, whose headers the gateway would pass on.
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final List<String> addresses = new ArrayList<>();
    private final List<Child> children = new ArrayList<>();
    private Child mesh;
    private JsonNode meshInfo;
    private final List<Child> gateways = new ArrayList<>();
    private final List<Integer> gatewayPorts = new ArrayList<>();
    private final List<Child> generators = new ArrayList<>();
    private Child netty;
    private int nettyPort;
    private Child socketIo;
    private int socketIoPort;
    private String fanoutRoom;

    Bench(Options options) {
        this.options = options;
        Sizes chosen = options.quick() ? Sizes.forQuick() : Sizes.forFull().scaled(options.scale());
        this.sizes = options.postRates() == null ? chosen : chosen.withPostRates(options.postRates());
        this.logs = moduleTarget().resolve(options.quick() ? "bench-quick/logs" : "bench-logs").toAbsolutePath();
    }

    public static void main(String[] args) throws Exception {
        Results results = run(List.of(args));
        System.exit(results == null ? 1 : 0);
    }

    /** Runs the benchmark and writes the report; returns what was measured. */
    static Results run(List<String> args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Options options = Options.parse(args);
        Bench bench = new Bench(options);
        try {
            return bench.execute();
        } finally {
            bench.stopAll();
        }
    }

    static Path moduleTarget() {
        return Files.isDirectory(Path.of("mesh-bench")) ? Path.of("mesh-bench", "target") : Path.of("target");
    }

    private Results execute() throws Exception {
        long started = System.nanoTime();
        Files.createDirectories(logs);
        log("logs in " + logs);
        if (System.getProperty("java.class.path").contains("/repository/dev/mesh/")) {
            // A classpath built without -am takes the mesh's modules from the local Maven repository: stale copies.
            log("WARNING: the mesh's modules come from the local Maven repository, not from this build; use bench/run");
            results.notes.add("The mesh's modules were taken from the local Maven repository, not from this build.");
        }
        describeMachine();
        chooseSourceAddresses();
        // The mesh takes longest to start: the generators and baselines start meanwhile, then the gateways together.
        java.util.concurrent.CompletableFuture<Void> meshUp = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                startMesh();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        startGenerators();
        startBaselines();
        meshUp.join();
        List<String> gatewayIds = options.scenarios().contains("fanout5000")
                ? List.of("bench-gateway-1", "bench-gateway-2") : List.of("bench-gateway-1");
        List<Gateway> launched = new ArrayList<>();
        for (String id : gatewayIds) {
            launched.add(launchGateway(id));
        }
        for (Gateway gateway : launched) {
            awaitReady(gateway.process(), "http://127.0.0.1:" + gateway.port() + "/actuator/health/readiness");
            gateways.add(gateway.process());
            gatewayPorts.add(gateway.port());
            log(gateway.process().name() + " ready on port " + gateway.port() + " (pid " + gateway.process().pid() + ")");
        }
        for (String scenario : options.scenarios()) {
            log("scenario " + scenario);
            long t0 = System.nanoTime();
            try {
                switch (scenario) {
                    case "fanout" -> fanout();
                    case "idle" -> idle();
                    case "persisted" -> persisted();
                    case "quiz" -> quiz();
                    case "fanout5000" -> fanout5000();
                    default -> throw new IllegalStateException(scenario);
                }
                results.scenariosRun.add(scenario);
            } catch (Exception | Error failure) {
                // A generator stuck in the failed scenario must not hide why it failed.
                try {
                    closeAllClients();
                } catch (RuntimeException closing) {
                    failure.addSuppressed(closing);
                }
                throw failure;
            }
            closeAllClients();
            log("scenario " + scenario + " took " + (System.nanoTime() - t0) / 1_000_000_000 + " s");
        }
        results.totalSeconds = (System.nanoTime() - started) / 1e9;
        results.machine.put("load average at end", read("/proc/loadavg").trim());
        if (options.jfr()) {
            stopGatewaysAndMesh();
            results.profileSummary = Profiles.summarize(logs);
        }
        new Report(results, sizes, options).write(options.out());
        log("report written to " + options.out().toAbsolutePath() + " (" + Math.round(results.totalSeconds) + " s)");
        return results;
    }

    // Processes

    private void describeMachine() {
        Map<String, String> m = results.machine;
        m.put("CPU", firstMatch("/proc/cpuinfo", "model name") + " × " + Runtime.getRuntime().availableProcessors()
                + " (as seen by the JVM)");
        m.put("memory", firstMatch("/proc/meminfo", "MemTotal"));
        m.put("kernel", read("/proc/sys/kernel/osrelease").trim());
        m.put("JDK", System.getProperty("java.vm.name") + " " + Runtime.version());
        m.put("open files per process", shell("ulimit -n"));
        m.put("load average at start", read("/proc/loadavg").trim());
        m.put("Node", shell("node --version"));
        m.put("date", Instant.now().toString());
        Map<String, String> s = results.settings;
        s.put("gateway JVM", String.join(" ", gatewayJvmArgs()));
        s.put("bare Netty JVM", String.join(" ", nettyJvmArgs()));
        s.put("generator JVMs", sizes.generators() + " processes, 1 event-loop thread each, -Xmx1g");
        s.put("bench profile", resource("/gateway-service-bench.yml") + "\n" + resource("/chat-service-bench.yml"));
    }

    private void chooseSourceAddresses() {
        for (int i = 1; i <= 20; i++) {
            String address = "127.0.0." + i;
            try (Socket probe = new Socket()) {
                probe.bind(new InetSocketAddress(address, 0));
                addresses.add(address);
            } catch (IOException e) {
                break;
            }
        }
        results.settings.put("client source addresses", addresses.getFirst() + " – " + addresses.getLast()
                + " (" + addresses.size() + ")");
    }

    private void startMesh() throws IOException {
        List<String> jvm = new ArrayList<>(List.of("-Xmx3g", "-Dreactor.netty.ioWorkerCount=2"));
        if (options.jfr()) {
            jvm.add("-XX:StartFlightRecording=filename=" + logs.resolve("mesh-services.jfr") + ",settings=profile");
        }
        mesh = track(Child.java("mesh", logs, jvm, MeshNode.class, List.of()));
        meshInfo = mesh.await(Duration.ofMinutes(10));
        log("mesh up: " + meshInfo);
    }

    private List<String> gatewayJvmArgs() {
        return List.of("-Xmx2g", "-XX:+UseG1GC", "-Dreactor.netty.ioWorkerCount=2");
    }

    private List<String> nettyJvmArgs() {
        return List.of("-Xmx2g", "-XX:+UseG1GC", "-Dreactor.netty.ioWorkerCount=2");
    }

    record Gateway(Child process, int port) {
    }

    private Gateway launchGateway(String id) throws IOException {
        int port = freePort();
        List<String> jvm = new ArrayList<>(gatewayJvmArgs());
        if (options.jfr()) {
            jvm.add("-XX:StartFlightRecording=filename=" + logs.resolve(id + ".jfr") + ",settings=profile");
        }
        List<String> args = new ArrayList<>(List.of(
                "--spring.profiles.active=bench",
                "--spring.main.log-startup-info=false",
                "--server.port=" + port,
                "--mesh.instance-id=" + id,
                "--mesh.security.issuer=" + meshInfo.get("issuer").asString(),
                "--spring.kafka.bootstrap-servers=" + meshInfo.get("kafka").asString()));
        for (int i = 0; i < SERVICES.length; i++) {
            args.add("--" + URL_VARIABLES[i] + "=http://localhost:" + meshInfo.get("services").get(SERVICES[i]).asInt());
        }
        return new Gateway(track(Child.java(id, logs, jvm, GatewayApplication.class, args).signalOnClose()), port);
    }

    private void awaitReady(Child process, String url) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(6);
        while (System.nanoTime() < deadline) {
            if (!process.alive()) {
                throw new IllegalStateException(process.name() + " exited while starting (see " + logs + ")");
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(process.name() + " not ready within 6 minutes");
    }

    private void startGenerators() throws IOException {
        for (int i = 0; i < sizes.generators(); i++) {
            generators.add(track(Child.java("generator-" + i, logs, List.of("-Xmx1g", "-XX:+UseG1GC"), LoadGen.class, List.of("1"))));
        }
        for (Child generator : generators) {
            generator.await(Duration.ofMinutes(1));
        }
    }

    private void startBaselines() throws IOException {
        netty = track(Child.java("bare-netty", logs, nettyJvmArgs(), BareNettyServer.class, List.of()));
        nettyPort = netty.await(Duration.ofMinutes(1)).get("port").asInt();
        log("bare Netty on port " + nettyPort + " (pid " + netty.pid() + ")");
        String unavailable = installSocketIo();
        if (unavailable != null) {
            results.notes.add("The Socket.IO baseline was not run: " + unavailable + ".");
            log("Socket.IO baseline not run: " + unavailable);
            return;
        }
        Path dir = moduleTarget().resolve("socketio").toAbsolutePath();
        socketIo = track(Child.start("socketio", logs, List.of("node", "server.js"), Map.of(), dir));
        socketIoPort = socketIo.await(Duration.ofMinutes(1)).get("port").asInt();
        results.settings.put("Socket.IO server", "socket.io " + socketIo.call(Map.of("op", "version"), Duration.ofSeconds(10))
                .get("version").asString() + " on Node " + results.machine.get("Node") + ", websocket transport only");
        log("Socket.IO on port " + socketIoPort + " (pid " + socketIo.pid() + ")");
    }

    /** npm installs socket.io into target/socketio at run time (no node_modules in the repository); null when it worked. */
    private String installSocketIo() {
        Path dir = moduleTarget().resolve("socketio").toAbsolutePath();
        try {
            Files.createDirectories(dir);
            for (String file : List.of("package.json", "server.js")) {
                try (InputStream in = Bench.class.getResourceAsStream("/socketio/" + file)) {
                    Files.copy(in, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            if (Files.isDirectory(dir.resolve("node_modules/socket.io"))) {
                return null;
            }
            Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--loglevel=error")
                    .directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(logs.resolve("npm-install.log").toFile()).start();
            if (!npm.waitFor(3, TimeUnit.MINUTES)) {
                npm.destroyForcibly();
                return "npm install did not finish within 3 minutes";
            }
            return npm.exitValue() == 0 ? null : "npm install failed (exit " + npm.exitValue() + ", see npm-install.log)";
        } catch (IOException e) {
            return "npm is not available (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private Child track(Child child) {
        children.add(child);
        return child;
    }

    private void stopGatewaysAndMesh() {
        for (Child gateway : gateways) {
            gateway.close();
        }
        if (mesh != null) {
            mesh.close();
        }
    }

    private void stopAll() {
        for (Child child : children.reversed()) {
            try {
                child.close();
            } catch (RuntimeException e) {
                log("stopping " + child.name() + ": " + e);
            }
        }
    }

    // Scenarios

    /** One room of {@code fanoutMembers}; one sender at each rate; mesh, bare Netty and Socket.IO in turn. */
    private void fanout() throws Exception {
        int members = sizes.fanoutMembers();
        fanoutRoom = createRoom("bench fan-out", sizes.bigMembers() + 10);
        enrol(fanoutRoom, 1, members);
        for (String target : targets()) {
            connectMembers(target, 1, members, List.of(0));
            connectSender(target, fanoutRoom, 0);
            if (sizes.warmupSeconds() > 0) {
                measure(target, members, sizes.fanoutRates().getFirst(), sizes.warmupSeconds(), List.of(0));
            }
            for (int rate : sizes.fanoutRates()) {
                Results.FanoutRow row = measure(target, members, rate, sizes.fanoutSeconds(), List.of(0));
                results.fanout.add(row);
                log(describe(row));
            }
            closeAllClients();
        }
    }

    /** Members {@code 1..bigMembers} of one room over 2 gateways; rates up a ladder until p99 ≥ 0.5 s or a loss; then bare Netty. */
    private void fanout5000() throws Exception {
        int members = sizes.bigMembers();
        if (fanoutRoom == null) {
            fanoutRoom = createRoom("bench fan-out", members + 10);
            enrol(fanoutRoom, 1, members);
        } else {
            enrol(fanoutRoom, sizes.fanoutMembers() + 1, members);
        }
        for (String target : List.of(MESH, NETTY)) {
            if (target.equals(MESH)) {
                int half = members / 2;
                connectMembers(target, 1, half, List.of(0));
                connectMembers(target, half + 1, members, List.of(1));
            } else {
                connectMembers(target, 1, members, List.of(0));
            }
            connectSender(target, fanoutRoom, 0);
            List<Results.FanoutRow> steps = new ArrayList<>();
            for (int rate : sizes.ladderRates()) {
                Results.FanoutRow row = measure(target, members, rate, sizes.ladderSeconds(),
                        target.equals(MESH) ? List.of(0, 1) : List.of(0));
                steps.add(row);
                log("ladder " + describe(row));
                if (!row.passes(500)) {
                    break;
                }
            }
            results.ladders.add(new Results.Ladder(target, members, steps));
            closeAllClients();
        }
    }

    /** Connections held on one server process; what each costs in RSS and in heap after a full GC. */
    private void idle() throws Exception {
        for (String target : List.of(MESH, NETTY)) {
            long pid = serverPid(target, 0);
            long heapBefore = ProcStats.heapAfterGc(pid);
            long rssBefore = ProcStats.rss(pid);
            Map<String, Long> classesBefore = target.equals(MESH) ? ProcStats.classBytes(pid) : Map.of();
            int n = sizes.idleConnections();
            // Users apart from the other scenarios' (a user's sockets would be counted together).
            ConnectResult connected = connectRange(target, null, 100_001, 100_000 + n, List.of(0), "hold", false, false);
            Thread.sleep(sizes.settleSeconds() * 1000L);
            long heapAfter = ProcStats.heapAfterGc(pid);
            long rssAfter = ProcStats.rss(pid);
            int open = (int) sumStats().open;
            Results.IdleRow row = new Results.IdleRow(target, n, open, connected.failed, rssBefore, rssAfter, heapBefore,
                    heapAfter, connected.errors);
            results.idle.add(row);
            if (target.equals(MESH) && open > 0) {
                // Where the gateway's bytes per connection go (the goal is 8 KB of heap): what each class
                // grew by while the connections were opened, per connection.
                results.notes.add("Idle mesh gateway, live heap added per held connection by class (largest 12): "
                        + String.join(", ", ProcStats.largestGrowth(classesBefore, ProcStats.classBytes(pid), open, 12)) + ".");
            }
            log("idle %s: %d held, %.1f KB RSS and %.1f KB heap per connection".formatted(target, open,
                    row.rssPerConnection() / 1024, row.heapPerConnection() / 1024));
            closeAllClients();
        }
    }

    /** {@code rooms} rooms of {@code roomMembers}, every member posting: offered rates up a ladder. */
    private void persisted() throws Exception {
        int rooms = sizes.rooms();
        int perRoom = sizes.roomMembers();
        List<String> roomIds = new ArrayList<>();
        for (int r = 0; r < rooms; r++) {
            roomIds.add(createRoom("bench persisted " + r, perRoom + 5));
        }
        // Whole rooms per generator: user 200001 + i is in room i / perRoom.
        int base = 200_001;
        int total = rooms * perRoom;
        List<int[]> parts = split(0, rooms - 1, generators.size());
        List<Child> used = new ArrayList<>();
        for (int g = 0; g < parts.size(); g++) {
            int[] part = parts.get(g);
            Map<String, Object> request = connectRequest(MESH, 0, "hold", true, false);
            request.put("first", base + part[0] * perRoom);
            request.put("last", base + (part[1] + 1) * perRoom - 1);
            request.put("rooms", roomIds.subList(part[0], part[1] + 1));
            request.put("perRoom", perRoom);
            generators.get(g).send(request);
            used.add(generators.get(g));
        }
        ConnectResult connected = awaitConnects(used);
        requireConnected(connected, total, "persisted members");
        awaitMeshQuiet("persisted");
        for (int rate : sizes.postRates()) {
            Results.Persisted step = post(used, rooms, perRoom, rate);
            results.persisted.add(step);
            log("persisted @ %d msg/s offered: %d sent, %d acked (%.0f/s), ack p50/p99 %.1f/%.1f ms, delivered p99 %.1f ms, lost %d, errors %d"
                    .formatted(rate, step.sent(), step.acked(), step.ackedPerSecond(), step.ackLatency().getValueAtPercentile(50) / 1000.0,
                            step.ackLatency().getValueAtPercentile(99) / 1000.0, step.deliveryLatency().getValueAtPercentile(99) / 1000.0,
                            step.lost(), step.errors()));
            // Past its capacity the backlog only grows (commands then wait, expire and are retried): stop there.
            if (!step.passes(1_000)) {
                break;
            }
        }
    }

    /** Every member posts for {@code postSeconds}, {@code rate} messages a second over all rooms; waits for the deliveries. */
    private Results.Persisted post(List<Child> used, int rooms, int perRoom, int rate) throws InterruptedException {
        reset();
        ProcStats.Cpu gw0 = ProcStats.cpu(gateways.getFirst().pid());
        ProcStats.Cpu infra0 = ProcStats.treeCpu(mesh.pid());
        double perMember = rate / (double) (rooms * perRoom);
        long t0 = System.nanoTime();
        for (Child generator : used) {
            generator.send(Map.of("op", "post", "rate", perMember, "seconds", sizes.postSeconds()));
        }
        long sent = 0, acked = 0, errors = 0;
        for (Child generator : used) {
            JsonNode posted = generator.await(Duration.ofSeconds(sizes.postSeconds() + 120));
            sent += posted.get("sent").asLong();
            acked += posted.get("acked").asLong();
            errors += posted.get("errors").asLong();
        }
        // The generators answer once their last ack arrived: a mesh behind the offered rate takes longer.
        double seconds = Math.max(sizes.postSeconds(), (System.nanoTime() - t0) / 1e9);
        Stats stats = drain(acked * perRoom);
        ProcStats.Cpu gwCpu = ProcStats.cpu(gateways.getFirst().pid()).minus(gw0);
        ProcStats.Cpu infraCpu = ProcStats.treeCpu(mesh.pid()).minus(infra0);
        retried(stats, stats.errors);
        return new Results.Persisted(rooms, perRoom, rate, seconds, sent, acked, errors,
                stats.delivered, acked * perRoom, stats.acks, stats.deliveries, gwCpu, infraCpu, stats.errors);
    }

    /** One quiz session, {@code quizPlayers} players; each answers the moment the question reaches it. */
    private void quiz() throws Exception {
        String instructor = token("instructor-1");
        String quiz = """
                {"title":"bench burst","questions":[{"type":"single","text":"Pick a","options":["a","b"],"correct":0,
                "timeLimitSeconds":120,"points":1000}],"settings":{"autoAdvance":false,"showLeaderboard":true}}""";
        String quizId = postJson(gatewayUrl(0) + "/api/quiz/quizzes", instructor, quiz).get("id").asString();
        Child host = generators.getFirst();
        Map<String, Object> hostConnect = connectRequest(MESH, 0, "hold", false, false);
        hostConnect.put("user", "instructor-1");
        hostConnect.put("name", "host");
        requireConnected(toResult(host.call(hostConnect, Duration.ofMinutes(2))), 1, "quiz host");
        String sessionId = command(host, "host", "quiz:host", Map.of("quizId", quizId)).get("sessionId").asString();
        int players = sizes.quizPlayers();
        Map<String, Object> join = Map.of("type", "quiz:join", "data", Map.of("sessionId", sessionId));
        ConnectResult enrolled = connectRange(MESH, join, 300_001, 300_000 + players, List.of(0), "enrol", false, false);
        requireConnected(enrolled, players, "quiz players (enrolment)");
        ConnectResult joined = connectRange(MESH, join, 300_001, 300_000 + players, List.of(0), "hold", true, true);
        requireConnected(joined, players, "quiz players");
        awaitMeshQuiet("quiz");
        reset();
        long start = System.nanoTime();
        command(host, "host", "quiz:start", Map.of("sessionId", sessionId));
        Stats stats;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        do {
            Thread.sleep(250);
            stats = sumStats();
        } while (stats.accepted + stats.rejected < players && System.nanoTime() < deadline);
        double seconds = (System.nanoTime() - start) / 1e9;
        retried(stats, stats.errors);
        results.quiz = new Results.Quiz(players, joined.connected, stats.sent, stats.accepted, stats.rejected,
                stats.acks, seconds, stats.errors);
        log("quiz: %d players, %d accepted, %d rejected, p99 answer→ack %.1f ms".formatted(players, stats.accepted,
                stats.rejected, results.quiz.ackLatency().getValueAtPercentile(99) / 1000.0));
    }

    // Measuring

    /** The sender sends at {@code rate} for {@code seconds}; every member's deliveries counted and timed. */
    private Results.FanoutRow measure(String target, int members, int rate, int seconds, List<Integer> gatewayIndexes)
            throws InterruptedException {
        reset();
        List<Long> pids = new ArrayList<>();
        for (int index : gatewayIndexes) {
            pids.add(serverPid(target, index));
        }
        ProcStats.Cpu server0 = cpuOf(pids);
        ProcStats.Cpu infra0 = ProcStats.treeCpu(mesh.pid());
        long t0 = System.nanoTime();
        JsonNode sent = generators.getFirst().call(Map.of("op", "send", "client", "sender", "rate", rate, "seconds", seconds,
                "roomId", fanoutRoom), Duration.ofSeconds(seconds + 120));
        long acked = sent.get("acked").asLong();
        Stats stats = drain(acked * members);
        double elapsed = Math.max(seconds, (System.nanoTime() - t0) / 1e9 - stats.idleTail);
        ProcStats.Cpu serverCpu = cpuOf(pids).minus(server0);
        ProcStats.Cpu infraCpu = target.equals(MESH) ? ProcStats.treeCpu(mesh.pid()).minus(infra0) : new ProcStats.Cpu(0, 0);
        List<String> errors = new ArrayList<>(stats.errors);
        retried(stats, errors);
        if (sent.get("errors").asLong() > 0) {
            errors.add(sent.get("errors").asLong() + " messages not acknowledged");
        }
        return new Results.FanoutRow(target, members, rate, sent.get("sent").asLong(), acked, stats.delivered,
                acked * members, elapsed, serverCpu, infraCpu, stats.deliveries, stats.unexpectedCloses, errors);
    }

    private static void retried(Stats stats, List<String> errors) {
        if (stats.retries > 0) {
            errors.add(0, stats.retries + " commands answered UNAVAILABLE or RATE_LIMITED and retried with the same id "
                    + "(their latency counts from the first send)");
        }
    }

    private static ProcStats.Cpu cpuOf(List<Long> pids) {
        ProcStats.Cpu sum = new ProcStats.Cpu(0, 0);
        for (long pid : pids) {
            sum = sum.plus(ProcStats.cpu(pid));
        }
        return sum;
    }

    private long reset() {
        long phaseStart = LoadGen.nowMicros();
        for (Child generator : generators) {
            generator.send(Map.of("op", "reset", "phaseStart", phaseStart));
        }
        for (Child generator : generators) {
            generator.await(Duration.ofSeconds(30));
        }
        return phaseStart;
    }

    /** Sums of every generator's counters and histograms. */
    static final class Stats {
        long open, delivered, acked, accepted, rejected, sent, unexpectedCloses, retries;
        double idleTail;
        final Histogram deliveries = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
        final Histogram acks = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
        final List<String> errors = new ArrayList<>();
    }

    private Stats sumStats() {
        Stats sum = new Stats();
        for (Child generator : generators) {
            generator.send(Map.of("op", "stats"));
        }
        for (Child generator : generators) {
            JsonNode s = generator.await(Duration.ofSeconds(30));
            sum.open += s.get("open").asLong();
            sum.delivered += s.get("delivered").asLong();
            sum.acked += s.get("acked").asLong();
            sum.accepted += s.get("accepted").asLong();
            sum.rejected += s.get("rejected").asLong();
            sum.sent += s.get("sent").asLong();
            sum.unexpectedCloses += s.get("unexpectedCloses").asLong();
            sum.retries += s.get("retries").asLong();
            sum.deliveries.add(LoadGen.decode(s.get("deliveryHistogram").asString()));
            sum.acks.add(LoadGen.decode(s.get("ackHistogram").asString()));
            s.get("errors").forEach(e -> sum.errors.add(generator.name() + ": " + e.asString()));
        }
        return sum;
    }

    /** Waits until {@code expected} deliveries arrived, or nothing more arrives for 5 s, or {@code drainSeconds}. */
    private Stats drain(long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(sizes.drainSeconds());
        long lastCount = -1;
        long lastProgress = System.nanoTime();
        while (true) {
            Stats stats = sumStats();
            if (stats.delivered >= expected) {
                stats.idleTail = 0;
                return stats;
            }
            if (stats.delivered != lastCount) {
                lastCount = stats.delivered;
                lastProgress = System.nanoTime();
            }
            long quiet = System.nanoTime() - lastProgress;
            // Quick runs (the test suite, maybe on a busy machine) wait the whole drain time before calling anything lost.
            long quietLimit = TimeUnit.SECONDS.toNanos(sizes.quick() ? sizes.drainSeconds() : 5);
            if (quiet > quietLimit || System.nanoTime() > deadline) {
                stats.idleTail = quiet / 1e9;
                return stats;
            }
            Thread.sleep(200);
        }
    }

    // Clients

    record ConnectResult(int connected, int failed, List<String> errors) {
    }

    private List<String> targets() {
        return socketIo == null ? List.of(MESH, NETTY) : List.of(MESH, NETTY, SIO);
    }

    private String url(String target, int gatewayIndex) {
        return switch (target) {
            case MESH -> "ws://127.0.0.1:" + gatewayPorts.get(gatewayIndex) + "/ws";
            case NETTY -> "ws://127.0.0.1:" + nettyPort + "/ws";
            case SIO -> "ws://127.0.0.1:" + socketIoPort + "/socket.io/?EIO=4&transport=websocket";
            default -> throw new IllegalArgumentException(target);
        };
    }

    private long serverPid(String target, int gatewayIndex) {
        return switch (target) {
            case MESH -> gateways.get(gatewayIndex).pid();
            case NETTY -> netty.pid();
            case SIO -> socketIo.pid();
            default -> throw new IllegalArgumentException(target);
        };
    }

    private Map<String, Object> connectRequest(String target, int gatewayIndex, String mode, boolean counts, boolean answers) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("op", "connect");
        request.put("dialect", switch (target) {
            case MESH -> "MESH";
            case NETTY -> "NETTY";
            default -> "SIO";
        });
        request.put("url", url(target, gatewayIndex));
        request.put("issuer", meshInfo.get("issuer").asString());
        request.put("addresses", addresses);
        request.put("mode", mode);
        request.put("counts", counts);
        request.put("answers", answers);
        request.put("parallel", "enrol".equals(mode) ? 32 : 100);
        return request;
    }

    /** Users {@code first..last} split over the generators, on the given gateway(s) (split in turn). */
    private ConnectResult connectRange(String target, Map<String, Object> join, int first, int last, List<Integer> gatewayIndexes,
                                       String mode, boolean counts, boolean answers) {
        List<int[]> parts = split(first, last, generators.size());
        List<Child> used = new ArrayList<>();
        for (int g = 0; g < parts.size(); g++) {
            Map<String, Object> request = connectRequest(target, gatewayIndexes.get(g % gatewayIndexes.size()), mode, counts, answers);
            request.put("first", parts.get(g)[0]);
            request.put("last", parts.get(g)[1]);
            if (join != null) {
                request.put("join", join);
            }
            generators.get(g).send(request);
            used.add(generators.get(g));
        }
        return awaitConnects(used);
    }

    private ConnectResult awaitConnects(List<Child> used) {
        int connected = 0, failed = 0;
        List<String> errors = new ArrayList<>();
        for (Child generator : used) {
            ConnectResult one = toResult(generator.await(Duration.ofMinutes(10)));
            connected += one.connected;
            failed += one.failed;
            errors.addAll(one.errors);
        }
        return new ConnectResult(connected, failed, errors);
    }

    private static ConnectResult toResult(JsonNode reply) {
        List<String> errors = new ArrayList<>();
        reply.path("errors").forEach(e -> errors.add(e.asString()));
        return new ConnectResult(reply.get("connected").asInt(), reply.get("failed").asInt(), errors);
    }

    private void requireConnected(ConnectResult result, int expected, String what) {
        if (result.connected < expected) {
            throw new IllegalStateException(what + ": " + result.connected + " of " + expected + " connected; " + result.errors);
        }
    }

    /**
     * Waits until the mesh's processes (services, Kafka, PostgreSQL) use under 0.3 of a core for
     * 2 s in a row, at most 60 s: thousands of sockets just opened (and the enrolment's closed) set
     * off presence and notification work that would otherwise run during the measurement.
     */
    private void awaitMeshQuiet(String scenario) {
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(sizes.quick() ? 5 : 60);
        ProcStats.Cpu before = ProcStats.treeCpu(mesh.pid());
        int quietSeconds = 0;
        double used = 0;
        while (quietSeconds < 2 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            ProcStats.Cpu now = ProcStats.treeCpu(mesh.pid());
            used = now.minus(before).total();
            before = now;
            quietSeconds = used < 0.3 ? quietSeconds + 1 : 0;
        }
        double waited = (System.nanoTime() - t0) / 1e9;
        String figure = "%s %.0f s%s".formatted(scenario, waited, quietSeconds < 2 ? " (still at %.2f core)".formatted(used) : "");
        results.quietWaits.add(figure);
        log("mesh quiet after connecting: " + figure);
    }

    /** Members join the room over a socket each and leave it open no longer: the room's announcements reach few. */
    private void enrol(String roomId, int first, int last) {
        long t0 = System.nanoTime();
        Map<String, Object> join = Map.of("type", "chat:join", "data", Map.of("roomId", roomId));
        ConnectResult result = connectRange(MESH, join, first, last, List.of(0), "enrol", false, false);
        requireConnected(result, last - first + 1, "room enrolment");
        log("enrolled %d members in %.1f s".formatted(result.connected, (System.nanoTime() - t0) / 1e9));
    }

    /** Members {@code first..last} attached to the fan-out room (mesh) or just connected (baselines). */
    private void connectMembers(String target, int first, int last, List<Integer> gatewayIndexes) {
        Map<String, Object> join = target.equals(MESH) ? Map.of("type", "chat:join", "data", Map.of("roomId", fanoutRoom)) : null;
        long t0 = System.nanoTime();
        ConnectResult result = connectRange(target, join, first, last, gatewayIndexes, "hold", true, false);
        requireConnected(result, last - first + 1, target + " members");
        log("%s: %d members connected in %.1f s".formatted(target, result.connected, (System.nanoTime() - t0) / 1e9));
        if (target.equals(MESH)) {
            awaitMeshQuiet("fan-out, " + (last - first + 1) + " members");
        }
    }

    /** The sender: user student-0 on generator 0, joined to the room; its own deliveries are not counted. */
    private void connectSender(String target, String roomId, int gatewayIndex) {
        Map<String, Object> request = connectRequest(target, gatewayIndex, "hold", false, false);
        request.put("user", "student-0");
        request.put("name", "sender");
        if (target.equals(MESH)) {
            request.put("join", Map.of("type", "chat:join", "data", Map.of("roomId", roomId)));
        }
        requireConnected(toResult(generators.getFirst().call(request, Duration.ofMinutes(2))), 1, "sender");
    }

    private JsonNode command(Child generator, String client, String type, Map<String, Object> data) {
        return generator.call(Map.of("op", "command", "client", client, "type", type, "data", data), Duration.ofMinutes(1)).get("ack");
    }

    private void closeAllClients() {
        for (Child generator : generators) {
            generator.send(Map.of("op", "closeAll"));
        }
        for (Child generator : generators) {
            generator.await(Duration.ofMinutes(2));
        }
    }

    /** Splits {@code first..last} into at most {@code parts} consecutive ranges. */
    static List<int[]> split(int first, int last, int parts) {
        int count = last - first + 1;
        List<int[]> ranges = new ArrayList<>();
        int n = Math.min(parts, count);
        int start = first;
        for (int i = 0; i < n; i++) {
            int size = count / n + (i < count % n ? 1 : 0);
            ranges.add(new int[] {start, start + size - 1});
            start += size;
        }
        return ranges;
    }

    // HTTP

    private String gatewayUrl(int index) {
        return "http://127.0.0.1:" + gatewayPorts.get(index);
    }

    private String createRoom(String name, int maxMembers) throws IOException, InterruptedException {
        String body = MeshJson.write(Map.of("name", name, "type", "public", "maxMembers", maxMembers));
        return postJson(gatewayUrl(0) + "/api/chat/rooms", token("instructor-1"), body).get("id").asString();
    }

    private String token(String user) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(meshInfo.get("issuer").asString() + "/dev/token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"" + user + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        return MeshJson.mapper().readTree(response.body()).get("access_token").asString();
    }

    private JsonNode postJson(String url, String token, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 == 2) {
                return MeshJson.mapper().readTree(response.body());
            }
            log("POST " + url + " answered " + response.statusCode() + " " + response.body() + (attempt < 3 ? "; again" : ""));
            Thread.sleep(1000);
        }
        throw new IllegalStateException("POST " + url + ": " + response.statusCode() + " " + response.body());
    }

    // Helpers

    static String describe(Results.FanoutRow row) {
        return "%s %d members @ %d msg/s: %d delivered (%.0f/s), %.0f per server CPU-s (user %.1f s, sys %.1f s), p50 %.1f p99 %.1f p99.9 %.1f ms, lost %d"
                .formatted(row.target(), row.members(), row.rate(), row.delivered(), row.deliveriesPerSecond(),
                        row.deliveriesPerCpuSecond(), row.serverCpu().user(), row.serverCpu().system(),
                        row.latency().getValueAtPercentile(50) / 1000.0, row.latency().getValueAtPercentile(99) / 1000.0,
                        row.latency().getValueAtPercentile(99.9) / 1000.0, row.lost());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static void log(String line) {
        System.out.println("[bench " + java.time.LocalTime.now().withNano(0) + "] " + line);
    }

    private static String firstMatch(String file, String prefix) {
        for (String line : read(file).split("\n")) {
            if (line.startsWith(prefix)) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return "?";
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            return "?";
        }
    }

    private static String shell(String command) {
        try {
            Process process = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            process.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    private static String resource(String name) {
        try (InputStream in = Bench.class.getResourceAsStream(name)) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
