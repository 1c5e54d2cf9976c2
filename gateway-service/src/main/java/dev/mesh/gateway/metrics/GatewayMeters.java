package dev.mesh.gateway.metrics;

import dev.mesh.contracts.kafka.CommandCatalogue;
import dev.mesh.contracts.wire.CloseCodes;

/**
 * Tag values of the gateway's meters, bounded whatever clients send (docs/operations.md lists
 * the meters). A client-chosen string never becomes a tag value as such: Prometheus would keep
 * one series per value.
 */
public final class GatewayMeters {

    private GatewayMeters() {
    }

    /** A client frame's type as a tag: a catalogue command, a protocol frame, or {@code unknown}. */
    public static String frameType(String type) {
        if (type == null) {
            return "none";
        }
        return switch (type) {
            case "auth", "pong", "presence:activity" -> type;
            default -> CommandCatalogue.find(type).isPresent() ? type : "unknown";
        };
    }

    /** Why the gateway closed a socket, from its close code; {@code slow_consumer} is the outbound queue limit. */
    public static String closeReason(int code) {
        return switch (code) {
            case CloseCodes.NORMAL -> "normal";
            case CloseCodes.BINARY_NOT_ACCEPTED -> "binary";
            case CloseCodes.POLICY -> "flood";
            case CloseCodes.SERVICE_RESTART -> "restart";
            case CloseCodes.TRY_AGAIN_LATER -> "slow_consumer";
            case CloseCodes.AUTH_FAILED -> "auth";
            case CloseCodes.FORBIDDEN -> "forbidden";
            default -> "other";
        };
    }
}
