package dev.mesh.dev;

import java.awt.Desktop;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mesh.testkit.auth.UserDirectory;
import dev.mesh.testkit.auth.TokenIssuer;
import dev.mesh.testkit.infra.MeshInfra;
import sun.misc.Signal;

/**
 * The one-command local mesh (ARCHITECTURE §8): embedded Kafka, embedded PostgreSQL (data kept
 * in {@code .mesh-data/}), the development token issuer with demo users, the four services,
 * two gateway instances, a round-robin load balancer in front of them and a local SMTP sink for
 * notification-service's emails ({@link SmtpSink}). Ctrl-C stops it all.
 *
 * <p>Ports come from environment variables with the documented defaults.
 */
public final class MeshDev {

    private static final Logger log = LoggerFactory.getLogger(MeshDev.class);

    private MeshDev() {
    }

    public static void main(String[] args) {
        long started = System.nanoTime();
        int gateway1 = port("GATEWAY_1_PORT", 8080);
        int gateway2 = port("GATEWAY_2_PORT", 8081);
        int balancerPort = port("LB_PORT", 8000);
        int issuerPort = port("DEV_ISSUER_PORT", 9000);
        int kafkaPort = port("MESH_KAFKA_PORT", 19092);
        int pgPort = port("MESH_PG_PORT", 15432);
        int smtpPort = port("MESH_SMTP_PORT", 2525);
        Path data = Path.of(env("MESH_DATA_DIR", ".mesh-data")).toAbsolutePath();

        MeshInfra infra = MeshInfra.start(MeshInfra.Options.embedded(kafkaPort, pgPort, data.resolve("postgres")));
        TokenIssuer issuer = new TokenIssuer(issuerPort, UserDirectory.demo());
        MeshLauncher mesh = new MeshLauncher(infra, new MeshLauncher.Options(issuer.issuerUri(), Map.of(
                MeshLauncher.Service.CHAT, port("CHAT_PORT", 8101),
                MeshLauncher.Service.QUIZ, port("QUIZ_PORT", 8102),
                MeshLauncher.Service.PRESENCE, port("PRESENCE_PORT", 8103),
                MeshLauncher.Service.NOTIFICATION, port("NOTIFICATION_PORT", 8104)),
                "", List.of("--mesh.gateway.dev-token-issuer=" + issuer.issuerUri(),
                        "--spring.profiles.active=dev")));
        // Every demo user gets an address at mesh.local; the sink keeps what is sent and logs each email.
        SmtpSink smtp = SmtpSink.start(smtpPort);
        mesh.serviceArguments(MeshLauncher.Service.NOTIFICATION,
                "--spring.mail.host=127.0.0.1", "--spring.mail.port=" + smtpPort,
                "--mesh.notification.email.address-template={userId}@mesh.local",
                "--mesh.notification.email.public-base-url=http://localhost:" + balancerPort);
        LoadBalancer[] balancer = new LoadBalancer[1];
        Runnable stop = () -> {
            if (balancer[0] != null) {
                balancer[0].close();
            }
            mesh.close();
            issuer.close();
            smtp.close();
        };
        infra.beforeStop(stop);
        // Ctrl-C: stop the apps first, while Kafka and PostgreSQL are still up. Left to shutdown
        // hooks alone, the embedded broker's own hook deletes its log directory concurrently and
        // halts the JVM mid-way.
        for (String signal : List.of("INT", "TERM")) {
            Signal.handle(new Signal(signal), s -> Thread.ofPlatform().name("mesh-stop").start(() -> {
                log.info("Stopping the mesh…");
                stop.run();
                log.info("Mesh stopped.");
                System.exit(0);
            }));
        }

        mesh.startServices();
        mesh.startGateway("gateway-1", gateway1);
        mesh.startGateway("gateway-2", gateway2);
        balancer[0] = new LoadBalancer(balancerPort, List.of(gateway1, gateway2));

        long seconds = (System.nanoTime() - started) / 1_000_000_000;
        String banner = """

                ─────────────────────────────────────────────────────────────
                 The mesh is up (%d s). Ctrl-C stops it.
                   web client, load balanced   http://localhost:%d
                   gateway 1                   http://localhost:%d   (ws://localhost:%d/ws)
                   gateway 2                   http://localhost:%d   (ws://localhost:%d/ws)
                   token issuer (dev only)     http://localhost:%d   (POST /dev/token, GET /dev/users)
                   Kafka                       localhost:%d
                   SMTP sink (emails logged)   localhost:%d
                   PostgreSQL                  localhost:%d  (data in %s)
                 Demo users: ada (instructor), grace (admin), alan, barbara, edsger, margaret
                ─────────────────────────────────────────────────────────────
                """.formatted(seconds, balancer[0].port(), gateway1, gateway1, gateway2, gateway2, issuerPort,
                kafkaPort, smtpPort, pgPort, data);
        System.out.println(banner);
        openBrowser("http://localhost:" + balancer[0].port());
    }

    private static void openBrowser(String url) {
        if ("false".equalsIgnoreCase(env("MESH_OPEN_BROWSER", "true"))) {
            return;
        }
        try {
            if (Desktop.isDesktopSupported() && Desktop.getDesktop().isSupported(Desktop.Action.BROWSE)) {
                Desktop.getDesktop().browse(URI.create(url));
            }
        } catch (Exception | Error e) {
            log.debug("No desktop browser to open: {}", e.toString());
        }
    }

    private static int port(String variable, int fallback) {
        return Integer.parseInt(env(variable, String.valueOf(fallback)));
    }

    private static String env(String variable, String fallback) {
        String value = System.getenv(variable);
        return value == null || value.isBlank() ? fallback : value;
    }
}
