package dev.mesh.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml and the Dockerfile as a reviewer reads them: every container health
 * checked and started only after what it needs is healthy, every image pinned, the apps'
 * images built from this repository as a non-root user; and the compose tool's own validation.
 */
class ComposeAndImageTest {

    static final List<String> APPS = RenderedManifestsTest.APPS;

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> services() {
        Map<String, Object> compose = new Yaml().load(RepoFiles.read("docker-compose.yml"));
        return (Map<String, Map<String, Object>>) compose.get("services");
    }

    @Test
    void everyContainerIsHealthCheckedAndWaitsForHealthyDependencies() {
        services().forEach((name, service) -> {
            assertThat(service).as("healthcheck of %s", name).containsKey("healthcheck");
            Object dependsOn = service.get("depends_on");
            if (dependsOn != null) {
                assertThat(dependsOn).as("depends_on of %s is a map of conditions", name).isInstanceOf(Map.class);
                ((Map<?, ?>) dependsOn).forEach((dependency, condition) -> assertThat(((Map<?, ?>) condition).get("condition"))
                        .as("%s waits for %s", name, dependency).isEqualTo("service_healthy"));
            }
        });
        assertThat(services()).as("the five apps, both gateways and the infrastructure")
                .containsKeys("kafka", "postgres", "chat-service", "quiz-service", "presence-service",
                        "notification-service", "gateway-1", "gateway-2", "lb");
    }

    @Test
    void everyImageIsPinnedAndEveryAppIsBuiltFromItsModule() {
        services().forEach((name, service) -> {
            String image = String.valueOf(service.get("image"));
            assertThat(image).as("image of %s", name).contains(":").doesNotEndWith(":latest");
            if (service.get("build") instanceof Map<?, ?> build) {
                Object module = ((Map<?, ?>) build.get("args")).get("MODULE");
                assertThat(APPS).contains(String.valueOf(module));
                assertThat(image).as("image of %s", name).startsWith("mesh/" + module + ":");
            }
        });
    }

    @Test
    void theComposeToolAcceptsTheFile() {
        String tool = RepoFiles.which("docker-compose").map(Object::toString).orElse(null);
        List<String> command = tool != null
                ? List.of(tool, "-f", "docker-compose.yml", "config", "-q")
                : List.of(RepoFiles.requireTool("docker").toString(), "compose", "-f", "docker-compose.yml", "config", "-q");
        RepoFiles.Result result = RepoFiles.run(command);
        assertThat(result.exitCode()).as("%s: %s", command, result.stderr()).isZero();
    }

    @Test
    void theImageIsMultiStageNonRootHealthCheckedAndPinned() {
        String dockerfile = RepoFiles.read("Dockerfile");
        assertThat(Pattern.compile("(?m)^FROM ").matcher(dockerfile).results().count()).as("stages").isGreaterThanOrEqualTo(2);
        assertThat(dockerfile).contains("USER 10001").contains("HEALTHCHECK").contains("JarLauncher")
                .doesNotContain(":latest");
        Matcher base = Pattern.compile("(?m)^ARG (JDK|JRE)_IMAGE=(\\S+)$").matcher(dockerfile);
        int bases = 0;
        while (base.find()) {
            bases++;
            assertThat(base.group(2)).as("base image").contains(":");
        }
        assertThat(bases).isEqualTo(2);
    }

    @Test
    void theOperationsGuideSaysTheGatewayIsExposedOnlyBehindTls() {
        String guide = RepoFiles.read("docs/operations.md");
        assertThat(guide).contains("TLS").contains("kubectl kustomize k8s/overlays/prod");
    }
}
