package dev.mesh.runtime;

import java.time.Duration;
import java.util.UUID;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration every mesh app shares, bound from {@code mesh.*} (environment variables
 * {@code MESH_*}).
 *
 * @param service    the owning service's domain name ({@code chat}, {@code quiz}, …); empty for the gateway
 * @param instanceId this process's id in the mesh; defaults to a random one per start
 */
@ConfigurationProperties("mesh")
public record MeshProperties(
        @DefaultValue("") String service,
        String instanceId,
        @DefaultValue Security security,
        @DefaultValue Kafka kafka,
        @DefaultValue Commands commands,
        @DefaultValue Outbox outbox,
        @DefaultValue Database database) {

    public MeshProperties {
        if (instanceId == null || instanceId.isBlank()) {
            instanceId = (service.isBlank() ? "gateway" : service) + "-" + UUID.randomUUID().toString().substring(0, 8);
        }
    }

    /**
     * Token verification. There is no default issuer on purpose: an app without one does not start.
     *
     * @param issuer     expected {@code iss}; required
     * @param jwkSetUri  where the issuer's public keys are; defaults to {@code <issuer>/.well-known/jwks.json}
     * @param audience   expected {@code aud}
     * @param rolesClaim claim holding the user's roles (student, instructor, admin)
     * @param nameClaim  claim holding the display name
     */
    public record Security(String issuer, String jwkSetUri, @DefaultValue("mesh") String audience,
                           @DefaultValue("roles") String rolesClaim, @DefaultValue("name") String nameClaim) {

        public String effectiveJwkSetUri() {
            if (jwkSetUri != null && !jwkSetUri.isBlank()) {
                return jwkSetUri;
            }
            String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
            return base + "/.well-known/jwks.json";
        }
    }

    /**
     * @param ioThreads event-loop threads for the PostgreSQL driver's connections (0: one per
     *                  available processor, at least 2); see {@code DatabaseEventLoops}
     */
    public record Database(@DefaultValue("0") int ioThreads) {
    }

    /**
     * @param createTopics      create the mesh's topics at start-up (off where Strimzi owns them)
     * @param partitions        partitions per topic when created here (production: 12)
     * @param replicationFactor replication when created here (production: 3)
     */
    public record Kafka(@DefaultValue("true") boolean createTopics, @DefaultValue("3") int partitions,
                        @DefaultValue("1") short replicationFactor) {
    }

    /**
     * @param maxAge       commands older than this (by the gateway's receivedAt) are answered UNAVAILABLE unapplied
     * @param applyTimeout a command not applied within this is answered UNAVAILABLE (the client retries, same id);
     *                     a batch gets this much in all
     * @param batchSize    commands of one partition applied together in one transaction (1: each alone)
     */
    public record Commands(@DefaultValue("30s") Duration maxAge, @DefaultValue("2s") Duration applyTimeout,
                           @DefaultValue("32") int batchSize) {

        public Commands {
            if (batchSize < 1) {
                throw new IllegalArgumentException("mesh.commands.batch-size must be at least 1");
            }
        }
    }

    /**
     * @param pollInterval how often the relay looks for rows when no NOTIFY arrived
     * @param batchSize    rows published per round trip
     * @param retention    published rows are deleted after this
     */
    public record Outbox(@DefaultValue("500ms") Duration pollInterval, @DefaultValue("200") int batchSize,
                         @DefaultValue("1h") Duration retention) {
    }
}
