package dev.mesh.contracts.kafka;

import tools.jackson.databind.JsonNode;

/**
 * A client command on {@code <domain>.commands}. Only the gateway writes client commands;
 * {@code receivedAt} is the gateway's clock and is the time that counts for deadlines.
 */
public record CommandEnvelope(String commandId, String type, JsonNode data, UserRef user, ReplyTo replyTo,
                              long receivedAt) {

    /** Where the reply goes: the gateway instance and session that sent the command. */
    public record ReplyTo(String instanceId, String sessionId) {
    }
}
