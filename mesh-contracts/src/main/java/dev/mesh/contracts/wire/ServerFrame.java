package dev.mesh.contracts.wire;

import tools.jackson.databind.JsonNode;

/**
 * A frame to a client. Events carry {@code topic} and {@code seq} when they belong to a
 * persisted stream; replies are {@code ack} or {@code error} with the command's id as
 * {@code ref}.
 */
public record ServerFrame(String type, String ref, String topic, Long seq, String code, String message,
                          JsonNode data) {

    public static final String ACK = "ack";
    public static final String ERROR = "error";
    public static final String WELCOME = "welcome";
    public static final String PING = "ping";
    public static final String RESYNC = "resync";
    public static final String RECONNECT = "reconnect";

    public static ServerFrame event(String type, String topic, Long seq, JsonNode data) {
        return new ServerFrame(type, null, topic, seq, null, null, data);
    }

    public static ServerFrame ack(String ref, JsonNode data) {
        return new ServerFrame(ACK, ref, null, null, null, null, data);
    }

    public static ServerFrame error(String ref, ErrorCode code, String message, JsonNode data) {
        return new ServerFrame(ERROR, ref, null, null, code.name(), message, data);
    }

    public static ServerFrame of(String type, JsonNode data) {
        return new ServerFrame(type, null, null, null, null, null, data);
    }
}
