package dev.mesh.gateway.config;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The gateway's WebSocket settings (ARCHITECTURE §4), bound from {@code mesh.gateway.*}.
 *
 * @param allowedOrigins            browser origins allowed to open {@code /ws}; a request without Origin is allowed
 * @param authTimeout               a socket not authenticated within this is closed with 4001
 * @param heartbeatInterval         the server sends {@code ping} this often
 * @param idleTimeout               a socket silent for this long is closed
 * @param maxFrameSize              larger frames close the socket with 1009
 * @param outboundQueueLimit        a socket whose unsent frames exceed this is closed with 1013 (slow consumer): the frames
 *                                  queued for it and those its channel holds, not yet accepted by the kernel
 * @param maxConnectionsPerAddress  concurrent sockets per client address (a school behind one NAT must fit)
 * @param drainReconnectAfter       upper bound of the jittered {@code reconnect.afterMs} sent on shutdown
 * @param kafkaCutOff               without a record reaching Kafka for this long, sockets are closed with 1012
 * @param activityThrottle          at most one {@code SessionActive} per socket this often on {@code gateway.connections}
 *                                  (any client frame but {@code pong} and {@code auth}, including {@code presence:activity})
 * @param heartbeatToPresence       how often {@code InstanceHeartbeat} goes to {@code gateway.instances}; presence
 *                                  declares a boot dead after two missed ones (default 5s = {@code InstanceHeartbeat.INTERVAL_MS})
 * @param socketSendBuffer          the kernel send buffer (SO_SNDBUF) of each WebSocket; bounded so a client that stops
 *                                  reading backs up into the outbound queue, where it is seen, instead of into megabytes
 *                                  of autotuned kernel buffer (Linux doubles the value); 0 leaves the system's autotuning
 * @param outboundStallTimeout      a socket that takes no frame for this long while frames wait for it is closed with
 *                                  1013 (slow consumer), however few bytes wait
 * @param closeTimeout              after the gateway's close frame, how long the client has to answer with its own
 *                                  (RFC 6455 closing handshake) before the connection is dropped; what it sends meanwhile
 *                                  is read and not acted on
 */
@ConfigurationProperties("mesh.gateway")
public record GatewayProperties(
        @DefaultValue({"http://localhost:8000", "http://localhost:8080", "http://localhost:8081"}) List<String> allowedOrigins,
        @DefaultValue("5s") Duration authTimeout,
        @DefaultValue("25s") Duration heartbeatInterval,
        @DefaultValue("60s") Duration idleTimeout,
        @DefaultValue("64KB") DataSize maxFrameSize,
        @DefaultValue("1MB") DataSize outboundQueueLimit,
        @DefaultValue("200") int maxConnectionsPerAddress,
        @DefaultValue("20s") Duration drainReconnectAfter,
        @DefaultValue("30s") Duration activityThrottle,
        @DefaultValue("5s") Duration heartbeatToPresence,
        @DefaultValue("10s") Duration kafkaCutOff,
        @DefaultValue RateLimits rateLimits,
        @DefaultValue("128KB") DataSize socketSendBuffer,
        @DefaultValue("30s") Duration outboundStallTimeout,
        @DefaultValue("5s") Duration closeTimeout) {

    /**
     * Token buckets at the gateway (per instance, so a user's limit is approximate across
     * instances; exact domain limits such as slow mode live in the services).
     *
     * @param connectionBurst   frames a connection may send at once
     * @param connectionPerSecond frames per second a connection may sustain
     * @param userMessageBurst  {@code chat:message} commands a user may send at once
     * @param userMessagesPerMinute {@code chat:message} commands per minute per user
     * @param floodFactor       a connection sending more than this many times its per-minute budget within a minute is closed with 1008
     */
    public record RateLimits(@DefaultValue("40") int connectionBurst, @DefaultValue("10") int connectionPerSecond,
                             @DefaultValue("20") int userMessageBurst, @DefaultValue("60") int userMessagesPerMinute,
                             @DefaultValue("2") int floodFactor) {
    }
}
