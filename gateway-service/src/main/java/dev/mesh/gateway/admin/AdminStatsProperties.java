package dev.mesh.gateway.admin;

import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The admins' live stats ({@code GET /api/admin/stats} and its stream), bound from
 * {@code mesh.gateway.admin.*}.
 *
 * @param streamInterval  how often {@code /api/admin/stats/stream} sends a figure set
 * @param serviceTimeout  how long a service's {@code /internal/stats} may take before it is reported unavailable
 * @param services        service name → base URL whose {@code /internal/stats} is read (gateway-service.yml
 *                        fills it from the same {@code MESH_*_URL} variables as the routes)
 */
@ConfigurationProperties("mesh.gateway.admin")
public record AdminStatsProperties(
        @DefaultValue("2s") Duration streamInterval,
        @DefaultValue("1500ms") Duration serviceTimeout,
        Map<String, String> services) {

    public AdminStatsProperties {
        services = services == null ? Map.of() : Map.copyOf(services);
    }
}
