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
 * services and two gateway instances. The broker listens on a fixed port, where it comes back
 * when a test stops and restarts it ({@link MeshInfra#stopKafkaBroker()}); {@link #postgres}
 * stops and restarts the database server on its port and data directory.
 * Runs in the surefire execution {@code faults} (see mesh-dev's pom), which starts a JVM of its own.
 */
final class FaultMesh {

    private static FaultMesh shared;

    final MeshInfra infra;
    /** The broker: {@link Broker#down()} stops it, {@link Broker#up()} starts it again. */
    final Broker kafka;
    final TokenIssuer issuer;
    final MeshLauncher launcher;
    final ConfigurableApplicationContext gatewayA;
    final ConfigurableApplicationContext gatewayB;
    final int gatewayAPort;
    final int gatewayBPort;
    volatile PgControl postgres;
    final MeshInfra.Database chatDb;
    /** A second chat-service instance as a JVM of its own, for the kill -9 test; started beside the in-JVM apps. */
    final ServiceProcess chatProcess;

    private FaultMesh() throws Exception {
        int brokerPort = freePort();
        System.setProperty("mesh.infra", MeshInfra.EMBEDDED);
        // A fixed port, where the broker comes back after a restart.
        System.setProperty("mesh.kafka.port", String.valueOf(brokerPort));
        // A restarted broker registers once its previous session expired (Kafka's default 9 s).
        System.setProperty("mesh.kafka.session.timeout.ms", "3000");
        infra = MeshInfra.get();
        if (!infra.kafkaBootstrapServers().equals("localhost:" + brokerPort)) {
            throw new IllegalStateException("The fault tests need a Kafka and PostgreSQL of their own, but this JVM's infrastructure "
                    + "was started before (" + infra.kafkaBootstrapServers() + "): run them in their own JVM, as mesh-dev's "
                    + "surefire execution 'faults' does");
        }
        kafka = new Broker(infra);
        issuer = new TokenIssuer(0);
        launcher = new MeshLauncher(infra, new MeshLauncher.Options(issuer.issuerUri(), Map.of(), "faults_",
                List.of("--mesh.commands.apply-timeout=10s",
                        // Steady load from a few users: well above the default 60 messages a minute per user.
                        "--mesh.gateway.rate-limits.user-messages-per-minute=1200",
                        "--mesh.gateway.rate-limits.user-message-burst=40")));
        // Consumer client ids name the two chat-service instances in their group. The group's Range
        // assignor hands partitions out in member order (member ids start with the client id), so
        // the process, "chat-a-…", owns the command partitions whenever it is in the group.
        launcher.serviceArguments(MeshLauncher.Service.CHAT, "--spring.kafka.consumer.client-id=chat-b-in-test-jvm");
        chatProcess = new ServiceProcess(launcher, MeshLauncher.Service.CHAT, "chat-a-process", infra.kafkaBootstrapServers());
        infra.beforeStop(() -> {
            chatProcess.close();
            launcher.close();
            issuer.close();
        });
        // Its JVM starts while this one starts the in-JVM apps (Flyway's lock serialises the two migrations).
        chatProcess.start();
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

    /**
     * The embedded broker of the fault mesh, stopped and started for real on its port and log
     * directory ({@link MeshInfra#stopKafkaBroker()}): while down, connections are refused.
     */
    static final class Broker {

        private final MeshInfra infra;
        private boolean down;

        Broker(MeshInfra infra) {
            this.infra = infra;
        }

        /** Stops the broker (a clean shutdown); returns when it is down. */
        synchronized void down() {
            infra.stopKafkaBroker();
            down = true;
        }

        /** Starts it again; returns when it serves. */
        synchronized void up() {
            if (down) {
                infra.startKafkaBroker();
                down = false;
            }
        }
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
