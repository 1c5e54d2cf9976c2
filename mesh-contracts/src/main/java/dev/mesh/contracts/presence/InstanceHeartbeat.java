package dev.mesh.contracts.presence;

/**
 * A gateway process's sign of life on {@code gateway.instances} (keyed by instance id), every
 * 5 s. A boot whose heartbeats stop for 10 s is dead: its sessions are closed by presence.
 */
public record InstanceHeartbeat(String instanceId, String bootId, int sessionCount, long at) {

    /** How often gateways send it. */
    public static final long INTERVAL_MS = 5_000;
    /** Silence after which a boot is dead (two missed heartbeats). */
    public static final long DEAD_AFTER_MS = 10_000;
}
