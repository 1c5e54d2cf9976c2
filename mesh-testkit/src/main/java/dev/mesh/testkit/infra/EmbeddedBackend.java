package dev.mesh.testkit.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/** An in-JVM KRaft broker and a PostgreSQL server from the embedded binaries. */
final class EmbeddedBackend implements MeshInfra.Backend {

    // Trust authentication: any password works; callers still get one for drivers that insist.
    private static final String PG_USER = "postgres";
    private static final String PG_PASSWORD = "postgres";

    private static final String FIXED_LISTENER = "MESH";

    private final EmbeddedKafkaKraftBroker kafka;
    private final String kafkaBootstrapServers;
    private final EmbeddedPostgres postgres;

    private EmbeddedBackend(EmbeddedKafkaKraftBroker kafka, String kafkaBootstrapServers, EmbeddedPostgres postgres) {
        this.kafka = kafka;
        this.kafkaBootstrapServers = kafkaBootstrapServers;
        this.postgres = postgres;
    }

    static EmbeddedBackend start(int kafkaPort, int pgPort, Path pgDataDirectory) {
        // PostgreSQL starts beside the broker: together they take as long as the slower one.
        CompletableFuture<EmbeddedPostgres> postgres = CompletableFuture.supplyAsync(() -> startPostgres(pgPort, pgDataDirectory));
        EmbeddedKafkaKraftBroker kafka;
        try {
            kafka = startKafka(kafkaPort, brokerSessionTimeoutMillis());
        } catch (RuntimeException e) {
            postgres.thenAccept(EmbeddedBackend::closeQuietly);
            throw e;
        }
        try {
            String bootstrap = kafkaPort > 0 ? "localhost:" + kafkaPort : kafka.getBrokersAsString();
            return new EmbeddedBackend(kafka, bootstrap, postgres.join());
        } catch (CompletionException e) {
            kafka.destroy();
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /**
     * {@code MESH_KAFKA_SESSION_TIMEOUT_MS}: the broker's session with its controller
     * ({@code broker.session.timeout.ms}, Kafka's default 9000 when not set). A broker started
     * again registers only once the session of its previous run has expired: tests that stop and
     * restart the broker ({@link MeshInfra#stopKafkaBroker()}) shorten it.
     */
    private static int brokerSessionTimeoutMillis() {
        String value = MeshInfra.setting("MESH_KAFKA_SESSION_TIMEOUT_MS");
        return value == null ? 0 : Integer.parseInt(value);
    }

    private static EmbeddedKafkaKraftBroker startKafka(int port, int sessionTimeoutMillis) {
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 3);
        // One broker: internal topics and transactions must not wait for replicas that never come.
        broker.brokerProperties(Map.of(
                "transaction.state.log.replication.factor", "1",
                "transaction.state.log.min.isr", "1",
                "offsets.topic.replication.factor", "1",
                "auto.create.topics.enable", "true",
                "num.partitions", "3"));
        if (port > 0) {
            // kafkaPorts(..) is ignored by the KRaft broker (spring-kafka-test 4.1), and the test
            // kit binds its own listeners (EXTERNAL, CONTROLLER) to pre-bound random ports
            // whatever "listeners" says. A third listener, which the kit does not know, binds
            // where we ask; clients that bootstrap through it get its address in metadata.
            broker.brokerProperty("listeners",
                    "EXTERNAL://localhost:0,CONTROLLER://localhost:0," + FIXED_LISTENER + "://localhost:" + port);
            broker.brokerProperty("listener.security.protocol.map",
                    "EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT," + FIXED_LISTENER + ":PLAINTEXT");
        }
        if (sessionTimeoutMillis > 0) {
            broker.brokerProperty("broker.session.timeout.ms", String.valueOf(sessionTimeoutMillis));
            broker.brokerProperty("broker.heartbeat.interval.ms", String.valueOf(Math.max(100, sessionTimeoutMillis / 6)));
        }
        broker.afterPropertiesSet();
        return broker;
    }

    /**
     * Starts PostgreSQL, on a random port up to three times. Its random port is picked while the
     * broker picks its own: if both land on one port, PostgreSQL cannot bind and its readiness
     * probe reaches the broker, which never answers PostgreSQL's protocol. The probe's timeouts
     * turn that hang into a failed attempt, and the next attempt picks another port.
     */
    private static EmbeddedPostgres startPostgres(int port, Path dataDirectory) {
        int attempts = port > 0 ? 1 : 3;
        RuntimeException failure = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                return startPostgresOnce(port, dataDirectory);
            } catch (RuntimeException e) {
                failure = e;
                System.err.println("Embedded PostgreSQL did not start (attempt " + attempt + " of " + attempts + "): " + e);
            }
        }
        throw failure;
    }

    private static EmbeddedPostgres startPostgresOnce(int port, Path dataDirectory) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setRegisterShutdownHook(false)
                    // Every app and test class holds its own pool on this one server.
                    .setServerConfig("max_connections", "300")
                    // Only the readiness probe uses these (seconds): a listener that is not
                    // PostgreSQL fails the probe instead of holding it forever.
                    .setConnectConfig("connectTimeout", "5")
                    .setConnectConfig("socketTimeout", "10")
                    .setPGStartupWait(Duration.ofSeconds(30));
            if (port > 0) {
                builder.setPort(port);
            }
            if (dataDirectory != null) {
                Files.createDirectories(dataDirectory);
                builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false);
            }
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        }
    }

    private static void closeQuietly(EmbeddedPostgres postgres) {
        try {
            postgres.close();
        } catch (IOException ignored) {
            // Shutting down after another failure; that failure is the one to report.
        }
    }

    @Override
    public String kafkaBootstrapServers() {
        return kafkaBootstrapServers;
    }

    /**
     * Stops the broker: its listeners close (clients get connection refused), it leaves its log
     * directory as a clean shutdown does. The KRaft controller of this combined node keeps running,
     * as a separate controller quorum would.
     */
    @Override
    public void stopKafkaBroker() {
        try {
            kafka.getCluster().brokers().values().forEach(broker -> broker.shutdown());
        } catch (RuntimeException e) {
            throw new IllegalStateException("the embedded Kafka broker did not stop", e);
        }
    }

    /**
     * Starts the stopped broker again on its log directory and ports; returns once it has
     * registered with the controller and serves (it waits for its previous session to expire).
     */
    @Override
    public void startKafkaBroker() {
        try {
            kafka.getCluster().brokers().values().forEach(broker -> broker.startup());
            kafka.getCluster().waitForReadyBrokers();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException("the embedded Kafka broker did not start again", e);
        }
    }

    @Override
    public String pgHost() {
        return "localhost";
    }

    @Override
    public int pgPort() {
        return postgres.getPort();
    }

    @Override
    public String pgUser() {
        return PG_USER;
    }

    @Override
    public String pgPassword() {
        return PG_PASSWORD;
    }

    /**
     * Runs at JVM exit. Stops PostgreSQL, a separate process; the broker lives in this JVM and
     * ends with it. Stopping it here would race the test kit's own exit hook, which deletes the
     * broker's directories while the broker is still writing its shutdown checkpoints.
     */
    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
