package dev.mesh.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.mesh.contracts.kafka.Topics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Renders every overlay with {@code kubectl kustomize} and checks, object by object, the
 * invariants a platform team reviews: pinned images, probes on the actuator groups, limits,
 * non-root read-only containers, budgets and autoscalers, only the architecture's network
 * flows, and in production the topic table of the architecture.
 */
class RenderedManifestsTest {

    static final List<String> APPS = List.of("gateway-service", "chat-service", "quiz-service", "presence-service",
            "notification-service");
    static final List<String> SERVICES = APPS.subList(1, APPS.size());

    static List<HasMetadata> render(String overlay) {
        String kubectl = RepoFiles.requireTool("kubectl").toString();
        RepoFiles.Result result = RepoFiles.run(List.of(kubectl, "kustomize", "k8s/overlays/" + overlay));
        assertThat(result.exitCode()).as("kubectl kustomize k8s/overlays/%s: %s", overlay, result.stderr()).isZero();
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : result.stdout().split("(?m)^---\\s*$")) {
            if (!document.isBlank()) {
                objects.add(Serialization.unmarshal(document, HasMetadata.class));
            }
        }
        assertThat(objects).as("objects rendered for %s", overlay).isNotEmpty();
        return objects;
    }

    static <T extends HasMetadata> List<T> ofKind(List<HasMetadata> objects, Class<T> kind) {
        return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    static List<GenericKubernetesResource> custom(List<HasMetadata> objects, String kind) {
        return objects.stream().filter(o -> o instanceof GenericKubernetesResource && kind.equals(o.getKind()))
                .map(GenericKubernetesResource.class::cast).toList();
    }

    static Deployment app(List<HasMetadata> objects, String name) {
        return ofKind(objects, Deployment.class).stream().filter(d -> name.equals(d.getMetadata().getName()))
                .findFirst().orElseThrow(() -> new AssertionError("no Deployment " + name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyAppRunsHardenedWithProbesLimitsAndAPinnedImage(String overlay) {
        List<HasMetadata> objects = render(overlay);
        for (String name : APPS) {
            Deployment deployment = app(objects, name);
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            Container container = pod.getContainers().getFirst();
            String where = overlay + "/" + name;

            assertThat(container.getImage()).as(where).startsWith("mesh/" + name + ":");
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(where).isTrue();
            assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).as(where).isTrue();
            assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).as(where).isFalse();
            assertThat(container.getSecurityContext().getCapabilities().getDrop()).as(where).contains("ALL");
            assertThat(pod.getAutomountServiceAccountToken()).as(where).isFalse();
            assertThat(httpPath(container.getReadinessProbe())).as(where).isEqualTo("/actuator/health/readiness");
            assertThat(httpPath(container.getLivenessProbe())).as(where).isEqualTo("/actuator/health/liveness");
            assertThat(container.getResources().getRequests()).as(where).containsKeys("cpu", "memory");
            assertThat(container.getResources().getLimits()).as(where).containsKey("memory");
            assertThat(pod.getTerminationGracePeriodSeconds()).as(where).isNotNull();
            assertThat(container.getVolumeMounts()).as(where + ": a writable /tmp on a read-only root")
                    .anyMatch(m -> "/tmp".equals(m.getMountPath()));
        }
        Container gateway = app(objects, "gateway-service").getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(gateway.getLifecycle().getPreStop()).as("the gateway drains before it stops").isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyImageHasAPinnedTag(String overlay) {
        List<HasMetadata> objects = render(overlay);
        List<String> images = Stream.concat(
                        ofKind(objects, Deployment.class).stream().map(d -> d.getSpec().getTemplate()),
                        ofKind(objects, StatefulSet.class).stream().map(s -> s.getSpec().getTemplate()))
                .map(PodTemplateSpec::getSpec)
                .flatMap(pod -> Stream.concat(pod.getContainers().stream(),
                        pod.getInitContainers() == null ? Stream.empty() : pod.getInitContainers().stream()))
                .map(Container::getImage)
                .toList();
        assertThat(images).isNotEmpty().allSatisfy(image -> {
            String tag = image.contains("@") ? "digest" : image.substring(image.lastIndexOf(':') + 1);
            assertThat(image).as("image %s", image).contains(":");
            assertThat(tag).as("tag of %s", image).isNotIn("latest", "set-by-overlay", "").doesNotContain("/");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyServiceSelectsPodsAndEveryAppHasABudgetAndAnAutoscaler(String overlay) {
        List<HasMetadata> objects = render(overlay);
        List<Map<String, String>> podLabels = Stream.concat(
                        ofKind(objects, Deployment.class).stream().map(d -> d.getSpec().getTemplate()),
                        ofKind(objects, StatefulSet.class).stream().map(s -> s.getSpec().getTemplate()))
                .map(t -> t.getMetadata().getLabels()).toList();
        for (Service service : ofKind(objects, Service.class)) {
            Map<String, String> selector = service.getSpec().getSelector();
            assertThat(selector).as("selector of Service %s", service.getMetadata().getName()).isNotEmpty();
            assertThat(podLabels).as("pods selected by Service %s", service.getMetadata().getName())
                    .anyMatch(labels -> labels.entrySet().containsAll(selector.entrySet()));
        }
        for (String name : APPS) {
            Map<String, String> labels = app(objects, name).getSpec().getTemplate().getMetadata().getLabels();
            assertThat(ofKind(objects, PodDisruptionBudget.class)).as("budget for %s", name)
                    .anyMatch(pdb -> labels.entrySet().containsAll(pdb.getSpec().getSelector().getMatchLabels().entrySet()));
            assertThat(ofKind(objects, HorizontalPodAutoscaler.class)).as("autoscaler for %s", name)
                    .anyMatch(hpa -> name.equals(hpa.getSpec().getScaleTargetRef().getName())
                            && "Deployment".equals(hpa.getSpec().getScaleTargetRef().getKind()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void servicesTakeHttpOnlyFromTheGatewayAndNothingIsOpenByDefault(String overlay) {
        List<HasMetadata> objects = render(overlay);
        List<NetworkPolicy> policies = ofKind(objects, NetworkPolicy.class);
        assertThat(policies).as("a default deny of ingress").anyMatch(p -> p.getSpec().getPolicyTypes().contains("Ingress")
                && (p.getSpec().getIngress() == null || p.getSpec().getIngress().isEmpty()));
        Map<String, String> gatewayLabels = app(objects, "gateway-service").getSpec().getTemplate().getMetadata().getLabels();
        for (String name : SERVICES) {
            Map<String, String> labels = app(objects, name).getSpec().getTemplate().getMetadata().getLabels();
            List<NetworkPolicyPeer> allowedFrom = policies.stream()
                    .filter(p -> labels.entrySet().containsAll(
                            Objects.requireNonNullElse(p.getSpec().getPodSelector().getMatchLabels(), Map.<String, String>of()).entrySet()))
                    .filter(p -> p.getSpec().getIngress() != null)
                    .flatMap(p -> p.getSpec().getIngress().stream())
                    .flatMap(rule -> rule.getFrom() == null ? Stream.of(new NetworkPolicyPeer()) : rule.getFrom().stream())
                    .toList();
            assertThat(allowedFrom).as("ingress peers of %s", name).isNotEmpty().allSatisfy(peer -> {
                boolean fromGateway = peer.getPodSelector() != null && peer.getPodSelector().getMatchLabels() != null
                        && gatewayLabels.entrySet().containsAll(peer.getPodSelector().getMatchLabels().entrySet())
                        && peer.getNamespaceSelector() == null;
                boolean fromMonitoring = peer.getNamespaceSelector() != null;
                assertThat(fromGateway || fromMonitoring)
                        .as("%s admits only the gateway (and the monitoring namespace), not %s", name, peer).isTrue();
            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void noSecretValueIsCommitted(String overlay) {
        assertThat(ofKind(render(overlay), Secret.class)).as("Secrets are referenced, created out of band").isEmpty();
    }

    @Test
    void productionDeclaresTheArchitecturesTopicsAndLetsNoAppCreateThem() {
        List<HasMetadata> objects = render("prod");
        List<GenericKubernetesResource> topics = custom(objects, "KafkaTopic");
        Set<String> names = topics.stream()
                .map(t -> (String) Objects.requireNonNullElse(spec(t).get("topicName"), t.getMetadata().getName()))
                .collect(Collectors.toSet());
        assertThat(names).containsExactlyInAnyOrderElementsOf(Topics.ALL);
        assertThat(topics).allSatisfy(topic -> {
            assertThat(spec(topic).get("partitions")).as(topic.getMetadata().getName()).isEqualTo(12);
            assertThat(spec(topic).get("replicas")).as(topic.getMetadata().getName()).isEqualTo(3);
        });
        ConfigMap config = ofKind(objects, ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().startsWith("mesh-config")).findFirst().orElseThrow();
        assertThat(config.getData()).containsEntry("MESH_KAFKA_CREATE_TOPICS", "false");
        assertThat(config.getData().get("MESH_SECURITY_ISSUER")).startsWith("https://");
        assertThat(custom(objects, "Kafka")).hasSize(1);
        assertThat(custom(objects, "KafkaNodePool")).isNotEmpty();
    }

    @Test
    void productionHasADatabaseClusterPerServiceAndATlsIngressThatKeepsWebSocketsOpen() {
        List<HasMetadata> objects = render("prod");
        assertThat(custom(objects, "Cluster")).as("CloudNativePG clusters").hasSize(SERVICES.size());
        Ingress ingress = ofKind(objects, Ingress.class).getFirst();
        assertThat(ingress.getSpec().getTls()).as("TLS at the edge").isNotEmpty();
        Map<String, String> annotations = ingress.getMetadata().getAnnotations();
        assertThat(Integer.parseInt(annotations.get("nginx.ingress.kubernetes.io/proxy-read-timeout")))
                .as("a WebSocket idles up to 60 s between pings").isGreaterThan(60);
        assertThat(ingress.getSpec().getRules().getFirst().getHttp().getPaths())
                .allMatch(p -> "gateway-service".equals(p.getBackend().getService().getName()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource resource) {
        return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
    }

    private static String httpPath(Probe probe) {
        return probe == null || probe.getHttpGet() == null ? null : probe.getHttpGet().getPath();
    }
}
