package dev.mesh.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.mesh.contracts.presence.InstanceHeartbeat;
import dev.mesh.gateway.presence.GatewayIdentity;
import dev.mesh.gateway.socket.SessionRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** How heartbeats become the per-instance figures of the admin stats (no Kafka, no services). */
class ClusterStatsTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ClusterStats stats = new ClusterStats(null, new GatewayIdentity("gateway-a", "boot-a"),
            new GatewayFigures(new SessionRegistry(meters), meters),
            new AdminStatsProperties(Duration.ofSeconds(2), Duration.ofSeconds(1), Map.of()));

    @Test
    void givenTwoHeartbeatsOfABootWhenAskedThenItsFrameRatesAreTheirDifferencePerSecond() {
        long now = System.currentTimeMillis();
        stats.heard(new InstanceHeartbeat("gateway-b", "boot-b", 7, now - 5_000, 100, 1_000));
        stats.heard(new InstanceHeartbeat("gateway-b", "boot-b", 9, now, 150, 3_500));

        Map<String, Object> b = gateway(stats.snapshot().block(), "gateway-b");

        assertThat(b).containsEntry("connections", 9).containsEntry("framesInPerSecond", 10.0)
                .containsEntry("framesOutPerSecond", 500.0).containsEntry("self", false);
    }

    @Test
    void givenARestartedInstanceWhenAskedThenItsNewBootStartsWithoutARateAndTheOldCountersAreNotSubtracted() {
        long now = System.currentTimeMillis();
        stats.heard(new InstanceHeartbeat("gateway-b", "boot-1", 7, now - 5_000, 9_000, 9_000));
        stats.heard(new InstanceHeartbeat("gateway-b", "boot-2", 1, now, 3, 4));

        Map<String, Object> b = gateway(stats.snapshot().block(), "gateway-b");

        assertThat(b).containsEntry("connections", 1).containsEntry("framesInPerSecond", 0.0);
    }

    @Test
    void givenAnInstanceSilentForTenSecondsWhenAskedThenItIsLeftOutAndTheAnsweringInstanceIsAlwaysThere() {
        long now = System.currentTimeMillis();
        stats.heard(new InstanceHeartbeat("gateway-gone", "boot-g", 50, now - InstanceHeartbeat.DEAD_AFTER_MS - 1, 0, 0));
        stats.heard(new InstanceHeartbeat("gateway-b", "boot-b", 4, now, 0, 0));

        Map<String, Object> figures = stats.snapshot().block();

        assertThat(gateways(figures)).extracting(g -> g.get("instanceId")).containsExactly("gateway-a", "gateway-b");
        assertThat(figures).containsEntry("totalConnections", 4).containsEntry("instanceId", "gateway-a");
        assertThat(gateway(figures, "gateway-a")).containsEntry("self", true);
    }

    @Test
    void givenAnOlderHeartbeatArrivingLateWhenAskedThenTheNewerOneStands() {
        long now = System.currentTimeMillis();
        stats.heard(new InstanceHeartbeat("gateway-b", "boot-b", 5, now, 10, 10));
        stats.heard(new InstanceHeartbeat("gateway-b", "boot-b", 2, now - 5_000, 0, 0));

        assertThat(gateway(stats.snapshot().block(), "gateway-b")).containsEntry("connections", 5);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> gateways(Map<String, Object> figures) {
        return (List<Map<String, Object>>) figures.get("gateways");
    }

    private static Map<String, Object> gateway(Map<String, Object> figures, String instanceId) {
        return gateways(figures).stream().filter(g -> instanceId.equals(g.get("instanceId"))).findFirst().orElseThrow();
    }
}
