package dev.mesh.gateway.socket;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.presence.PresenceCommands;
import dev.mesh.contracts.wire.CloseCodes;
import dev.mesh.contracts.wire.ErrorCode;
import dev.mesh.contracts.wire.ServerFrame;
import dev.mesh.gateway.config.GatewayProperties;
import dev.mesh.gateway.presence.GatewayIdentity;
import dev.mesh.runtime.security.MeshUsers;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;

/**
 * The native protocol at {@code /ws} (ARCHITECTURE §4): authenticate (header on the upgrade,
 * or an {@code auth} frame within the timeout), {@code welcome}, heartbeat, token refresh and
 * expiry. Every client frame but {@code pong} and {@code auth} counts as activity for presence
 * ({@link SessionRegistry#active}); {@code presence:activity} is only that; the others go to the
 * {@link CommandForwarder}. Outbound frames come from the session's bounded queue. Bad input is answered, never fatal — except a frame over the
 * size limit (1009, by Netty) and binary frames (1003).
 */
@Component
public class SocketHandler implements WebSocketHandler {

    private static final Logger log = LoggerFactory.getLogger(SocketHandler.class);

    private final GatewayProperties properties;
    private final SessionRegistry registry;
    private final ReactiveJwtDecoder jwtDecoder;
    private final MeshUsers users;
    private final CommandForwarder forwarder;
    private final String instanceId;
    private final String bootId;
    private final MeterRegistry meters;

    public SocketHandler(GatewayProperties properties, SessionRegistry registry, ReactiveJwtDecoder jwtDecoder,
                         MeshUsers users, CommandForwarder forwarder, GatewayIdentity identity, MeterRegistry meters) {
        this.properties = properties;
        this.registry = registry;
        this.jwtDecoder = jwtDecoder;
        this.users = users;
        this.forwarder = forwarder;
        this.instanceId = identity.instanceId();
        this.bootId = identity.bootId();
        this.meters = meters;
    }

    @Override
    public Mono<Void> handle(WebSocketSession socket) {
        String address = addressOf(socket);
        Sinks.One<CloseStatus> closing = Sinks.one();
        ClientSession session = new ClientSession(UUID.randomUUID().toString(), address,
                properties.outboundQueueLimit().toBytes(),
                code -> closing.tryEmitValue(new CloseStatus(code, reasonOf(code))));
        if (!registry.admit(address, properties.maxConnectionsPerAddress())) {
            meters.counter("mesh.gateway.rejected", "reason", "address_limit").increment();
            return socket.close(new CloseStatus(CloseCodes.TRY_AGAIN_LATER, "Too many connections from your address"));
        }

        // Closing is requested from several threads (timers, deliveries, bad input); the socket closes
        // once, on its own event loop: Reactor Netty's close from another thread can free the close
        // frame before it is written, and the client then sees the connection drop without a code.
        Disposable closer = closing.asMono().publishOn(eventLoopOf()).flatMap(socket::close).subscribe();
        Disposable timers = timers(session).subscribe();

        String header = socket.getHandshakeInfo().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        Mono<Void> headerAuth = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authenticate(session, header.substring(7).trim())
                : Mono.empty();
        Mono<Void> input = headerAuth
                .thenMany(socket.receive().concatMap(message -> onMessage(session, message)))
                .onErrorResume(e -> {
                    log.debug("Socket {} input ended: {}", session.id(), e.toString());
                    return Mono.empty();
                })
                .then()
                .doFinally(signal -> {
                    // When we asked for the close, the outbound must stay open until the close frame
                    // is on the wire (completing it earlier lets Netty drop the connection without one);
                    // the socket's own close signal below ends it then.
                    if (!session.isClosed()) {
                        session.completeOutbound();
                    }
                });
        Disposable afterClose = socket.closeStatus().doFinally(signal -> session.completeOutbound()).subscribe();
        Mono<Void> output = socket.send(session.outbound().map(socket::textMessage))
                .onErrorResume(e -> Mono.empty());

        return Mono.zip(input, output).then()
                .doFinally(signal -> {
                    timers.dispose();
                    closer.dispose();
                    afterClose.dispose();
                    registry.unregister(session);
                    registry.release(address);
                });
    }

