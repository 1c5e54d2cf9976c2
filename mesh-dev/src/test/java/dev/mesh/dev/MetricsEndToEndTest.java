package dev.mesh.dev;

import static dev.mesh.dev.TestMesh.HTTP;
import static dev.mesh.dev.TestMesh.WAIT;
import static dev.mesh.dev.TestMesh.connectWithHeader;
import static dev.mesh.dev.TestMesh.http;
import static dev.mesh.dev.TestMesh.isMessage;
import static dev.mesh.dev.TestMesh.join;
import static dev.mesh.dev.TestMesh.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.mesh.testkit.ws.WsTestClient;

/**
 * The meters docs/operations.md tells the on-call to watch: scraped from {@code /actuator/prometheus}
 * of a gateway and the services, they exist, and the traffic ones move when chat messages flow
 * between the two gateway instances.
 */
class MetricsEndToEndTest {

    private static final int MESSAGES = 3;

    @Test
    void theOnCallMetricsExistAndMoveWhenTrafficFlows() throws Exception {
        TestMesh mesh = TestMesh.get();
        int chat = mesh.mesh.servicePort(MeshLauncher.Service.CHAT);
        int presence = mesh.mesh.servicePort(MeshLauncher.Service.PRESENCE);
        int quiz = mesh.mesh.servicePort(MeshLauncher.Service.QUIZ);
        String run = UUID.randomUUID().toString().substring(0, 8);

        Scrape gatewayBefore = scrape(mesh.gateway1);
        Scrape receivingBefore = scrape(mesh.gateway2);
        Scrape chatBefore = scrape(chat);
        // Registered at zero before any event, so rates and alerts see them from the start.
        for (String series : List.of("mesh_gateway_rate_limited_total{limit=\"user_messages\"}",
                "mesh_gateway_closes_total{reason=\"slow_consumer\"}",
                "mesh_gateway_deliveries_dropped_total{reason=\"gap\"}",
                "mesh_gateway_auth_failed_total")) {
            assertThat(gatewayBefore.has(series)).as(series).isTrue();
        }

        try (WsTestClient ada = connectWithHeader(mesh.gateway1, "metrics-ada-" + run);
             WsTestClient alan = connectWithHeader(mesh.gateway2, "metrics-alan-" + run)) {
            join(ada);
            join(alan);
            for (int i = 0; i < MESSAGES; i++) {
                String content = "metrics " + run + " " + i;
                String id = ada.sendCommand("chat:message", Map.of("roomId", mesh.roomId, "content", content));
                assertThat(text(ada.awaitReply(id, WAIT), "type")).isEqualTo("ack");
                alan.await(frame -> isMessage(frame, content), WAIT);
            }

            Scrape gateway = scrape(mesh.gateway1);
            assertThat(gateway.value("mesh_gateway_connections")).isGreaterThanOrEqualTo(1);
            assertThat(gateway.delta(gatewayBefore, "mesh_gateway_frames_in_total{type=\"chat:message\"}")).isGreaterThanOrEqualTo(MESSAGES);
            assertThat(gateway.delta(gatewayBefore, "mesh_gateway_frames_out_total{type=\"ack\"}")).isGreaterThanOrEqualTo(MESSAGES + 1);
            // Command latency gateway → ack, a histogram.
            assertThat(gateway.delta(gatewayBefore,
                    "mesh_gateway_command_latency_seconds_count{outcome=\"ack\",type=\"chat:message\"}")).isGreaterThanOrEqualTo(MESSAGES);
            assertThat(gateway.names()).anyMatch(s -> s.startsWith("mesh_gateway_command_latency_seconds_bucket{")
                    && s.contains("le=\"+Inf\"") && s.contains("type=\"chat:message\""));

            Scrape receiving = scrape(mesh.gateway2);
            assertThat(receiving.delta(receivingBefore, "mesh_gateway_frames_out_total{type=\"chat:message\"}")).isGreaterThanOrEqualTo(MESSAGES);
            assertThat(receiving.delta(receivingBefore, "mesh_gateway_fanout_latency_seconds_count")).isGreaterThanOrEqualTo(MESSAGES);
            assertThat(receiving.names()).anyMatch(s -> s.startsWith("mesh_gateway_fanout_latency_seconds_bucket{"));

            Scrape service = scrape(chat);
            assertThat(service.delta(chatBefore, "mesh_commands_total{outcome=\"ok\",type=\"chat:message\"}")).isGreaterThanOrEqualTo(MESSAGES);
            assertThat(service.delta(chatBefore, "mesh_outbox_published_total")).isGreaterThanOrEqualTo(MESSAGES);
            assertThat(service.value("mesh_outbox_leader")).as("one chat-service instance, the relay's leader").isEqualTo(1);
            assertThat(service.has("mesh_outbox_lag_seconds")).isTrue();
            assertThat(service.value("mesh_outbox_lag_seconds")).isGreaterThanOrEqualTo(0);
            // Consumer lag, from the Kafka client's own metrics: per client at first, per topic and
            // partition once Micrometer's Kafka binder has seen them (it looks for new ones every minute).
            assertThat(service.names()).anyMatch(s -> s.startsWith("kafka_consumer_fetch_manager_records_lag_max{"));
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(scrape(chat).names())
                    .anyMatch(s -> s.startsWith("kafka_consumer_fetch_manager_records_lag_max{") && s.contains("topic=\"chat.commands\"")));

            // Database gauges refresh every mesh.metrics.poll-interval (10 s).
            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(scrape(presence).value("mesh_presence_sessions{gateway=\"gateway-a\"}")).isGreaterThanOrEqualTo(1));
            assertThat(scrape(quiz).has("mesh_quiz_sessions_live")).isTrue();
        }
    }

    /** One scrape: series (name with its labels, as exposed) → value. */
    record Scrape(Map<String, Double> series) {

        boolean has(String name) {
            return series.containsKey(name);
        }

        double value(String name) {
            assertThat(series).as("series " + name).containsKey(name);
            return series.get(name);
        }

        double delta(Scrape before, String name) {
            return value(name) - before.series.getOrDefault(name, 0.0);
        }

        List<String> names() {
            return List.copyOf(series.keySet());
        }
    }

    /** Every series carries its app's name (a common tag); the scrape is of one app, so it is left out here. */
    private static String withoutApplication(String series) {
        return series.replaceFirst("application=\"[^\"]*\",?", "").replace(",}", "}").replace("{}", "");
    }

    static Scrape scrape(int port) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(http(port) + "/actuator/prometheus")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Map<String, Double> series = new LinkedHashMap<>();
        for (String line : response.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            series.put(withoutApplication(line.substring(0, space)), Double.parseDouble(line.substring(space + 1)));
        }
        return new Scrape(series);
    }
}
