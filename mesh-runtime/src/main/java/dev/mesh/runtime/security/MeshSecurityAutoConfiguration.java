package dev.mesh.runtime.security;

import java.util.List;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.oauth2.server.resource.autoconfigure.reactive.ReactiveOAuth2ResourceServerAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.ReactiveJwtAuthenticationConverterAdapter;
import org.springframework.security.web.server.SecurityWebFilterChain;

import dev.mesh.runtime.MeshProperties;

/**
 * JWT verification for every mesh app (ARCHITECTURE §6): asymmetric signatures checked
 * against the issuer's JWKS, issuer and audience required. No issuer, no start.
 */
@AutoConfiguration(before = ReactiveOAuth2ResourceServerAutoConfiguration.class)
@EnableConfigurationProperties(MeshProperties.class)
public class MeshSecurityAutoConfiguration {

    /** What a service answers without a token: probes, metrics and {@code /internal/stats} (same figures, as JSON). */
    public static final String[] OPEN_PATHS = {"/actuator/health/**", "/actuator/health", "/actuator/prometheus",
            "/actuator/info", "/internal/stats"};

    @Bean
    @ConditionalOnMissingBean
    ReactiveJwtDecoder meshJwtDecoder(MeshProperties properties) {
        MeshProperties.Security security = properties.security();
        if (security.issuer() == null || security.issuer().isBlank()) {
            throw new IllegalStateException(
                    "mesh.security.issuer (MESH_SECURITY_ISSUER) is not set: a mesh app does not start without a token issuer");
        }
        NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder.withJwkSetUri(security.effectiveJwkSetUri()).build();
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
                JwtValidators.createDefaultWithIssuer(security.issuer()), audience(security.audience())));
        return decoder;
    }

    @Bean
    @ConditionalOnMissingBean
    MeshUsers meshUsers(MeshProperties properties) {
        return new MeshUsers(properties.security());
    }

    /**
     * Services' HTTP APIs: probes and metrics open (so is {@code /internal/stats}, the same
     * database gauges as {@code /actuator/prometheus} in JSON, for the gateways' admin stats; the
     * gateways do not route {@code /internal/**}), everything else needs a valid token.
     */
    @Bean
    @ConditionalOnMissingBean
    SecurityWebFilterChain meshServiceSecurity(ServerHttpSecurity http, MeshUsers users) {
        return http
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .authorizeExchange(ex -> ex
                        .pathMatchers(OPEN_PATHS).permitAll()
                        .pathMatchers(HttpMethod.OPTIONS).permitAll()
                        .anyExchange().authenticated())
                .oauth2ResourceServer(rs -> rs.jwt(jwt -> jwt.jwtAuthenticationConverter(
                        new ReactiveJwtAuthenticationConverterAdapter(users.authenticationConverter()))))
                .build();
    }

    static OAuth2TokenValidator<Jwt> audience(String audience) {
        OAuth2Error error = new OAuth2Error("invalid_token", "The token is not for audience " + audience, null);
        return jwt -> {
            List<String> aud = jwt.getAudience();
            return aud != null && aud.contains(audience)
                    ? OAuth2TokenValidatorResult.success()
                    : OAuth2TokenValidatorResult.failure(error);
        };
    }
}
