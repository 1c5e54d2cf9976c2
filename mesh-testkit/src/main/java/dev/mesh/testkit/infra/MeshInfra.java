package dev.mesh.testkit.infra;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.regex.Pattern;

import org.postgresql.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * The Kafka broker and PostgreSQL server shared by everything in this JVM: Testcontainers
 * when a Docker engine answers, otherwise an in-JVM KRaft broker and embedded PostgreSQL
 * binaries, or servers that already run ({@code external}). Chosen once per JVM, because a
 * broker costs seconds to start and every test class and app can share it; each caller
 * gets its own database on the shared server instead.
 *
 * <p>Mode: system property {@code mesh.infra} or env {@code MESH_INFRA}
 * ({@code testcontainers|embedded|external}). Other settings, each read from a system
 * property of the same name (or its dotted lower-case form) before the environment:
 * {@code MESH_KAFKA_PORT}, {@code MESH_KAFKA_SESSION_TIMEOUT_MS}, {@code MESH_PG_PORT}, {@code MESH_PG_DATA} (embedded);
 * {@code MESH_KAFKA_BOOTSTRAP}, {@code MESH_PG_HOST}, {@code MESH_PG_PORT},
 * {@code MESH_PG_USER}, {@code MESH_PG_PASSWORD} (external).
 */
public final class MeshInfra {

    public static final String TESTCONTAINERS = "testcontainers";
    public static final String EMBEDDED = "embedded";
    public static final String EXTERNAL = "external";

    private static final Logger log = LoggerFactory.getLogger(MeshInfra.class);

