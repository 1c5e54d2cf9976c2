package dev.mesh.gateway.socketio;

import java.time.Duration;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.wire.CloseCodes;
import dev.mesh.contracts.wire.ErrorCode;
import dev.mesh.contracts.wire.ServerFrame;
import dev.mesh.gateway.config.GatewayProperties;
import dev.mesh.gateway.socket.ClientProtocol;
import dev.mesh.gateway.socket.ClientSession;
import dev.mesh.gateway.socket.SocketSessions;
import dev.mesh.gateway.socket.WireFormat;
import reactor.core.publisher.Mono;

/**
 * Socket.IO v4 at {@code /socket.io/} (Engine.IO 4, websocket transport only — ARCHITECTURE §4),
 * so the stock {@code socket.io-client} works with {@code transports: ['websocket']}. It is a
 * second codec over the same session machinery as {@code /ws}: the same authentication,
 * routing, fan-out, limits and resume.
 *
 * <ul>
 *   <li>CONNECT carries the token in its auth payload ({@code {token}}); success answers
 *       {@code 40{"sid"}} and a {@code welcome} event, a bad token CONNECT_ERROR
 *       {@code "Authentication failed"}.</li>
 *   <li>An EVENT {@code ["chat:message", {…, id}]} is the native frame {@code {type, id, data}}:
 *       Socket.IO's ack ids are per-connection counters, so the idempotency key travels as
 *       {@code data.id}. A requested ack is answered with our reply.</li>
 *   <li>Binary attachments are refused with an {@code error} event; the socket stays open.</li>
 * </ul>
 */
@Component
public class SocketIoHandler implements WebSocketHandler, ClientProtocol {

    /** A CONNECT_ERROR must reach the client before the transport closes. */
    private static final Duration CLOSE_AFTER_REFUSAL = Duration.ofMillis(200);

    private final SocketSessions sessions;
    private final GatewayProperties properties;

    public SocketIoHandler(SocketSessions sessions) {
        this.sessions = sessions;
        this.properties = sessions.properties();
    }

    @Override
    public Mono<Void> handle(WebSocketSession socket) {
        return sessions.serve(socket, this);
    }

    @Override
    public WireFormat format() {
        return SocketIoFormat.INSTANCE;
    }

    /** The Engine.IO open packet: the client learns its heartbeat and size limits from it. */
    @Override
    public Mono<Void> opened(ClientSession session, WebSocketSession socket) {
        ObjectNode open = MeshJson.object()
                .put("sid", session.id())
                .put("pingInterval", properties.heartbeatInterval().toMillis())
                .put("pingTimeout", Math.max(1000, properties.idleTimeout().minus(properties.heartbeatInterval()).toMillis()))
                .put("maxPayload", properties.maxFrameSize().toBytes());
        open.putArray("upgrades");
        session.send("0" + MeshJson.write(open));
        return Mono.empty();
    }

    @Override
    public Mono<Void> received(ClientSession session, WebSocketMessage message) {
        if (message.getType() == WebSocketMessage.Type.BINARY) {
            refuseBinary(session, null);
            return Mono.empty();
        }
        if (message.getType() != WebSocketMessage.Type.TEXT) {
            return Mono.empty();
        }
        String text = SocketSessions.strictText(message);
        if (text == null) {
            session.close(CloseCodes.INVALID_UTF8);
            return Mono.empty();
        }
        SocketIoPacket packet;
        try {
            packet = SocketIoPacket.parse(text);
        } catch (IllegalArgumentException e) {
            session.sendFrame(ServerFrame.error(null, ErrorCode.VALIDATION, "Malformed packet: " + e.getMessage(), null));
            return Mono.empty();
        }
        return switch (packet.engineType()) {
            case SocketIoPacket.ENGINE_PONG -> sessions.dispatch(session, frame("pong", null, null), this);
            case SocketIoPacket.ENGINE_PING -> {
                session.send("3");
                yield Mono.empty();
            }
            case SocketIoPacket.ENGINE_CLOSE -> {
                session.close(CloseCodes.NORMAL);
                yield Mono.empty();
            }
            default -> message(session, packet);
        };
    }

