package dev.mesh.gateway.web;

import java.time.Duration;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.wire.CloseCodes;
import dev.mesh.gateway.admin.AdminStatsProperties;
import dev.mesh.gateway.admin.ClusterStats;
import dev.mesh.runtime.kafka.KafkaPublisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Admin controls at the gateway ({@code /api/admin/**}, admins only — see the security
 * configuration): force-disconnect a user on every instance, and the mesh's live figures, once or as a stream.
 */
@RestController
@RequestMapping("/api/admin")
public class AdminController {

    private final KafkaPublisher publisher;
    private final ClusterStats stats;
    private final AdminStatsProperties properties;

    public AdminController(KafkaPublisher publisher, ClusterStats stats, AdminStatsProperties properties) {
        this.publisher = publisher;
        this.stats = stats;
        this.properties = properties;
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

    /**
     * The mesh's live figures (docs/operations.md, "Admin stats"): sockets and frames per second
     * of every gateway instance, online users, rooms, outbox lag per service; plus this
     * instance's own {@code instanceId} and {@code connections}.
     */
    @GetMapping("/stats")
    public Mono<Map<String, Object>> stats() {
        return stats.snapshot();
    }

    /**
     * The same figure set as Server-Sent Events ({@code event: stats}), one every
     * {@code mesh.gateway.admin.stream-interval} (2 s), the first at once, until the client goes.
     * A browser reads it with {@code fetch} (it must send the bearer token, which
     * {@code EventSource} cannot).
     */
    @GetMapping(path = "/stats/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Flux<ServerSentEvent<Map<String, Object>>> statsStream() {
        return Flux.interval(Duration.ZERO, properties.streamInterval())
                .onBackpressureDrop()
                .concatMap(tick -> stats.snapshot(), 1)
                .map(figures -> ServerSentEvent.<Map<String, Object>>builder(figures).event("stats").build());
    }
}
