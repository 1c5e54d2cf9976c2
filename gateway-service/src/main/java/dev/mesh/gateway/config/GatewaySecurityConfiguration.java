package dev.mesh.gateway.config;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.server.resource.authentication.ReactiveJwtAuthenticationConverterAdapter;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.security.web.server.header.XFrameOptionsServerHttpHeadersWriter;

import dev.mesh.runtime.security.MeshUsers;

/**
 * HTTP security at the edge: {@code /api/**} needs a valid token (verified here and again by
 * the service), {@code /api/admin/**} the admin role. {@code /ws} authenticates inside the
 * socket (header or first frame), and the web client is public.
 */
@Configuration(proxyBeanMethods = false)
public class GatewaySecurityConfiguration {

    /**
     * The socket endpoints are outside the resource server: a bad token there must be refused
     * inside the socket (close 4001, Socket.IO CONNECT_ERROR; ARCHITECTURE §4), not by a 401 on the upgrade.
     */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    SecurityWebFilterChain socketSecurity(ServerHttpSecurity http) {
        return http
                .securityMatcher(ServerWebExchangeMatchers.pathMatchers("/ws", "/socket.io", "/socket.io/**"))
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .authorizeExchange(ex -> ex.anyExchange().permitAll())
                .build();
    }

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE + 1)
    SecurityWebFilterChain gatewaySecurity(ServerHttpSecurity http, MeshUsers users) {
        return http
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .headers(h -> h.frameOptions(f -> f.mode(XFrameOptionsServerHttpHeadersWriter.Mode.DENY)))
                .authorizeExchange(ex -> ex
                        .pathMatchers("/api/admin/**").hasRole("admin")
                        .pathMatchers("/api/**").authenticated()
                        .anyExchange().permitAll())
                .oauth2ResourceServer(rs -> rs.jwt(jwt -> jwt.jwtAuthenticationConverter(
                        new ReactiveJwtAuthenticationConverterAdapter(users.authenticationConverter()))))
                .build();
    }
}