    private Mono<Void> onMessage(ClientSession session, WebSocketMessage message) {
        session.touched();
        if (message.getType() == WebSocketMessage.Type.BINARY) {
            session.close(CloseCodes.BINARY_NOT_ACCEPTED);
            return Mono.empty();
        }
        if (message.getType() != WebSocketMessage.Type.TEXT) {
            return Mono.empty(); // control frames: Netty answers pings itself
        }
        String text = message.getPayloadAsText();
        meters.counter("mesh.gateway.frames.in").increment();
        JsonNode frame;
        try {
            frame = MeshJson.mapper().readTree(text);
        } catch (JacksonException e) {
            session.send(error(null, ErrorCode.VALIDATION, "Frames must be JSON objects"));
            return Mono.empty();
        }
        if (!frame.isObject()) {
            session.send(error(null, ErrorCode.VALIDATION, "Frames must be JSON objects"));
            return Mono.empty();
        }
        String type = textOf(frame, "type");
        if ("auth".equals(type)) {
            String token = textOf(frame.path("data"), "token");
            if (token == null) {
                session.send(error(textOf(frame, "id"), ErrorCode.VALIDATION, "auth needs data.token"));
                return Mono.empty();
            }
            return authenticate(session, token);
        }
        if (!session.isAuthenticated()) {
            session.close(CloseCodes.AUTH_FAILED);
            return Mono.empty();
        }
        if ("pong".equals(type)) {
            return Mono.empty(); // the client library's automatic answer: not user activity
        }
        registry.active(session); // throttled into SessionActive by the presence listener
        if (PresenceCommands.ACTIVITY.equals(type)) {
            return Mono.empty(); // ephemeral, no id, no reply, never a command on Kafka
        }
        return forwarder.forward(session, frame, type);
    }

    /** First authentication sends {@code welcome}; a later one refreshes the token (same user only). */
    private Mono<Void> authenticate(ClientSession session, String token) {
        return jwtDecoder.decode(token)
                .doOnNext(jwt -> accept(session, jwt))
                .onErrorResume(e -> {
                    meters.counter("mesh.gateway.auth.failed").increment();
                    log.debug("Token refused: {}", e.getMessage());
                    session.close(CloseCodes.AUTH_FAILED);
                    return Mono.empty();
                })
                .then();
    }

    private void accept(ClientSession session, Jwt jwt) {
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
        session.send(MeshJson.write(ServerFrame.of(ServerFrame.WELCOME, data)));
    }

    /** Auth deadline, token expiry, heartbeat and idle timeout, checked once a second. */
    private Flux<Long> timers(ClientSession session) {
        long openedAt = System.currentTimeMillis();
        long[] lastPing = {openedAt};
        String ping = MeshJson.write(ServerFrame.of(ServerFrame.PING, null));
        return Flux.interval(Duration.ofSeconds(1)).doOnNext(tick -> {
            long now = System.currentTimeMillis();
            if (!session.isAuthenticated()) {
                if (now - openedAt > properties.authTimeout().toMillis()) {
                    session.close(CloseCodes.AUTH_FAILED);
                }
                return;
            }
            if (now >= session.tokenExpiresAt()) {
                session.close(CloseCodes.AUTH_FAILED);
            } else if (now - session.lastInboundAt() > properties.idleTimeout().toMillis()) {
                session.close(CloseCodes.NORMAL);
            } else if (now - lastPing[0] >= properties.heartbeatInterval().toMillis()) {
                lastPing[0] = now;
                session.send(ping);
            }
        });
    }

    /** The handler is called on the socket's event loop; this is that loop as a scheduler. */
    private static Scheduler eventLoopOf() {
        EventExecutor loop = ThreadExecutorMap.currentExecutor();
        return loop != null ? Schedulers.fromExecutor(loop) : Schedulers.immediate();
    }

    static String error(String ref, ErrorCode code, String message) {
        return MeshJson.write(ServerFrame.error(ref, code, message, null));
    }

    static String textOf(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isString() ? value.asString() : null;
    }

    private static String addressOf(WebSocketSession socket) {
        InetSocketAddress remote = socket.getHandshakeInfo().getRemoteAddress();
        return remote == null || remote.getAddress() == null ? "unknown" : remote.getAddress().getHostAddress();
    }

    private static String reasonOf(int code) {
        return switch (code) {
            case CloseCodes.AUTH_FAILED -> "Authentication failed or expired";
            case CloseCodes.FORBIDDEN -> "Forbidden";
            case CloseCodes.BINARY_NOT_ACCEPTED -> "Only text frames are accepted";
            case CloseCodes.TRY_AGAIN_LATER -> "Too slow or overloaded; reconnect later";
            case CloseCodes.SERVICE_RESTART -> "Server restarting; reconnect";
            case CloseCodes.NORMAL -> "Closing";
            default -> "";
        };
    }
}
