package dev.mesh.contracts.presence;

/**
 * A gateway process's sign of life on {@code gateway.instances} (keyed by instance id), every
 * 5 s. A boot whose heartbeats stop for 10 s is dead: its sessions are closed by presence.
 * It also carries the instance's live figures for the admins' cluster stats, which every
 * gateway reads: {@code sessionCount} (authenticated sockets) and the frames received from and
 * sent to clients since the boot started ({@code framesIn}, {@code framesOut}; a rate is the
 * difference of two heartbeats of one boot). Readers ignore fields they do not know.
 */
public record InstanceHeartbeat(String instanceId, String bootId, int sessionCount, long at, long framesIn,
                                long framesOut) {

    /** How often gateways send it. */
    public static final long INTERVAL_MS = 5_000;
    /** Silence after which a boot is dead (two missed heartbeats). */
    public static final long DEAD_AFTER_MS = 10_000;

    /** A heartbeat without frame counts. */
    public InstanceHeartbeat(String instanceId, String bootId, int sessionCount, long at) {
        this(instanceId, bootId, sessionCount, at, 0, 0);
    }
}
