package dev.mesh.gateway.web;

import java.util.Map;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the web client needs to know before it logs in: where the development token issuer
 * is (set only in mesh-dev; empty in production, where login goes to the organisation's IdP).
 */
@RestController
public class ClientConfigController {

    private final String devTokenIssuer;

    public ClientConfigController(@Value("${mesh.gateway.dev-token-issuer:}") String devTokenIssuer) {
        this.devTokenIssuer = devTokenIssuer;
    }

    @GetMapping("/client-config.json")
    Map<String, Object> config() {
        return Map.of("devTokenIssuer", devTokenIssuer);
    }
}
