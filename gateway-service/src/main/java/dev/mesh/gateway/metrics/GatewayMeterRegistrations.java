package dev.mesh.gateway.metrics;

import java.util.List;

import org.springframework.stereotype.Component;

import dev.mesh.contracts.wire.CloseCodes;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Registers the gateway's event counters at zero on start, so every series exists before its
 * first event: a rate or an alert over a counter that does not exist yet sees nothing
 * (docs/operations.md lists the meters).
 */
@Component
public class GatewayMeterRegistrations {

    public GatewayMeterRegistrations(MeterRegistry meters) {
        for (String limit : List.of("flood", "connection", "user_messages")) {
            meters.counter("mesh.gateway.rate_limited", "limit", limit);
        }
        for (int code : List.of(CloseCodes.NORMAL, CloseCodes.BINARY_NOT_ACCEPTED, CloseCodes.POLICY,
                CloseCodes.SERVICE_RESTART, CloseCodes.TRY_AGAIN_LATER, CloseCodes.AUTH_FAILED, CloseCodes.FORBIDDEN)) {
            meters.counter("mesh.gateway.closes", "reason", GatewayMeters.closeReason(code));
        }
        for (String reason : List.of("duplicate", "gap")) {
            meters.counter("mesh.gateway.deliveries.dropped", "reason", reason);
        }
        for (String reason : List.of("validation", "address_limit")) {
            meters.counter("mesh.gateway.rejected", "reason", reason);
        }
        meters.counter("mesh.gateway.auth.failed");
    }
}