    // Quoted into CREATE DATABASE, so the name must not be able to close the quotes.
    private static final Pattern DATABASE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]{0,62}");
    private static final String DUPLICATE_DATABASE = "42P04";
    // Two concurrent CREATE DATABASE of one name can also collide on pg_database's unique index.
    private static final String UNIQUE_VIOLATION = "23505";

    private static final Object LOCK = new Object();
    private static MeshInfra instance;

    /** A database on the shared server; the URLs carry no credentials. */
    public record Database(String name, String jdbcUrl, String r2dbcUrl, String username, String password) {
    }

    /**
     * How to start. {@code mode} null means: Testcontainers if Docker is available, else
     * embedded. Ports 0 mean random; {@code pgDataDirectory} null means a fresh temporary
     * directory (embedded only).
     */
    public record Options(String mode, int kafkaPort, int pgPort, Path pgDataDirectory) {

        public Options {
            if (mode != null) {
                mode = mode.trim().toLowerCase(Locale.ROOT);
                if (!mode.equals(TESTCONTAINERS) && !mode.equals(EMBEDDED) && !mode.equals(EXTERNAL)) {
                    throw new IllegalArgumentException("mesh.infra must be testcontainers, embedded or external, not '" + mode + "'");
                }
            }
        }

        /** Embedded Kafka and PostgreSQL on these ports (0 = random), data kept in {@code pgDataDirectory} if not null. */
        public static Options embedded(int kafkaPort, int pgPort, Path pgDataDirectory) {
            return new Options(EMBEDDED, kafkaPort, pgPort, pgDataDirectory);
        }

        /** What the system properties and environment say (see the class comment). */
        public static Options fromEnvironment() {
            String data = setting("MESH_PG_DATA");
            return new Options(setting("MESH_INFRA"), intSetting("MESH_KAFKA_PORT", 0), intSetting("MESH_PG_PORT", 0),
                    data == null ? null : Path.of(data));
        }
    }

    private final Deque<Runnable> beforeStop = new ConcurrentLinkedDeque<>();
    private final String mode;
    private final Backend backend;
    private final Options options;
    private final Map<String, Database> databases = new ConcurrentHashMap<>();

    private MeshInfra(String mode, Backend backend, Options options) {
        this.mode = mode;
        this.backend = backend;
        this.options = options;
    }

    /** The JVM's infrastructure, started on the first call from {@link Options#fromEnvironment()}. */
    public static MeshInfra get() {
        synchronized (LOCK) {
            if (instance == null) {
                instance = launch(Options.fromEnvironment());
            }
            return instance;
        }
    }

    /**
     * Starts the JVM's infrastructure with explicit options (what {@code mesh-dev} uses).
     * Returns the running one if it was started with equal options; anything else is an
     * error, since there is only one per JVM.
     */
    public static MeshInfra start(Options options) {
        synchronized (LOCK) {
            if (instance != null) {
                if (instance.options.equals(options)) {
                    return instance;
                }
                throw new IllegalStateException("MeshInfra already runs in mode " + instance.mode + " with " + instance.options
                        + "; cannot start again with " + options);
            }
            instance = launch(options);
            return instance;
        }
    }

    public String mode() {
        return mode;
    }

    public String kafkaBootstrapServers() {
        return backend.kafkaBootstrapServers();
    }

    /**
     * Embedded only: stops the Kafka broker as a clean shutdown does (its listeners close, its
     * log directory stays) for {@link #startKafkaBroker()} to start it again on the same ports and
     * log directory. Fault tests use it; the mode must be embedded with a fixed Kafka port, so
     * clients find the broker again where it was.
     */
    public void stopKafkaBroker() {
        backend.stopKafkaBroker();
    }

    /** Starts the broker stopped by {@link #stopKafkaBroker()} again; returns when it serves. */
    public void startKafkaBroker() {
        backend.startKafkaBroker();
    }

    /**
     * The Spring Boot properties that point a mesh service at this infrastructure: Kafka, and the
     * database by R2DBC for the app and by JDBC for Flyway's migrations.
     */
    public Map<String, String> serviceProperties(Database db) {
        Map<String, String> properties = new java.util.LinkedHashMap<>();
        properties.put("spring.kafka.bootstrap-servers", kafkaBootstrapServers());
        properties.put("spring.r2dbc.url", db.r2dbcUrl());
        properties.put("spring.r2dbc.username", db.username());
        properties.put("spring.r2dbc.password", db.password());
        properties.put("spring.flyway.url", db.jdbcUrl());
        properties.put("spring.flyway.user", db.username());
        properties.put("spring.flyway.password", db.password());
        return properties;
    }

    /** Creates the database if it does not exist yet; the same name always gives the same database. */
    public Database database(String name) {
        if (name == null || !DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("database name must match " + DATABASE_NAME + ": " + name);
        }
        return databases.computeIfAbsent(name, this::createDatabase);
    }

    private Database createDatabase(String name) {
        String server = backend.pgHost() + ":" + backend.pgPort();
        try (Connection admin = connect("jdbc:postgresql://" + server + "/postgres")) {
            boolean exists;
            try (PreparedStatement query = admin.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                query.setString(1, name);
                try (ResultSet rows = query.executeQuery()) {
                    exists = rows.next();
                }
            }
            if (!exists) {
                try (Statement create = admin.createStatement()) {
                    create.execute("CREATE DATABASE \"" + name + "\"");
                } catch (SQLException e) {
                    // Another JVM (or app) sharing the server created it first: that is the database we want.
                    if (!DUPLICATE_DATABASE.equals(e.getSQLState()) && !UNIQUE_VIOLATION.equals(e.getSQLState())) {
                        throw e;
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + " on " + server, e);
        }
        return new Database(name, "jdbc:postgresql://" + server + "/" + name, "r2dbc:postgresql://" + server + "/" + name,
                backend.pgUser(), backend.pgPassword());
    }

    private Connection connect(String url) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", backend.pgUser());
        props.setProperty("password", backend.pgPassword());
        // The driver directly, not DriverManager: it must work under any class loader (mesh-dev, Boot test loaders).
        Connection connection = new Driver().connect(url, props);
        if (connection == null) {
            throw new SQLException("PostgreSQL driver does not accept " + url);
        }
        return connection;
    }

    private static MeshInfra launch(Options options) {
        String mode = options.mode() != null ? options.mode() : detectMode();
        long started = System.nanoTime();
        Backend backend = switch (mode) {
            case TESTCONTAINERS -> ContainerBackend.start();
            case EMBEDDED -> EmbeddedBackend.start(options.kafkaPort(), options.pgPort(), options.pgDataDirectory());
            case EXTERNAL -> new ExternalBackend(
                    settingOr("MESH_KAFKA_BOOTSTRAP", "localhost:9092"),
                    settingOr("MESH_PG_HOST", "localhost"),
                    options.pgPort() > 0 ? options.pgPort() : 5432,
                    settingOr("MESH_PG_USER", "postgres"),
                    settingOr("MESH_PG_PASSWORD", "postgres"));
            default -> throw new IllegalArgumentException(mode);
        };
        MeshInfra infra = new MeshInfra(mode, backend, options);
        Thread hook = new Thread(infra::stop, "mesh-infra-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        log.info("Mesh infrastructure: {} (Kafka {}, PostgreSQL {}:{}) ready in {} ms", mode, backend.kafkaBootstrapServers(),
                backend.pgHost(), backend.pgPort(), (System.nanoTime() - started) / 1_000_000);
        return infra;
    }

    private static String detectMode() {
        boolean docker;
        try {
            docker = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            docker = false;
        }
        log.info("mesh.infra not set: Docker {}, using {}", docker ? "available" : "not available", docker ? TESTCONTAINERS : EMBEDDED);
        return docker ? TESTCONTAINERS : EMBEDDED;
    }

    /**
     * Runs {@code task} at JVM exit before the infrastructure stops (the last registered runs
     * first), so the apps using it shut down while Kafka and PostgreSQL are still there. JVM
     * shutdown hooks run concurrently; a hook of one's own would race the infrastructure's.
     */
    public void beforeStop(Runnable task) {
        beforeStop.push(task);
    }

    private void stop() {
        for (Runnable task : beforeStop) {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("a shutdown task failed", e);
            }
        }
        try {
            backend.close();
        } catch (Exception e) {
            log.warn("stopping the mesh infrastructure failed", e);
        }
    }

    static String setting(String envName) {
        String dotted = envName.toLowerCase(Locale.ROOT).replace('_', '.');
        String value = System.getProperty(dotted);
        if (value == null || value.isBlank()) {
            value = System.getProperty(envName);
        }
        if (value == null || value.isBlank()) {
            value = System.getenv(envName);
        }
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static String settingOr(String envName, String fallback) {
        String value = setting(envName);
        return value != null ? value : fallback;
    }

    private static int intSetting(String envName, int fallback) {
        String value = setting(envName);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(envName + " must be a port number, not '" + value + "'", e);
        }
    }

    /** What a running Kafka + PostgreSQL pair offers, whichever way it was started. */
    interface Backend extends AutoCloseable {

        String kafkaBootstrapServers();

        String pgHost();

        int pgPort();

        String pgUser();

        String pgPassword();

        default void stopKafkaBroker() {
            throw new UnsupportedOperationException("only the embedded infrastructure can stop its Kafka broker");
        }

        default void startKafkaBroker() {
            throw new UnsupportedOperationException("only the embedded infrastructure can start its Kafka broker");
        }
    }

    private record ExternalBackend(String kafkaBootstrapServers, String pgHost, int pgPort, String pgUser, String pgPassword)
            implements Backend {

        @Override
        public void close() {
            // Not ours to stop.
        }
    }
}
