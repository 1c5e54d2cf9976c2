package dev.mesh.contracts.wire;

import tools.jackson.databind.JsonNode;

/**
 * A frame from a client: {@code {"type": "chat:message", "id": "<uuid>", "data": {...}}}.
 * Commands carry an {@code id} (the idempotency key and the {@code ref} of the reply);
 * ephemeral frames carry none.
 */
public record ClientFrame(String type, String id, JsonNode data) {
}
