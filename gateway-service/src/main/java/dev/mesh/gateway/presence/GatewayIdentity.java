package dev.mesh.gateway.presence;

import java.util.UUID;

import dev.mesh.runtime.MeshProperties;

/**
 * Who this gateway process is in the mesh: its {@code instanceId} (stable across restarts when
 * configured) and a {@code bootId} new at every process start, so presence tells the sessions
 * of a crashed boot from those of its restart under the same instance id (ARCHITECTURE §5).
 * Both go into every {@code gateway.connections} and {@code gateway.instances} record and the
 * {@code welcome} frame.
 */
public record GatewayIdentity(String instanceId, String bootId) {

    /** This process's identity: the configured (or random) instance id and a fresh boot id. */
    public static GatewayIdentity of(MeshProperties mesh) {
        return new GatewayIdentity(mesh.instanceId(), UUID.randomUUID().toString());
    }
}