    private Mono<Void> message(ClientSession session, SocketIoPacket packet) {
        if (!"/".equals(packet.namespace())) {
            session.send("44" + packet.namespace() + "," + MeshJson.write(MeshJson.object().put("message", "Invalid namespace")));
            return Mono.empty();
        }
        return switch (packet.socketType()) {
            case SocketIoPacket.CONNECT -> connect(session, packet.payload());
            case SocketIoPacket.DISCONNECT -> {
                session.close(CloseCodes.NORMAL);
                yield Mono.empty();
            }
            case SocketIoPacket.EVENT -> event(session, packet);
            case SocketIoPacket.BINARY_EVENT, SocketIoPacket.BINARY_ACK -> {
                refuseBinary(session, packet.ackId());
                yield Mono.empty();
            }
            default -> {
                // ACKs from the client answer server-initiated acks, which the gateway never requests.
                yield Mono.empty();
            }
        };
    }

    private Mono<Void> connect(ClientSession session, JsonNode auth) {
        if (session.isAuthenticated()) {
            welcome(session, null);
            return Mono.empty();
        }
        String token = auth == null ? null : SocketSessions.textOf(auth, "token");
        if (token == null) {
            refused(session);
            return Mono.empty();
        }
        return sessions.authenticate(session, token, this);
    }

    /** {@code ["type", data]} becomes the native frame {@code {type, id: data.id, data}}. */
    private Mono<Void> event(ClientSession session, SocketIoPacket packet) {
        JsonNode payload = packet.payload();
        if (payload == null || !payload.isArray() || payload.isEmpty() || !payload.get(0).isString()) {
            answer(session, packet.ackId(), ServerFrame.error(null, ErrorCode.VALIDATION,
                    "An event is [\"<type>\", data]", null));
            return Mono.empty();
        }
        String type = payload.get(0).asString();
        JsonNode data = payload.size() > 1 ? payload.get(1) : null;
        String id = null;
        if (data != null && data.isObject() && data.get("id") != null) {
            id = data.get("id").isString() ? data.get("id").asString() : null;
            data = ((ObjectNode) data.deepCopy()).without("id");
        }
        if (packet.ackId() != null) {
            if (id == null && !"auth".equals(type)) {
                answer(session, packet.ackId(), ServerFrame.error(null, ErrorCode.VALIDATION,
                        type + " needs data.id, a UUID reused when the command is retried", null));
                return Mono.empty();
            }
            if (id != null) {
                session.expectReply(id, packet.ackId());
            }
        }
        Mono<Void> dispatched = sessions.dispatch(session, frame(type, id, data), this);
        if ("auth".equals(type) && packet.ackId() != null) {
            // A refreshed token is acknowledged to the callback; a refused one closes the socket instead.
            String ref = id;
            return dispatched.then(Mono.fromRunnable(() -> {
                if (!session.isClosed()) {
                    answer(session, packet.ackId(), ServerFrame.ack(ref, MeshJson.object()));
                }
            }));
        }
        return dispatched;
    }

    @Override
    public void welcome(ClientSession session, ObjectNode data) {
        session.send("40" + MeshJson.write(MeshJson.object().put("sid", session.id())));
        if (data != null) {
            session.sendFrame(ServerFrame.of(ServerFrame.WELCOME, data));
        }
    }

    /** CONNECT_ERROR, then the transport closes: socket.io-client reports {@code connect_error}. */
    @Override
    public void refused(ClientSession session) {
        session.send("44" + MeshJson.write(MeshJson.object().put("message", "Authentication failed")));
        Mono.delay(CLOSE_AFTER_REFUSAL).subscribe(t -> session.close(CloseCodes.AUTH_FAILED));
    }

    private void refuseBinary(ClientSession session, Long ackId) {
        answer(session, ackId, ServerFrame.error(null, ErrorCode.VALIDATION, "Binary attachments are not supported", null));
    }

    /** A reply decided here, to the ack callback if the client gave one, else as an event. */
    private static void answer(ClientSession session, Long ackId, ServerFrame reply) {
        if (ackId != null) {
            session.send("43" + ackId + MeshJson.write(MeshJson.mapper().createArrayNode().add(MeshJson.tree(reply))));
        } else {
            session.sendFrame(reply);
        }
    }

    private static ObjectNode frame(String type, String id, JsonNode data) {
        ObjectNode frame = MeshJson.object().put("type", type);
        if (id != null) {
            frame.put("id", id);
        }
        if (data != null) {
            frame.set("data", data);
        }
        return frame;
    }
}
