package dev.mesh.gateway.socket;

import java.net.InetSocketAddress;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.adapter.ReactorNettyWebSocketSession;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.presence.PresenceCommands;
import dev.mesh.contracts.wire.CloseCodes;
import dev.mesh.contracts.wire.ErrorCode;
import dev.mesh.contracts.wire.ServerFrame;
import dev.mesh.gateway.config.GatewayProperties;
import dev.mesh.gateway.metrics.GatewayMeters;
import dev.mesh.gateway.presence.GatewayIdentity;
import dev.mesh.runtime.security.MeshUsers;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.channel.ChannelOperations;
import reactor.netty.http.server.HttpServerRequest;

/**
 * The life of a client socket, whatever its protocol (ARCHITECTURE §4): per-address limit,
 * authentication within the deadline (then {@code welcome}), token refresh and expiry,
 * heartbeat and idle timeout, frames turned into commands, outbound frames from the
 * session's bounded queue, and clean-up. Every client frame but {@code pong} and {@code auth}
 * counts as activity for presence ({@link SessionRegistry#active}); {@code presence:activity}
 * is only that; the others go to the {@link CommandForwarder}.
 */
@Component
public class SocketSessions implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SocketSessions.class);

    private final GatewayProperties properties;
    private final SessionRegistry registry;
    private final ReactiveJwtDecoder jwtDecoder;
    private final MeshUsers users;
    private final CommandForwarder forwarder;
    private final RateLimits rateLimits;
    private final String instanceId;
    private final String bootId;
    private final MeterRegistry meters;
    private final ClientChannels channels;
    private final KafkaReachability reachability;
    /** Every socket being served, authenticated or not, for the once-a-second {@link #tick}. */
    private final Set<ClientSession> open = ConcurrentHashMap.newKeySet();
    private final Disposable ticker;

    public SocketSessions(GatewayProperties properties, SessionRegistry registry, ReactiveJwtDecoder jwtDecoder,
                          MeshUsers users, CommandForwarder forwarder, RateLimits rateLimits, GatewayIdentity identity,
                          MeterRegistry meters, ClientChannels channels, KafkaReachability reachability) {
        this.reachability = reachability;
        this.properties = properties;
        this.registry = registry;
        this.jwtDecoder = jwtDecoder;
        this.users = users;
        this.forwarder = forwarder;
        this.rateLimits = rateLimits;
        this.instanceId = identity.instanceId();
        this.bootId = identity.bootId();
        this.meters = meters;
        this.channels = channels;
        this.ticker = Flux.interval(Duration.ofSeconds(1)).subscribe(tick -> tick());
    }

    /** Serves one upgraded socket with the given protocol until it closes. */
    public Mono<Void> serve(WebSocketSession socket, ClientProtocol protocol) {
        String address = addressOf(socket);
        ClientSession session = new ClientSession(UUID.randomUUID().toString(), address, protocol.format(),
                properties.outboundQueueLimit().toBytes(),
                code -> meters.counter("mesh.gateway.closes", "reason", GatewayMeters.closeReason(code)).increment());
        Channel channel = socket instanceof ReactorNettyWebSocketSession netty ? channels.find(netty.getChannelId()) : null;
        if (channel == null) {
            // Frames are written straight to the Netty channel; without one (another server) there is no way out.
            log.error("No Netty channel for socket {}: the gateway runs on Reactor Netty only", socket.getId());
            return socket.close(CloseStatus.SERVER_ERROR);
        }
        boundTransport(session, channel);
        if (!registry.admit(address, properties.maxConnectionsPerAddress())) {
            meters.counter("mesh.gateway.rejected", "reason", "address_limit").increment();
            return socket.close(new CloseStatus(CloseCodes.TRY_AGAIN_LATER, "Too many connections from your address"));
        }
        if (reachability.isCutOff()) {
            // Cut off from Kafka, this instance closed its sockets; a new one could carry no command and
            // its SessionOpened would be lost (presence would show the user offline while connected).
            meters.counter("mesh.gateway.rejected", "reason", "kafka_unreachable").increment();
            return socket.close(new CloseStatus(CloseCodes.TRY_AGAIN_LATER, "Kafka is unreachable; try again later"));
        }

        open.add(session);

        // Deferred: the assembled input chain is held until the socket ends (by the zip below), and
        // an authentication assembled in it would hold the decoded token all that time.
        Mono<Void> input = Mono.defer(() -> protocol.opened(session, socket))
                .thenMany(socket.receive().concatMap(message -> {
                    if (session.isClosed()) {
                        // Closed by the gateway (a flood, a slow consumer, auth): what the client had
                        // already sent is read until the close completes, and not acted on.
                        return Mono.empty();
                    }
                    session.touched();
                    return protocol.received(session, message);
                }))
                .onErrorResume(e -> {
                    log.debug("Socket {} input ended: {}", session.id(), e.toString());
                    return Mono.empty();
                })
                .then()
                .doFinally(signal -> {
                    // When we asked for the close, the outbound stays open until the connection is closed
                    // (after the close handshake, ChannelOutlet.close): completing it earlier would have
                    // Reactor Netty close the connection at once, with the client's frames unread.
                    if (!session.isClosed()) {
                        session.completeOutbound();
                    }
                });
        // Done once the connection is closed: after the close handshake, or when the client went away.
        Mono<Void> output = session.outboundDone();

        return Mono.zip(input, output).then()
                .doFinally(signal -> {
                    open.remove(session);
                    registry.unregister(session);
                    registry.release(address);
                });
    }

    /**
     * Drops a header of the socket's upgrade request once it was read: the request is held as long
     * as the socket (Reactor Netty keeps it, Spring's handshake info reads through to it), and a
     * bearer token is half a kilobyte of it per connection — and a credential not worth keeping.
     */
    public void forgetRequestHeader(WebSocketSession socket, String name) {
        Channel channel = socket instanceof ReactorNettyWebSocketSession netty ? channels.find(netty.getChannelId()) : null;
        if (channel != null && ChannelOperations.get(channel) instanceof HttpServerRequest request) {
            request.requestHeaders().remove(name);
        }
    }

    /**
     * Bounds what the kernel holds for this socket (its send buffer) and writes the session's
     * frames to its channel, counting what Netty holds (written, not yet accepted by the kernel)
     * against the session's outbound limit: without both, a client that stops reading is absorbed
     * by megabytes of autotuned kernel buffer on loopback or a fast network, and its queue only
     * grows once those are full.
     */
    private void boundTransport(ClientSession session, Channel channel) {
        int sendBuffer = (int) Math.min(Integer.MAX_VALUE, properties.socketSendBuffer().toBytes());
        if (sendBuffer > 0) {
            channel.config().setOption(ChannelOption.SO_SNDBUF, sendBuffer);
        }
        session.attachOutlet(new ChannelOutlet(channel, properties.closeTimeout()));
        channel.closeFuture().addListener(closed -> session.completeOutbound());
    }

    /**
     * A parsed client frame ({@code {type, id?, data?}}): authentication, heartbeat answers and
     * activity are handled here, commands go to Kafka.
     */
    public Mono<Void> dispatch(ClientSession session, JsonNode frame, ClientProtocol protocol) {
        String type = textOf(frame, "type");
        meters.counter("mesh.gateway.frames.in", "type", GatewayMeters.frameType(type)).increment();
        if ("auth".equals(type)) {
            String token = textOf(frame.path("data"), "token");
            if (token == null) {
                session.sendFrame(ServerFrame.error(textOf(frame, "id"), ErrorCode.VALIDATION, "auth needs data.token", null));
                return Mono.empty();
            }
            return authenticate(session, token, protocol);
        }
        if (!session.isAuthenticated()) {
            protocol.refused(session);
            return Mono.empty();
        }
        if ("pong".equals(type)) {
            return Mono.empty(); // the client library's automatic answer: not user activity
        }
        RateLimits.Verdict verdict = rateLimits.admit(session, type);
        if (verdict.flood()) {
            session.close(CloseCodes.POLICY);
            return Mono.empty();
        }
        String id = textOf(frame, "id");
        if (!verdict.allowed()) {
            // Ephemeral frames over the rate are dropped: the next one supersedes them anyway.
            if (id != null) {
                ObjectNode wait = MeshJson.object().put("retryAfterMs", verdict.retryAfterMs());
                session.sendFrame(ServerFrame.error(id, ErrorCode.RATE_LIMITED,
                        "Too many frames: retry with the same id in " + verdict.retryAfterMs() + " ms", wait));
            }
            return Mono.empty();
        }
        registry.active(session); // throttled into SessionActive by the presence listener
        if (PresenceCommands.ACTIVITY.equals(type)) {
            return Mono.empty(); // ephemeral, no id, no reply, never a command on Kafka
        }
        return forwarder.forward(session, frame, type);
    }

    /**
     * First authentication greets the session; a later one refreshes the token (same user only).
     * Detached once done: the input's concatMap keeps its last inner subscription until the next
     * frame, and the decoder's operators would hold the parsed token that long — for an idle
     * socket, its whole life.
     */
    public Mono<Void> authenticate(ClientSession session, String token, ClientProtocol protocol) {
        return jwtDecoder.decode(token)
                .doOnNext(jwt -> accept(session, jwt, protocol))
                .onErrorResume(e -> {
                    meters.counter("mesh.gateway.auth.failed").increment();
                    log.debug("Token refused: {}", e.getMessage());
                    protocol.refused(session);
                    return Mono.empty();
                })
                .then()
                .onTerminateDetach();
    }

    private void accept(ClientSession session, Jwt jwt, ClientProtocol protocol) {
        UserRef user = users.userOf(jwt);
        long expiresAt = jwt.getExpiresAt() == null ? Long.MAX_VALUE : jwt.getExpiresAt().toEpochMilli();
        if (session.isAuthenticated()) {
            if (!session.user().id().equals(user.id())) {
                session.close(CloseCodes.FORBIDDEN);
                return;
            }
            session.authenticate(user, expiresAt);
            return;
        }
        session.authenticate(user, expiresAt);
        registry.register(session);
        ObjectNode data = MeshJson.object()
                .put("sessionId", session.id())
                .put("userId", user.id())
                .put("name", user.name())
                .put("instanceId", instanceId)
                .put("bootId", bootId)
                .put("serverTime", System.currentTimeMillis())
                .put("heartbeatMs", properties.heartbeatInterval().toMillis())
                .put("idleTimeoutMs", properties.idleTimeout().toMillis())
                .put("maxFrameBytes", properties.maxFrameSize().toBytes())
                .put("tokenExpiresAt", expiresAt);
        data.putArray("roles").addAll(user.roles().stream().map(r -> (JsonNode) MeshJson.tree(r)).toList());
        protocol.welcome(session, data);
    }

    /**
     * Auth deadline, token expiry, a stalled outbound queue, heartbeat and idle timeout: every open
     * socket checked once a second by one ticker, not a timer per socket (19,500 sockets would be
     * 19,500 scheduled tasks a second and their objects held for each).
     */
    private void tick() {
        long now = System.currentTimeMillis();
        for (ClientSession session : open) {
            try {
                check(session, now);
            } catch (RuntimeException e) {
                log.warn("Timer check of socket {} failed", session.id(), e);
            }
        }
    }

    private void check(ClientSession session, long now) {
        if (!session.isAuthenticated()) {
            if (now - session.openedAt() > properties.authTimeout().toMillis()) {
                session.close(CloseCodes.AUTH_FAILED);
            }
            return;
        }
        if (now >= session.tokenExpiresAt()) {
            session.close(CloseCodes.AUTH_FAILED);
        } else if (session.stalledFor(now) > properties.outboundStallTimeout().toMillis()) {
            session.close(CloseCodes.TRY_AGAIN_LATER); // frames wait and the client takes none: a slow consumer
        } else if (now - session.lastInboundAt() > properties.idleTimeout().toMillis()) {
            session.close(CloseCodes.NORMAL);
        } else if (now - session.lastPingAt() >= properties.heartbeatInterval().toMillis()) {
            session.pinged(now);
            session.send(session.format().ping());
        }
    }

    @Override
    public void destroy() {
        ticker.dispose();
    }

    public GatewayProperties properties() {
        return properties;
    }

    /**
     * A text frame's payload decoded strictly: null when it is not valid UTF-8, for the caller to
     * close the socket with 1007 (ARCHITECTURE §4) instead of reading replacement characters.
     */
    public static String strictText(WebSocketMessage message) {
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(message.getPayload().readableByteCount());
        message.getPayload().toByteBuffer(message.getPayload().readPosition(), bytes, 0, bytes.capacity());
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes)
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * Why the text in a frame's data cannot be stored as sent, or null: U+0000 (PostgreSQL text
     * cannot hold it) or a lone UTF-16 surrogate (it would be stored as '?'). Names count too.
     */
    public static String invalidText(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isString()) {
            return invalidText(node.asString());
        }
        if (node.isObject()) {
            for (java.util.Map.Entry<String, JsonNode> field : node.properties()) {
                String invalid = invalidText(field.getKey());
                if (invalid == null) {
                    invalid = invalidText(field.getValue());
                }
                if (invalid != null) {
                    return invalid;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                String invalid = invalidText(element);
                if (invalid != null) {
                    return invalid;
                }
            }
        }
        return null;
    }

    static String invalidText(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                return "Text must not contain NUL (U+0000) characters";
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "Text must be valid Unicode: a lone surrogate (\\u" + Integer.toHexString(c) + ") is not a character";
            }
        }
        return null;
    }

    public static String textOf(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isString() ? value.asString() : null;
    }

    private static String addressOf(WebSocketSession socket) {
        InetSocketAddress remote = socket.getHandshakeInfo().getRemoteAddress();
        return remote == null || remote.getAddress() == null ? "unknown" : remote.getAddress().getHostAddress();
    }
}
