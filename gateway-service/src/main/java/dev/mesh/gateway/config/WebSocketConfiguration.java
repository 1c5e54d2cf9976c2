package dev.mesh.gateway.config;

import java.util.Map;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;

import dev.mesh.gateway.socket.SocketHandler;
import dev.mesh.gateway.socketio.SocketIoHandler;
import reactor.netty.http.server.WebsocketServerSpec;

/** Mounts the native protocol at {@code /ws}, with the frame size limit enforced by Netty (close 1009). */
@Configuration(proxyBeanMethods = false)
public class WebSocketConfiguration {

    @Bean
    HandlerMapping socketMapping(SocketHandler nativeProtocol, SocketIoHandler socketIo) {
        // Before the gateway's route mapping, so the socket endpoints are never proxied.
        return new SimpleUrlHandlerMapping(Map.of("/ws", nativeProtocol, "/socket.io/", socketIo, "/socket.io", socketIo),
                Ordered.HIGHEST_PRECEDENCE);
    }

    @Bean
    WebSocketHandlerAdapter webSocketHandlerAdapter(GatewayProperties properties) {
        WebsocketServerSpec.Builder spec = WebsocketServerSpec.builder()
                .maxFramePayloadLength((int) properties.maxFrameSize().toBytes());
        return new WebSocketHandlerAdapter(new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy(() -> spec)));
    }
}
