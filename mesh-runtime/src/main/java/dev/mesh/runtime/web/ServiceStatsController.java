package dev.mesh.runtime.web;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.mesh.runtime.metrics.SqlGauges;

/**
 * {@code GET /internal/stats}: this service's database gauges (outbox lag, and the service's own
 * such as presence's online users or chat's rooms) as JSON, for the gateways' admin stats
 * (docs/operations.md). The same figures as {@code /actuator/prometheus}, and as open: only
 * reachable inside the cluster, the gateways do not route {@code /internal/**}.
 */
@RestController
public class ServiceStatsController {

    private final String service;
    private final String instanceId;
    private final SqlGauges gauges;

    public ServiceStatsController(String service, String instanceId, SqlGauges gauges) {
        this.service = service;
        this.instanceId = instanceId;
        this.gauges = gauges;
    }

    @GetMapping("/internal/stats")
    public Map<String, Object> stats() {
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("service", service);
        stats.put("instanceId", instanceId);
        stats.put("gauges", gauges.snapshot());
        stats.put("at", System.currentTimeMillis());
        return stats;
    }
}
