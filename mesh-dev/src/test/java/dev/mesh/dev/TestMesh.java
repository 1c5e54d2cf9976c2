package dev.mesh.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.testkit.auth.TokenIssuer;
import dev.mesh.testkit.auth.UserDirectory;
import dev.mesh.testkit.infra.MeshInfra;
import dev.mesh.testkit.ws.WsTestClient;

/**
 * The mesh the end-to-end tests share: the four services and two gateway instances, started
 * once per test JVM (each start costs ~20 s on 2 cores) and stopped before the infrastructure
 * at JVM exit. Also the helpers every end-to-end test uses.
 */
final class TestMesh {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final HttpClient HTTP = HttpClient.newHttpClient();

    private static TestMesh shared;

    final TokenIssuer issuer;
    final MeshLauncher mesh;
    final int gateway1;
    final int gateway2;
    /** A public room every test user may join. */
    final String roomId;

    private TestMesh() throws Exception {
        // With the demo users, so the web client can log in as it does in mesh-dev (browser tests).
        issuer = new TokenIssuer(0, UserDirectory.demo());
        mesh = new MeshLauncher(MeshInfra.get(), new MeshLauncher.Options(issuer.issuerUri(), Map.of(), "e2e_",
                // The first commands of a cold JVM on 2 busy cores can take longer than the 2 s default.
                List.of("--mesh.commands.apply-timeout=10s")));
        MeshInfra.get().beforeStop(() -> {
            mesh.close();
            issuer.close();
        });
        mesh.startServices();
        gateway1 = MeshLauncher.localPort(mesh.startGateway("gateway-a", 0, devTokenIssuerArgument()));
        gateway2 = MeshLauncher.localPort(mesh.startGateway("gateway-b", 0, devTokenIssuerArgument()));
        HttpResponse<String> created = post(gateway1, "/api/chat/rooms", issuer.token("ada", "ada", List.of("instructor")),
                "{\"name\":\"Algebra\",\"type\":\"public\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        roomId = MeshJson.read(created.body(), JsonNode.class).get("id").asString();
    }

    /** Tells a gateway's web client to log in at this mesh's issuer, as mesh-dev does. */
    String devTokenIssuerArgument() {
        return "--mesh.gateway.dev-token-issuer=" + issuer.issuerUri();
    }

    static synchronized TestMesh get() {
        if (shared == null) {
            try {
                shared = new TestMesh();
            } catch (Exception e) {
                throw new IllegalStateException("the test mesh did not start", e);
            }
        }
        return shared;
    }


    static WsTestClient connectWithHeader(int port, String user) {
        WsTestClient client = WsTestClient.connect(ws(port), Map.of("Authorization", "Bearer " + token(user, "student")));
        client.await(f -> "welcome".equals(text(f, "type")), WAIT);
        return client;
    }

    static WsTestClient connectWithAuthFrame(int port, String user) {
        WsTestClient client = WsTestClient.connect(ws(port));
        client.send(Map.of("type", "auth", "data", Map.of("token", token(user, "student"))));
        client.await(f -> "welcome".equals(text(f, "type")), WAIT);
        return client;
    }

    static void join(WsTestClient client) {
        join(client, get().roomId);
    }

    static void join(WsTestClient client, String roomId) {
        String id = client.sendCommand("chat:join", Map.of("roomId", roomId));
        JsonNode ack = client.awaitReply(id, WAIT);
        assertThat(text(ack, "type")).as(ack.toString()).isEqualTo("ack");
    }

    static String token(String user, String role) {
        return get().issuer.token(user, user, List.of(role));
    }

    static boolean isMessage(JsonNode frame, String content) {
        return "chat:message".equals(text(frame, "type")) && content.equals(text(frame.path("data"), "content"));
    }

    static int indexOf(List<JsonNode> frames, java.util.function.Predicate<JsonNode> p) {
        for (int i = 0; i < frames.size(); i++) {
            if (p.test(frames.get(i))) {
                return i;
            }
        }
        return -1;
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || value.isNull() ? null : value.asString();
    }

    static int storedMessages(String clientRef) throws Exception {
        MeshInfra.Database db = MeshInfra.get().database("e2e_chat");
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
             PreparedStatement q = c.prepareStatement("SELECT count(*) FROM chat_messages WHERE client_ref = ?")) {
            q.setString(1, clientRef);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    static HttpResponse<String> post(int port, String path, String token, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(http(port) + path))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String ws(int port) {
        return "ws://localhost:" + port + "/ws";
    }

    static String http(int port) {
        return "http://localhost:" + port;
    }
}
