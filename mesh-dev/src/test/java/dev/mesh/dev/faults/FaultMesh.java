package dev.mesh.dev.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import org.springframework.context.ConfigurableApplicationContext;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.dev.MeshLauncher;
import dev.mesh.testkit.auth.TokenIssuer;
import dev.mesh.testkit.infra.MeshInfra;

/**
 * The mesh of the fault tests, one per test JVM: its own embedded Kafka and PostgreSQL (the
 * faults stop them, so they cannot be the ones the other end-to-end tests share), the four
 * services and two gateway instances. Every app reaches Kafka through {@link #kafka}, a TCP
 * proxy in front of the broker (the broker advertises the proxy's port), so a test can cut the
 * whole mesh off from the broker; {@link #postgres} freezes and thaws the database server.
 * Runs in the surefire execution {@code faults} (see mesh-dev's pom), which starts a JVM of its own.
 */
final class FaultMesh {

    private static FaultMesh shared;

    final TcpFaultProxy kafka;
    final MeshInfra infra;
    final TokenIssuer issuer;
    final MeshLauncher launcher;
    final ConfigurableApplicationContext gatewayA;
    final ConfigurableApplicationContext gatewayB;
    final int gatewayAPort;
    final int gatewayBPort;
    volatile PgControl postgres;
    final MeshInfra.Database chatDb;

    private FaultMesh() throws Exception {
        int brokerPort = freePort();
        kafka = new TcpFaultProxy("kafka", 0, brokerPort);
        System.setProperty("mesh.infra", MeshInfra.EMBEDDED);
        System.setProperty("mesh.kafka.port", String.valueOf(brokerPort));
        System.setProperty("mesh.kafka.advertised.port", String.valueOf(kafka.port()));
        infra = MeshInfra.get();
        if (!infra.kafkaBootstrapServers().equals("localhost:" + kafka.port())) {
            throw new IllegalStateException("The fault tests need a Kafka and PostgreSQL of their own, but this JVM's infrastructure "
                    + "was started before (" + infra.kafkaBootstrapServers() + "): run them in their own JVM, as mesh-dev's "
                    + "surefire execution 'faults' does");
        }
        issuer = new TokenIssuer(0);
        launcher = new MeshLauncher(infra, new MeshLauncher.Options(issuer.issuerUri(), Map.of(), "faults_",
                List.of("--mesh.commands.apply-timeout=10s",
                        // Steady load from a few users: well above the default 60 messages a minute per user.
                        "--mesh.gateway.rate-limits.user-messages-per-minute=1200",
                        "--mesh.gateway.rate-limits.user-message-burst=40")));
        infra.beforeStop(() -> {
            launcher.close();
            issuer.close();
            kafka.close();
            if (postgres != null) {
                postgres.thaw(); // never leave it frozen for the shutdown
            }
        });
        launcher.startServices();
        gatewayA = launcher.startGateway("gateway-a", 0);
        gatewayB = launcher.startGateway("gateway-b", 0);
        gatewayAPort = MeshLauncher.localPort(gatewayA);
        gatewayBPort = MeshLauncher.localPort(gatewayB);
        chatDb = infra.database("faults_chat");
        postgres = PgControl.forPort(URI.create(chatDb.jdbcUrl().substring("jdbc:".length())).getPort());
    }

    static synchronized FaultMesh get() {
        if (shared == null) {
            try {
                shared = new FaultMesh();
            } catch (Exception e) {
                throw new IllegalStateException("the fault tests' mesh did not start", e);
            }
        }
        return shared;
    }

    String token(String user, String role) {
        return issuer.token(user, user, List.of(role));
    }

    /** Creates a public room (as an instructor) and returns its id. */
    String createRoom(String name) throws Exception {
        HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://localhost:" + gatewayAPort + "/api/chat/rooms"))
                        .header("Authorization", "Bearer " + token("ada", "instructor"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(MeshJson.write(Map.of("name", name, "type", "public")))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("room not created: " + created.statusCode() + " " + created.body());
        }
        return MeshJson.read(created.body(), JsonNode.class).get("id").asString();
    }

    Connection chatDatabase() throws SQLException {
        return DriverManager.getConnection(chatDb.jdbcUrl(), chatDb.username(), chatDb.password());
    }

    static String ws(int port) {
        return "ws://localhost:" + port + "/ws";
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
