package dev.mesh.dev;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;

import dev.mesh.chat.ChatServiceApplication;
import dev.mesh.gateway.GatewayApplication;
import dev.mesh.notification.NotificationServiceApplication;
import dev.mesh.presence.PresenceServiceApplication;
import dev.mesh.quiz.QuizServiceApplication;
import dev.mesh.runtime.MeshApplication;
import dev.mesh.testkit.infra.MeshInfra;

/**
 * Starts the whole mesh in this JVM on a given infrastructure: the four services, each on
 * its own database, and any number of gateway instances. Each app gets its own Spring
 * context and reads only its own configuration file; everything it must differ in is passed
 * as command-line arguments, which win over those files. Used by {@link MeshDev} and by the
 * end-to-end tests, which also stop and restart single apps to test crashes.
 */
public final class MeshLauncher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MeshLauncher.class);

    /** A service of the mesh: its app class, configuration name and database. */
    public enum Service {
        CHAT(ChatServiceApplication.class, "chat-service", "chat", "MESH_CHAT_URL"),
        QUIZ(QuizServiceApplication.class, "quiz-service", "quiz", "MESH_QUIZ_URL"),
        PRESENCE(PresenceServiceApplication.class, "presence-service", "presence", "MESH_PRESENCE_URL"),
        NOTIFICATION(NotificationServiceApplication.class, "notification-service", "notification", "MESH_NOTIFICATION_URL");

        final Class<?> app;
        final String configName;
        final String database;
        final String urlVariable;

        Service(Class<?> app, String configName, String database, String urlVariable) {
            this.app = app;
            this.configName = configName;
            this.database = database;
            this.urlVariable = urlVariable;
        }
    }

    /**
     * @param issuerUri        the token issuer every app trusts
     * @param servicePorts     0 = any free port
     * @param databasePrefix   prefix of the database names, so several meshes can share one server (tests)
     * @param extraArguments   arguments added to every app (e.g. log levels)
     */
    public record Options(String issuerUri, Map<Service, Integer> servicePorts, String databasePrefix,
                          List<String> extraArguments) {
    }

    private final MeshInfra infra;
    private final Options options;
    private final Map<Service, ConfigurableApplicationContext> services = new LinkedHashMap<>();
    private final Map<Service, Integer> servicePorts = new LinkedHashMap<>();
    private final List<ConfigurableApplicationContext> gateways = new ArrayList<>();
    private final Map<Service, List<String>> serviceArguments = new LinkedHashMap<>();
    private final List<ConfigurableApplicationContext> extraInstances = new ArrayList<>();

    public MeshLauncher(MeshInfra infra, Options options) {
        this.infra = infra;
        this.options = options;
    }

    /**
     * Arguments for one service only, applied from its next start (e.g. the SMTP server of
     * notification-service: {@code --spring.mail.host}, which must not reach the other apps).
     */
    public MeshLauncher serviceArguments(Service service, String... arguments) {
        serviceArguments.computeIfAbsent(service, s -> new ArrayList<>()).addAll(List.of(arguments));
        return this;
    }

    public void startServices() {
        for (Service service : Service.values()) {
            startService(service);
        }
    }

    public ConfigurableApplicationContext startService(Service service) {
        int port = servicePorts.getOrDefault(service, options.servicePorts().getOrDefault(service, 0));
        ConfigurableApplicationContext context = launch(service, port);
        servicePorts.put(service, localPort(context));
        services.put(service, context);
        return context;
    }

    /**
     * One more instance of a service, on any free port, sharing the service's database and Kafka
     * consumer group (a scaled-out deployment), e.g. to test that another instance takes over a
     * dead one's partitions. Not routed to by the gateways; stop it with {@link #stopInstance}.
     */
    public ConfigurableApplicationContext startInstance(Service service) {
        ConfigurableApplicationContext context = launch(service, 0);
        extraInstances.add(context);
        return context;
    }

    /** Stops an instance of a service, the primary one ({@link #service}) or one from {@link #startInstance}. */
    public void stopInstance(ConfigurableApplicationContext instance) {
        extraInstances.remove(instance);
        services.entrySet().removeIf(e -> e.getValue() == instance);
        instance.close();
    }

    /**
     * The command-line arguments an instance of {@code service} on {@code port} starts with: what
     * {@link #startService} passes, and what a test passes to an instance it runs as a process of
     * its own (its main class is {@link #mainClass}).
     */
    public List<String> launchArguments(Service service, int port) {
        MeshInfra.Database db = infra.database(options.databasePrefix() + service.database);
        List<String> args = new ArrayList<>(common());
        infra.serviceProperties(db).forEach((key, value) -> args.add("--" + key + "=" + value));
        args.add("--server.port=" + port);
        args.addAll(serviceArguments.getOrDefault(service, List.of()));
        // Several apps share this classpath: the gateway's routing belongs to the gateway only.
        args.add("--spring.cloud.gateway.server.webflux.enabled=false");
        return args;
    }

    /** The class whose {@code main} starts {@code service} on its own. */
    public static Class<?> mainClass(Service service) {
        return service.app;
    }

    private ConfigurableApplicationContext launch(Service service, int port) {
        List<String> args = launchArguments(service, port);
        long started = System.nanoTime();
        ConfigurableApplicationContext context = run(MeshApplication.builder(service.app, service.configName), args);
        log.info("{} up on port {} in {} ms", service.configName, localPort(context), (System.nanoTime() - started) / 1_000_000);
        return context;
    }

    /** Stops one service as a crash would leave it: its in-flight work is lost, its database and Kafka stay. */
    public void stopService(Service service) {
        ConfigurableApplicationContext context = services.remove(service);
        if (context != null) {
            context.close();
        }
    }

    public ConfigurableApplicationContext startGateway(String instanceId, int port, String... extraArguments) {
        List<String> args = new ArrayList<>(common());
        args.add("--spring.kafka.bootstrap-servers=" + infra.kafkaBootstrapServers());
        // On a laptop (and in the tests) drained clients come back within 2 s, not production's 20 s.
        if (Arrays.stream(extraArguments).noneMatch(a -> a.startsWith("--mesh.gateway.drain-reconnect-after="))) {
            args.add("--mesh.gateway.drain-reconnect-after=2s");
        }
        args.addAll(List.of(extraArguments));
        args.add("--server.port=" + port);
        args.add("--mesh.instance-id=" + instanceId);
        for (Map.Entry<Service, Integer> service : servicePorts.entrySet()) {
            args.add("--" + service.getKey().urlVariable + "=http://localhost:" + service.getValue());
        }
        long started = System.nanoTime();
        ConfigurableApplicationContext context = run(
                MeshApplication.builder(GatewayApplication.class, GatewayApplication.CONFIG_NAME), args);
        gateways.add(context);
        log.info("gateway {} up on port {} in {} ms", instanceId, localPort(context), (System.nanoTime() - started) / 1_000_000);
        return context;
    }

    public void stopGateway(ConfigurableApplicationContext gateway) {
        gateways.remove(gateway);
        gateway.close();
    }

    /**
     * Each app gets Reactor Netty resources of its own. With the default global ones, closing one
     * app (a crash test, a restart) disposes the event loops of every other app in this JVM.
     */
    private static ConfigurableApplicationContext run(SpringApplicationBuilder app, List<String> args) {
        ReactorResourceFactory resources = new ReactorResourceFactory();
        resources.setUseGlobalResources(false);
        resources.afterPropertiesSet();
        return app.initializers(context -> context.getBeanFactory().registerSingleton("reactorResourceFactory", resources))
                .run(args.toArray(String[]::new));
    }

    /** The gateways running now, in the order they were started. */
    public List<ConfigurableApplicationContext> gateways() {
        return List.copyOf(gateways);
    }

    public static int localPort(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port", "-1"));
    }

    public int servicePort(Service service) {
        return servicePorts.get(service);
    }

    public ConfigurableApplicationContext service(Service service) {
        return services.get(service);
    }

    private List<String> common() {
        List<String> args = new ArrayList<>(List.of(
                // The launcher logs its own "up" line per app; Boot's would name the launcher's main class.
                "--spring.main.log-startup-info=false",
                "--mesh.security.issuer=" + options.issuerUri()));
        args.addAll(options.extraArguments());
        return args;
    }

    @Override
    public void close() {
        for (ConfigurableApplicationContext gateway : List.copyOf(gateways)) {
            stopGateway(gateway);
        }
        for (ConfigurableApplicationContext instance : List.copyOf(extraInstances)) {
            stopInstance(instance);
        }
        for (Service service : List.copyOf(services.keySet())) {
            stopService(service);
        }
    }
}
