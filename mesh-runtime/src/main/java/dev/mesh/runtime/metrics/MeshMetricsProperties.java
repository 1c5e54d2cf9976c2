package dev.mesh.runtime.metrics;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Metrics settings, bound from {@code mesh.metrics.*} (environment {@code MESH_METRICS_*}).
 *
 * @param pollInterval how often the gauges read from the database ({@link SqlGauges}) are refreshed
 */
@ConfigurationProperties("mesh.metrics")
public record MeshMetricsProperties(@DefaultValue("10s") Duration pollInterval) {
}
