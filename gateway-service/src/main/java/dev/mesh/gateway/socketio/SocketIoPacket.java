package dev.mesh.gateway.socketio;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;

/**
 * A client text frame of Engine.IO 4 / Socket.IO 5, parsed: the Engine.IO packet type, and for
 * a message the Socket.IO packet type, namespace, ack id and JSON payload.
 *
 * <pre>
 *   2 / 3            Engine.IO ping / pong
 *   40{auth}         CONNECT to "/" with an auth payload; 40/chat,{…} names another namespace
 *   41               DISCONNECT
 *   42["type",data]  EVENT; 4217["type",data] asks for ack 17
 *   45… / 46…        BINARY_EVENT / BINARY_ACK (refused)
 * </pre>
 */
record SocketIoPacket(char engineType, int socketType, String namespace, Long ackId, JsonNode payload) {

    static final char ENGINE_PING = '2';
    static final char ENGINE_PONG = '3';
    static final char ENGINE_MESSAGE = '4';
    static final char ENGINE_CLOSE = '1';

    static final int CONNECT = 0;
    static final int DISCONNECT = 1;
    static final int EVENT = 2;
    static final int ACK = 3;
    static final int BINARY_EVENT = 5;
    static final int BINARY_ACK = 6;

    /** Parses a frame; throws {@link IllegalArgumentException} with a human reason when malformed. */
    static SocketIoPacket parse(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty packet");
        }
        char engineType = text.charAt(0);
        if (engineType != ENGINE_MESSAGE) {
            if (text.length() > 1 && engineType != ENGINE_PING && engineType != ENGINE_PONG) {
                throw new IllegalArgumentException("unexpected Engine.IO packet");
            }
            return new SocketIoPacket(engineType, -1, "/", null, null);
        }
        if (text.length() < 2 || !Character.isDigit(text.charAt(1))) {
            throw new IllegalArgumentException("a message needs a Socket.IO packet type");
        }
        int socketType = text.charAt(1) - '0';
        if (socketType == BINARY_EVENT || socketType == BINARY_ACK) {
            return new SocketIoPacket(engineType, socketType, "/", null, null); // refused by the handler, unparsed
        }
        int i = 2;
        String namespace = "/";
        if (i < text.length() && text.charAt(i) == '/') {
            int comma = text.indexOf(',', i);
            int end = comma < 0 ? text.length() : comma;
            namespace = text.substring(i, end);
            i = comma < 0 ? text.length() : comma + 1;
        }
        int ackStart = i;
        while (i < text.length() && Character.isDigit(text.charAt(i)) && i - ackStart < 18) {
            i++;
        }
        Long ackId = i > ackStart ? Long.parseLong(text.substring(ackStart, i)) : null;
        JsonNode payload = null;
        if (i < text.length()) {
            try {
                payload = MeshJson.mapper().readTree(text.substring(i));
            } catch (JacksonException e) {
                throw new IllegalArgumentException("the payload is not JSON");
            }
        }
        return new SocketIoPacket(engineType, socketType, namespace, ackId, payload);
    }
}
