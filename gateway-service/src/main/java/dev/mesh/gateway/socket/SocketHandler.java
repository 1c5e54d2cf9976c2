package dev.mesh.gateway.socket;

import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.wire.CloseCodes;
import dev.mesh.contracts.wire.ErrorCode;
import dev.mesh.contracts.wire.ServerFrame;
import reactor.core.publisher.Mono;

/**
 * The native protocol at {@code /ws} (ARCHITECTURE §4): JSON frames both ways; authentication
 * by the upgrade's {@code Authorization} header or a first {@code auth} frame. Bad input is
 * answered, never fatal — except a frame over the size limit (1009, by Netty), binary
 * frames (1003) and text that is not valid UTF-8 (1007).
 */
@Component
public class SocketHandler implements WebSocketHandler, ClientProtocol {

    private final SocketSessions sessions;

    public SocketHandler(SocketSessions sessions) {
        this.sessions = sessions;
    }

    @Override
    public Mono<Void> handle(WebSocketSession socket) {
        return sessions.serve(socket, this);
    }

    @Override
    public WireFormat format() {
        return WireFormat.NATIVE;
    }

    @Override
    public Mono<Void> opened(ClientSession session, WebSocketSession socket) {
        String header = socket.getHandshakeInfo().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (header != null) {
            sessions.forgetRequestHeader(socket, HttpHeaders.AUTHORIZATION);
        }
        return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? sessions.authenticate(session, header.substring(7).trim(), this)
                : Mono.empty();
    }

    @Override
    public Mono<Void> received(ClientSession session, WebSocketMessage message) {
        if (message.getType() == WebSocketMessage.Type.BINARY) {
            session.close(CloseCodes.BINARY_NOT_ACCEPTED);
            return Mono.empty();
        }
        if (message.getType() != WebSocketMessage.Type.TEXT) {
            return Mono.empty(); // control frames: Netty answers pings itself
        }
        String text = SocketSessions.strictText(message);
        if (text == null) {
            session.close(CloseCodes.INVALID_UTF8);
            return Mono.empty();
        }
        JsonNode frame;
        try {
            frame = MeshJson.mapper().readTree(text);
        } catch (JacksonException e) {
            frame = null;
        }
        if (frame == null || !frame.isObject()) {
            session.sendFrame(ServerFrame.error(null, ErrorCode.VALIDATION, "Frames must be JSON objects", null));
            return Mono.empty();
        }
        return sessions.dispatch(session, frame, this);
    }

    @Override
    public void welcome(ClientSession session, ObjectNode data) {
        session.sendFrame(ServerFrame.of(ServerFrame.WELCOME, data));
    }

    @Override
    public void refused(ClientSession session) {
        session.close(CloseCodes.AUTH_FAILED);
    }
}
