package dev.mesh.gateway.socket;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import dev.mesh.gateway.config.GatewayProperties;
import reactor.core.publisher.Mono;

/**
 * Refuses a browser's WebSocket upgrade from an origin not on the allow-list with 403,
 * before any socket exists (cross-site WebSocket hijacking). A request without
 * {@code Origin} is a non-browser client and is allowed, and so is the gateway's own origin
 * (the web client it serves).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class OriginCheck implements WebFilter {

    private final GatewayProperties properties;

    public OriginCheck(GatewayProperties properties) {
        this.properties = properties;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        String origin = exchange.getRequest().getHeaders().getFirst(HttpHeaders.ORIGIN);
        // Every WebSocket upgrade, whatever its raw path looks like: the handler mapping matches a
        // decoded path without matrix parameters, so "/%77s" or "/ws;x" also reach the socket.
        boolean socket = "websocket".equalsIgnoreCase(exchange.getRequest().getHeaders().getUpgrade())
                || path.equals("/ws") || path.startsWith("/socket.io");
        if (socket && origin != null && !properties.allowedOrigins().contains(origin) && crossOrigin(exchange)) {
            exchange.getResponse().setStatusCode(HttpStatus.FORBIDDEN);
            return exchange.getResponse().setComplete();
        }
        return chain.filter(exchange);
    }

    /** An Origin that cannot even be parsed (e.g. a port that is not a number) is cross-origin. */
    private static boolean crossOrigin(ServerWebExchange exchange) {
        try {
            return CorsUtils.isCorsRequest(exchange.getRequest());
        } catch (IllegalArgumentException unparsable) {
            return true;
        }
    }
}
