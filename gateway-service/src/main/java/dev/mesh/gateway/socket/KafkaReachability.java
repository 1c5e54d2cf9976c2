package dev.mesh.gateway.socket;

import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

import tools.jackson.databind.node.ObjectNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.wire.CloseCodes;
import dev.mesh.contracts.wire.ServerFrame;
import dev.mesh.gateway.config.GatewayProperties;

/**
 * A gateway that cannot produce to Kafka for {@code mesh.gateway.kafka-cut-off} (10 s) cannot
 * carry any command: it tells its clients to reconnect, closes their sockets with 1012 so they
 * move to a healthy instance, refuses new sockets (1013, in SocketSessions) and reports itself
 * not ready until a send succeeds again
 * (ARCHITECTURE §3). The 10 s match the silence after which presence declares a gateway dead.
 * Successful sends (heartbeats every 5 s, commands) report in; the heartbeat ticker checks.
 */
@Component("kafkaReachability")
public class KafkaReachability implements HealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(KafkaReachability.class);

    /** Looked up when needed: the registry's listeners publish through this probe (a construction cycle otherwise). */
    private final Supplier<SessionRegistry> registry;
    private final long cutOffMs;
    private final long reconnectSpreadMs;
    private final Clock clock;
    private volatile long lastSentAt;
    private volatile boolean cutOff;

    @Autowired
    public KafkaReachability(ObjectProvider<SessionRegistry> registry, GatewayProperties properties) {
        this(registry::getObject, properties, Clock.systemUTC());
    }

    public KafkaReachability(Supplier<SessionRegistry> registry, GatewayProperties properties, Clock clock) {
        this.registry = registry;
        this.cutOffMs = properties.kafkaCutOff().toMillis();
        this.reconnectSpreadMs = Math.max(1, properties.drainReconnectAfter().toMillis());
        this.clock = clock;
        this.lastSentAt = clock.millis();
    }

    /** A record reached Kafka. */
    public void sent() {
        lastSentAt = clock.millis();
        if (cutOff) {
            cutOff = false;
            log.info("Kafka is reachable again; accepting clients");
        }
    }

    /** Called periodically: closes every socket once when Kafka has been unreachable too long. */
    public void check() {
        if (cutOff || clock.millis() - lastSentAt <= cutOffMs) {
            return;
        }
        cutOff = true;
        SessionRegistry sessions = registry.get();
        log.error("No record reached Kafka for {} ms: closing {} sockets with 1012", cutOffMs, sessions.size());
        for (ClientSession session : sessions.all()) {
            ObjectNode data = MeshJson.object().put("afterMs", ThreadLocalRandom.current().nextLong(reconnectSpreadMs));
            session.sendFrame(ServerFrame.of(ServerFrame.RECONNECT, data));
            session.close(CloseCodes.SERVICE_RESTART);
        }
    }

    public boolean isCutOff() {
        return cutOff;
    }

    @Override
    public Health health() {
        return cutOff ? Health.down().withDetail("reason", "Kafka unreachable").build() : Health.up().build();
    }
}
