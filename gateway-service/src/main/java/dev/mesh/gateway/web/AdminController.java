package dev.mesh.gateway.web;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.wire.CloseCodes;
import dev.mesh.gateway.presence.GatewayIdentity;
import dev.mesh.gateway.socket.ClientSession;
import dev.mesh.gateway.socket.SessionRegistry;
import dev.mesh.runtime.kafka.KafkaPublisher;
import reactor.core.publisher.Mono;

/**
 * Admin controls at the gateway ({@code /api/admin/**}, admins only — see the security
 * configuration): force-disconnect a user on every instance, and this instance's live figures.
 */
@RestController
@RequestMapping("/api/admin")
public class AdminController {

    private final KafkaPublisher publisher;
    private final SessionRegistry registry;
    private final GatewayIdentity identity;

    public AdminController(KafkaPublisher publisher, SessionRegistry registry, GatewayIdentity identity) {
        this.publisher = publisher;
        this.registry = registry;
        this.identity = identity;
    }

    /**
     * Closes every socket of the user, on every gateway instance, with 4003 (e.g. after an account
     * is revoked; their tokens expire on their own). The close travels on {@code gateway.deliveries},
     * which every instance reads.
     */
    @PostMapping("/users/{userId}/disconnect")
    @ResponseStatus(HttpStatus.ACCEPTED)
    public Mono<Map<String, Object>> disconnect(@PathVariable String userId) {
        return publisher.deliver(userId, Delivery.close(new Delivery.Close(userId, CloseCodes.FORBIDDEN)))
                .thenReturn(Map.of("userId", userId, "closeCode", CloseCodes.FORBIDDEN));
    }

    /** This instance's live figures (connections, users, attached topics). */
    @GetMapping("/stats")
    public Map<String, Object> stats() {
        Set<String> users = registry.all().stream().map(ClientSession::user)
                .filter(java.util.Objects::nonNull).map(u -> u.id()).collect(Collectors.toSet());
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("instanceId", identity.instanceId());
        stats.put("bootId", identity.bootId());
        stats.put("connections", registry.size());
        stats.put("users", users.size());
        stats.put("topics", registry.topicCount());
        stats.put("at", System.currentTimeMillis());
        return stats;
    }
}
