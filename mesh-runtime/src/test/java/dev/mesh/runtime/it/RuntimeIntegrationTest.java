package dev.mesh.runtime.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.mesh.testkit.auth.TokenIssuer;
import dev.mesh.testkit.infra.MeshInfra;

/**
 * One Spring context for every runtime integration test (same configuration, so the test
 * context cache shares it): the runtime as service {@code rt}, on the JVM's real Kafka and
 * PostgreSQL.
 */
@SpringBootTest(classes = RuntimeTestApplication.class, properties = {
        "spring.config.name=" + RuntimeTestApplication.CONFIG_NAME,
        "mesh.service=" + RuntimeIntegrationTest.SERVICE,
        // The first command of a cold JVM warms the connection pool; 2 s would make that flaky, not faster.
        "mesh.commands.apply-timeout=10s",
        "mesh.outbox.poll-interval=200ms"})
abstract class RuntimeIntegrationTest {

    static final String SERVICE = "rt";
    static final String COMMANDS_TOPIC = SERVICE + ".commands";
    static final Duration WAIT = Duration.ofSeconds(20);

    static final TokenIssuer ISSUER = new TokenIssuer(0);
    static final MeshInfra.Database DB = MeshInfra.get().database("runtime_test");

    static {
        // rt.commands is not one of the mesh's topics: create it before the listener subscribes,
        // with as many partitions as the listener has consumers.
        createTopic(COMMANDS_TOPIC, 3);
    }

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        MeshInfra.get().serviceProperties(DB).forEach((key, value) -> registry.add(key, () -> value));
        registry.add("mesh.security.issuer", ISSUER::issuerUri);
    }

    static void createTopic(String name, int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, MeshInfra.get().kafkaBootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + name, e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Connection jdbc() throws SQLException {
        return DriverManager.getConnection(DB.jdbcUrl(), DB.username(), DB.password());
    }

    /** The first column of the first row, or null when there is none. */
    static Long queryLong(String sql, Object... parameters) {
        try (Connection connection = jdbc(); PreparedStatement query = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? (Long) rows.getObject(1, Long.class) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
