package dev.mesh.gateway.web;

import java.util.Map;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the web client needs to know before it logs in: where the development token issuer
 * is (set only in mesh-dev; empty in production), and the OpenID provider it logs in with
 * otherwise (authorization code + PKCE with a public client; the issuer defaults to the one
 * whose tokens the mesh accepts).
 */
@RestController
public class ClientConfigController {

    private final String devTokenIssuer;
    private final Map<String, String> oidc;

    public ClientConfigController(@Value("${mesh.gateway.dev-token-issuer:}") String devTokenIssuer,
                                  @Value("${mesh.gateway.oidc.issuer:${mesh.security.issuer:}}") String oidcIssuer,
                                  @Value("${mesh.gateway.oidc.client-id:mesh-web}") String oidcClientId,
                                  @Value("${mesh.gateway.oidc.scope:openid profile}") String oidcScope) {
        this.devTokenIssuer = devTokenIssuer;
        this.oidc = Map.of("issuer", oidcIssuer, "clientId", oidcClientId, "scope", oidcScope);
    }

    @GetMapping("/client-config.json")
    Map<String, Object> config() {
        return Map.of("devTokenIssuer", devTokenIssuer, "oidc", oidc);
    }
}
