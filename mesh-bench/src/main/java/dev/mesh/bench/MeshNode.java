package dev.mesh.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.mesh.dev.MeshLauncher;
import dev.mesh.testkit.auth.TokenIssuer;
import dev.mesh.testkit.auth.UserDirectory;
import dev.mesh.testkit.infra.MeshInfra;

/**
 * The benchmark's infrastructure process: embedded Kafka and PostgreSQL, the development token
 * issuer (users {@code student-<n>}, {@code instructor-<n>}) and the four services with the
 * {@code bench} profile, on free ports. The gateways run in processes of their own
 * ({@link Bench}), so their CPU and memory are theirs alone. Answers one line with the
 * addresses when up; exits when stdin closes.
 */
public final class MeshNode {

    private MeshNode() {
    }

    public static void main(String[] args) {
        MeshInfra infra = MeshInfra.start(MeshInfra.Options.embedded(0, 0, null));
        TokenIssuer issuer = new TokenIssuer(0, UserDirectory.demo());
        MeshLauncher mesh = new MeshLauncher(infra, new MeshLauncher.Options(issuer.issuerUri(), Map.of(), "",
                List.of("--spring.profiles.active=bench")));
        Runnable stop = () -> {
            mesh.close();
            issuer.close();
        };
        infra.beforeStop(stop);
        try {
            mesh.startServices();
        } catch (RuntimeException | Error e) {
            // Without this the broker's threads keep the JVM alive and the benchmark waits for nothing.
            e.printStackTrace();
            ChildMain.reply(Map.of("error", "the services did not start: " + e));
            System.exit(1);
        }
        Map<String, Object> ready = new LinkedHashMap<>();
        ready.put("issuer", issuer.issuerUri());
        ready.put("kafka", infra.kafkaBootstrapServers());
        Map<String, Object> services = new LinkedHashMap<>();
        for (MeshLauncher.Service service : MeshLauncher.Service.values()) {
            services.put(service.name(), mesh.servicePort(service));
        }
        ready.put("services", services);
        ChildMain.reply(ready);
        ChildMain.serve(request -> ChildMain.reply(Map.of("ok", true)));
        stop.run();
        System.exit(0);
    }
}
