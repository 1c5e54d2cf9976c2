package dev.mesh.gateway.socket;

import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

import tools.jackson.databind.node.ObjectNode;

import reactor.core.publisher.Mono;

/**
 * What differs between the client protocols the gateway speaks (native {@code /ws}, Socket.IO
 * {@code /socket.io/}): how frames are parsed and written, and how a session is greeted or
 * refused. Everything else — authentication, timers, limits, routing, fan-out — is one
 * implementation, {@link SocketSessions}.
 */
public interface ClientProtocol {

    WireFormat format();

    /** Right after the upgrade, before any frame is read. */
    Mono<Void> opened(ClientSession session, WebSocketSession socket);

    /** One frame from the client. */
    Mono<Void> received(ClientSession session, WebSocketMessage message);

    /** Greets a session that just authenticated, with the constants of the {@code welcome} frame. */
    void welcome(ClientSession session, ObjectNode data);

    /** Tells a session its token was refused and closes it. */
    void refused(ClientSession session);
}
