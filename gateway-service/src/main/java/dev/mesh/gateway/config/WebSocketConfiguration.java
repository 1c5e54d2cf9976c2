package dev.mesh.gateway.config;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;

import dev.mesh.gateway.socket.SocketHandler;
import dev.mesh.gateway.socketio.SocketIoHandler;
import io.micrometer.observation.ObservationPredicate;
import reactor.netty.http.server.WebsocketServerSpec;

/** Mounts the native protocol at {@code /ws}, with the frame size limit enforced by Netty (close 1009). */
@Configuration(proxyBeanMethods = false)
public class WebSocketConfiguration {

    static final String NATIVE_PATH = "/ws";
    /** Socket.IO clients ask for {@code /socket.io/} (with the slash); both are served. */
    static final Set<String> SOCKET_IO_PATHS = Set.of("/socket.io/", "/socket.io");

    @Bean
    HandlerMapping socketMapping(SocketHandler nativeProtocol, SocketIoHandler socketIo) {
        Map<String, Object> handlers = new HashMap<>();
        handlers.put(NATIVE_PATH, nativeProtocol);
        SOCKET_IO_PATHS.forEach(path -> handlers.put(path, socketIo));
        // Before the gateway's route mapping, so the socket endpoints are never proxied.
        return new SimpleUrlHandlerMapping(handlers, Ordered.HIGHEST_PRECEDENCE);
    }

    /**
     * A socket's upgrade request is not an HTTP observation: it would stay open (with its trace
     * span and tags) for the socket's whole life — memory held per connection, and a "request
     * duration" that is the connection's. Sockets have their own metrics ({@code mesh.gateway.*})
     * and every command its own span.
     */
    @Bean
    ObservationPredicate socketUpgradesAreNotObserved() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext request
                && isSocketPath(request.getCarrier().getPath().value()));
    }

    /** A path {@link #socketMapping} serves sockets on. */
    static boolean isSocketPath(String path) {
        return path.equals(NATIVE_PATH) || SOCKET_IO_PATHS.contains(path);
    }

    @Bean
    WebSocketHandlerAdapter webSocketHandlerAdapter(GatewayProperties properties) {
        WebsocketServerSpec.Builder spec = WebsocketServerSpec.builder()
                .maxFramePayloadLength((int) properties.maxFrameSize().toBytes());
        return new WebSocketHandlerAdapter(new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy(() -> spec)));
    }
}
