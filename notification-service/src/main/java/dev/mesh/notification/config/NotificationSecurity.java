package dev.mesh.notification.config;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.server.resource.authentication.ReactiveJwtAuthenticationConverterAdapter;
import org.springframework.security.web.server.SecurityWebFilterChain;

import dev.mesh.runtime.security.MeshSecurityAutoConfiguration;
import dev.mesh.runtime.security.MeshUsers;

/**
 * mesh-runtime's service security plus one open route: the unsubscribe link of an email, which a
 * mail client opens without a token (its own per-user token authorizes it).
 */
@Configuration
public class NotificationSecurity {

    public static final String UNSUBSCRIBE_PATH = "/api/notifications/unsubscribe";

    @Bean
    SecurityWebFilterChain notificationWebSecurity(ServerHttpSecurity http, MeshUsers users) {
        return http
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .authorizeExchange(ex -> ex
                        .pathMatchers(MeshSecurityAutoConfiguration.OPEN_PATHS).permitAll()
                        .pathMatchers(HttpMethod.GET, UNSUBSCRIBE_PATH).permitAll()
                        .pathMatchers(HttpMethod.OPTIONS).permitAll()
                        .anyExchange().authenticated())
                .oauth2ResourceServer(rs -> rs.jwt(jwt -> jwt.jwtAuthenticationConverter(
                        new ReactiveJwtAuthenticationConverterAdapter(users.authenticationConverter()))))
                .build();
    }
}
