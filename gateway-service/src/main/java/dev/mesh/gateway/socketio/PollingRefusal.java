package dev.mesh.gateway.socketio;

import java.nio.charset.StandardCharsets;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import reactor.core.publisher.Mono;

/**
 * Engine.IO's HTTP long-polling is not offered: its requests of one session must all reach the
 * same instance (sticky sessions), which this gateway does not require of load balancers.
 * Such a request is answered the way a Socket.IO server answers an unknown transport, so the
 * client's error says what to change ({@code transports: ['websocket']}).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
public class PollingRefusal implements WebFilter {

    private static final byte[] BODY = "{\"code\":0,\"message\":\"Transport unknown\"}".getBytes(StandardCharsets.UTF_8);

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        boolean upgrade = "websocket".equalsIgnoreCase(exchange.getRequest().getHeaders().getUpgrade());
        if (!path.startsWith("/socket.io") || upgrade) {
            return chain.filter(exchange);
        }
        exchange.getResponse().setStatusCode(HttpStatus.BAD_REQUEST);
        exchange.getResponse().getHeaders().setContentType(MediaType.APPLICATION_JSON);
        exchange.getResponse().getHeaders().set(HttpHeaders.CACHE_CONTROL, "no-store");
        return exchange.getResponse().writeWith(Mono.just(exchange.getResponse().bufferFactory().wrap(BODY)));
    }
}
