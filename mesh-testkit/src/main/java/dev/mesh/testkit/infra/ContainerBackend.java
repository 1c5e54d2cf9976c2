package dev.mesh.testkit.infra;

import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/** Kafka and PostgreSQL in Docker containers, for machines with a Docker engine (laptops, CI). */
final class ContainerBackend implements MeshInfra.Backend {

    static final DockerImageName POSTGRES_IMAGE = DockerImageName.parse("postgres:17-alpine");
    static final DockerImageName KAFKA_IMAGE = DockerImageName.parse("apache/kafka:4.1.1");

    private final PostgreSQLContainer postgres;
    private final KafkaContainer kafka;

    private ContainerBackend(PostgreSQLContainer postgres, KafkaContainer kafka) {
        this.postgres = postgres;
        this.kafka = kafka;
    }

    static ContainerBackend start() {
        PostgreSQLContainer postgres = new PostgreSQLContainer(POSTGRES_IMAGE)
                .withUsername("postgres")
                .withPassword("postgres")
                // Replaces the module's default command, so fsync=off is repeated; every app and
                // test class holds its own pool on this one server, hence more connections.
                .withCommand("postgres", "-c", "fsync=off", "-c", "max_connections=300");
        // The same broker settings as the embedded one, so tests behave alike in both modes.
        KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE)
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                .withEnv("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "true")
                .withEnv("KAFKA_NUM_PARTITIONS", "3");
        try {
            Startables.deepStart(postgres, kafka).join();
        } catch (RuntimeException e) {
            postgres.stop();
            kafka.stop();
            throw e;
        }
        return new ContainerBackend(postgres, kafka);
    }

    @Override
    public String kafkaBootstrapServers() {
        return kafka.getBootstrapServers();
    }

    @Override
    public String pgHost() {
        return postgres.getHost();
    }

    @Override
    public int pgPort() {
        return postgres.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT);
    }

    @Override
    public String pgUser() {
        return postgres.getUsername();
    }

    @Override
    public String pgPassword() {
        return postgres.getPassword();
    }

    @Override
    public void close() {
        // Ryuk removes them too if this JVM dies without running its hooks.
        try {
            kafka.stop();
        } finally {
            postgres.stop();
        }
    }
}
