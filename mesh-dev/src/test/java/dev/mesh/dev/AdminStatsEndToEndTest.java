package dev.mesh.dev;

import static dev.mesh.dev.TestMesh.HTTP;
import static dev.mesh.dev.TestMesh.WAIT;
import static dev.mesh.dev.TestMesh.connectWithHeader;
import static dev.mesh.dev.TestMesh.http;
import static dev.mesh.dev.TestMesh.join;
import static dev.mesh.dev.TestMesh.token;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.testkit.ws.WsTestClient;

/**
 * The admins' live stats across the mesh: any gateway answers with every gateway instance's
 * sockets and frame rates (from the instances' heartbeats on Kafka), online users, rooms and
 * every service's outbox lag (from the services' {@code /internal/stats}); the same as a stream
 * of Server-Sent Events; admins only.
 */
class AdminStatsEndToEndTest {

    private final TestMesh mesh = TestMesh.get();

    @Test
    void anyGatewayReportsEveryInstanceAndTheServicesFiguresOnceOrAsAStreamToAdminsOnly() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        int before = connectionsOf(stats(mesh.gateway1), "gateway-b");
        List<WsTestClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                WsTestClient client = connectWithHeader(mesh.gateway2, "stats" + i + "-" + run);
                join(client);
                clients.add(client);
            }
            // Asked at gateway-a, about gateway-b's sockets: they travel in gateway-b's heartbeats.
            JsonNode figures = awaitStats(mesh.gateway1, s -> connectionsOf(s, "gateway-b") >= before + 3
                    && s.get("framesInPerSecond").asDouble() > 0, () -> clients.getFirst().send(
                    Map.of("type", "chat:typing", "data", Map.of("roomId", mesh.roomId))));
            assertThat(figures.get("instanceId").asString()).isEqualTo("gateway-a");
            List<String> instances = new ArrayList<>();
            figures.get("gateways").forEach(g -> instances.add(g.get("instanceId").asString()));
            assertThat(instances).contains("gateway-a", "gateway-b");
            int sum = 0;
            for (JsonNode g : figures.get("gateways")) {
                sum += g.get("connections").asInt();
            }
            assertThat(figures.get("totalConnections").asInt()).isEqualTo(sum);
            assertThat(figures.get("onlineUsers").isNumber()).as(figures.toString()).isTrue();
            List<String> services = new ArrayList<>();
            figures.get("outboxLagSeconds").properties().forEach(e -> services.add(e.getKey()));
            assertThat(services).containsExactly("chat", "notification", "presence", "quiz");
            figures.get("services").forEach(s -> assertThat(s.get("up").asBoolean()).as(s.toString()).isTrue());
            // Online users and rooms come from presence's and chat's database gauges, refreshed every 10 s.
            awaitStats(mesh.gateway1, s -> s.get("onlineUsers").asLong() >= 3 && s.get("rooms").asLong() > 0, () -> { });

            // The stream: a figure set at once, then one every 2 s.
            HttpResponse<Stream<String>> stream = HTTP.send(HttpRequest.newBuilder(URI.create(http(mesh.gateway2) + "/api/admin/stats/stream"))
                    .header("Authorization", "Bearer " + token("grace", "admin")).build(), HttpResponse.BodyHandlers.ofLines());
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(stream.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            List<JsonNode> events = new ArrayList<>();
            try (Stream<String> lines = stream.body()) {
                Iterator<String> it = lines.iterator();
                String event = null;
                while (events.size() < 2 && it.hasNext()) {
                    String line = it.next();
                    if (line.startsWith("event:")) {
                        event = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        assertThat(event).isEqualTo("stats");
                        events.add(MeshJson.read(line.substring(5), JsonNode.class));
                    }
                }
            }
            assertThat(events).hasSize(2).allSatisfy(e -> assertThat(e.get("instanceId").asString()).isEqualTo("gateway-b"));
            assertThat(events.get(1).get("at").asLong()).isGreaterThan(events.get(0).get("at").asLong());

            for (String path : List.of("/api/admin/stats", "/api/admin/stats/stream")) {
                assertThat(get(mesh.gateway1, path, token("alan", "student")).statusCode()).as(path).isEqualTo(403);
                assertThat(get(mesh.gateway1, path, token("ada", "instructor")).statusCode()).as(path).isEqualTo(403);
                assertThat(get(mesh.gateway1, path, null).statusCode()).as(path).isEqualTo(401);
            }
        } finally {
            clients.forEach(WsTestClient::close);
        }
    }

    private static int connectionsOf(JsonNode stats, String instanceId) {
        for (JsonNode g : stats.get("gateways")) {
            if (instanceId.equals(g.get("instanceId").asString())) {
                return g.get("connections").asInt();
            }
        }
        return 0;
    }

    private static JsonNode awaitStats(int gateway, Predicate<JsonNode> done, Runnable meanwhile) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = stats(gateway);
            if (done.test(last)) {
                return last;
            }
            meanwhile.run();
            Thread.sleep(250);
        }
        throw new AssertionError("stats never matched; last: " + last);
    }

    private static JsonNode stats(int gateway) throws Exception {
        HttpResponse<String> response = get(gateway, "/api/admin/stats", token("grace", "admin"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return MeshJson.read(response.body(), JsonNode.class);
    }

    private static HttpResponse<String> get(int gateway, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(http(gateway) + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
