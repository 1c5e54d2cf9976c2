package dev.mesh.gateway.socket;

import java.util.concurrent.ThreadLocalRandom;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import tools.jackson.databind.node.ObjectNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.wire.CloseCodes;
import dev.mesh.contracts.wire.ServerFrame;
import dev.mesh.gateway.config.GatewayProperties;

/**
 * On shutdown, tells every client to reconnect after a jittered pause (so they do not all
 * land on the next instance at once) and closes with 1012 (ARCHITECTURE §4, drain).
 */
@Component
public class GatewayDrain implements SmartLifecycle {

    private final SessionRegistry registry;
    private final GatewayProperties properties;
    private volatile boolean running;

    public GatewayDrain(SessionRegistry registry, GatewayProperties properties) {
        this.registry = registry;
        this.properties = properties;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        long bound = Math.max(1, properties.drainReconnectAfter().toMillis());
        for (ClientSession session : registry.all()) {
            ObjectNode data = MeshJson.object().put("afterMs", ThreadLocalRandom.current().nextLong(bound));
            session.sendFrame(ServerFrame.of(ServerFrame.RECONNECT, data));
            session.close(CloseCodes.SERVICE_RESTART);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // Stopped before the web server's graceful shutdown, which would otherwise wait on open sockets.
        return Integer.MAX_VALUE;
    }
}
