package dev.mesh.gateway.presence;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.contracts.presence.ConnectionEvent;
import dev.mesh.gateway.config.GatewayProperties;
import dev.mesh.gateway.socket.ClientSession;
import dev.mesh.gateway.socket.SessionRegistry;
import reactor.core.publisher.Mono;

/**
 * Reports each authenticated socket's life on {@code gateway.connections}, keyed by user id
 * (ARCHITECTURE §3): {@code SessionOpened} after {@code welcome}, {@code SessionActive} at most
 * once per {@code mesh.gateway.activity-throttle} per socket, {@code SessionClosed} when the
 * socket ends for any reason on this live process (client close, our close, drain).
 *
 * <p>Order: each socket has a lane that sends its events one after the other, the next only
 * once Kafka has answered for the previous, so OPENED → ACTIVE… → CLOSED reach the partition
 * in that order although {@link dev.mesh.runtime.kafka.KafkaPublisher} sends from a pool.
 * Nothing here blocks: callers (event loops) only enqueue.
 *
 * <p>Kafka outages: OPENED is sent again after a failure while its socket lives, CLOSED after
 * a failure for a bounded time ({@link PresencePublisher#sendReliably}); ACTIVE is sent once.
 * When this gateway's heartbeats could not reach Kafka for a while, presence may have taken the
 * boot for dead and closed its sessions, though the sockets are open: {@link #reannounce()} then
 * sends OPENED again for every open socket (presence ignores one it knows).
 */
@Component
public class ConnectionEvents implements SessionRegistry.Listener {

    private static final Logger log = LoggerFactory.getLogger(ConnectionEvents.class);

    private final PresencePublisher publisher;
    private final GatewayIdentity identity;
    private final long throttleMs;
    private final Clock clock;
    /** Lanes of open sessions by session id; a closed session's lane lives on until its queue is sent. */
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    /** Events enqueued and not yet answered by Kafka, over all lanes. */
    private final AtomicInteger pending = new AtomicInteger();

    @Autowired
    public ConnectionEvents(PresencePublisher publisher, GatewayIdentity identity, GatewayProperties properties) {
        this(publisher, identity, properties.activityThrottle(), Clock.systemUTC());
    }

    public ConnectionEvents(PresencePublisher publisher, GatewayIdentity identity, Duration activityThrottle, Clock clock) {
        this.publisher = publisher;
        this.identity = identity;
        this.throttleMs = activityThrottle.toMillis();
        this.clock = clock;
    }

    @Override
    public void opened(ClientSession session) {
        Lane lane = new Lane(session);
        if (lanes.putIfAbsent(session.id(), lane) != null) {
            return; // already reported
        }
        submit(lane, session, ConnectionEvent.OPENED, clock.millis());
    }

    /**
     * Sends OPENED again for every open socket (at most one queued per socket), timed now: after
     * Kafka was unreachable long enough for presence to declare this boot dead and close its
     * sessions. Presence ignores the OPENED of a session it still has; one it had closed is
     * opened again (and the boot is alive again). Returns how many were queued.
     */
    public int reannounce() {
        int queued = 0;
        for (Lane lane : lanes.values()) {
            if (lane.claimReannounce()) {
                queued++;
                ClientSession session = lane.session;
                ConnectionEvent event = new ConnectionEvent(ConnectionEvent.OPENED, session.id(), session.user().id(),
                        session.user().name(), identity.instanceId(), identity.bootId(), clock.millis());
                String json = MeshJson.write(event);
                pending.incrementAndGet();
                if (!lane.submitUnlessClosed(() -> {
                    lane.reannounceStarted();
                    return publisher.sendReliably(Topics.GATEWAY_CONNECTIONS, event.userId(), ConnectionEvent.OPENED, json,
                                    () -> !lane.isClosed())
                            .doFinally(signal -> pending.decrementAndGet());
                })) {
                    pending.decrementAndGet();
                    lane.reannounceStarted();
                    queued--;
                }
            }
        }
        if (queued > 0) {
            log.info("Presence may have lost this boot's sessions while Kafka was unreachable: announced {} open sockets again", queued);
        }
        return queued;
    }

    @Override
    public void active(ClientSession session) {
        Lane lane = lanes.get(session.id());
        if (lane == null) {
            return; // not opened, or already closed
        }
        long now = clock.millis();
        if (lane.claimActivity(now, throttleMs)) {
            submit(lane, session, ConnectionEvent.ACTIVE, now);
        }
    }

    @Override
    public void closed(ClientSession session) {
        Lane lane = lanes.remove(session.id());
        if (lane != null) {
            lane.close();
            submit(lane, session, ConnectionEvent.CLOSED, clock.millis());
        }
    }

    /**
     * <b>Test seam: crash simulation.</b> Stops ALL further presence publishing of this gateway
     * process, {@code gateway.connections} and {@code gateway.instances} alike, as a dead process
     * would send nothing; returns once records already handed to Kafka are answered. Usage in
     * a same-JVM crash test: {@code gatewayContext.getBean(ConnectionEvents.class).silence();
     * gatewayContext.close();} — presence then sees neither {@code SessionClosed} nor another
     * heartbeat from this boot and must time it out. Irreversible; never called in production.
     */
    public void silence() {
        publisher.silence();
    }

    /**
     * Waits (bounded) until every reported socket is closed and every event has been answered
     * by Kafka (or dropped when silenced); true if so. For shutdown, after the drain.
     */
    public boolean awaitClosedAndSent(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pending.get() > 0 || !lanes.isEmpty()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Sockets with a lane (opened and not yet closed). */
    int openSessions() {
        return lanes.size();
    }

    private void submit(Lane lane, ClientSession session, String type, long at) {
        ConnectionEvent event = new ConnectionEvent(type, session.id(), session.user().id(), session.user().name(),
                identity.instanceId(), identity.bootId(), at);
        String json = MeshJson.write(event);
        String key = event.userId();
        pending.incrementAndGet();
        lane.submit(() -> (switch (type) {
            // Nothing else corrects a lost OPENED (while the socket lives) or a lost CLOSED: sent until it arrives (bounded).
            case ConnectionEvent.OPENED -> publisher.sendReliably(Topics.GATEWAY_CONNECTIONS, key, type, json, () -> !lane.isClosed());
            case ConnectionEvent.CLOSED -> publisher.sendReliably(Topics.GATEWAY_CONNECTIONS, key, type, json, () -> true);
            default -> publisher.send(Topics.GATEWAY_CONNECTIONS, key, type, json);
        }).doFinally(signal -> pending.decrementAndGet()));
    }

    /**
     * One socket's ordered path to Kafka: a small queue drained one send at a time (no chain
     * of Monos that would grow with the session's age), and the socket's activity throttle.
     */
    static final class Lane {

        private final ArrayDeque<Supplier<Mono<Void>>> queue = new ArrayDeque<>(2);
        final ClientSession session;
        private boolean busy;
        private long lastActiveAt;
        private boolean everActive;
        /** The socket has closed: its CLOSED is queued, nothing more is. */
        private volatile boolean closed;
        /** A re-announced OPENED is queued and not yet started (at most one). */
        private boolean reannounceQueued;

        Lane(ClientSession session) {
            this.session = session;
        }

        boolean isClosed() {
            return closed;
        }

        synchronized void close() {
            closed = true;
        }

        synchronized boolean claimReannounce() {
            if (closed || reannounceQueued) {
                return false;
            }
            reannounceQueued = true;
            return true;
        }

        synchronized void reannounceStarted() {
            reannounceQueued = false;
        }

        /** Queues a send unless the socket has closed (so nothing follows its CLOSED); false if not queued. */
        boolean submitUnlessClosed(Supplier<Mono<Void>> send) {
            synchronized (this) {
                if (closed) {
                    return false;
                }
                if (busy) {
                    queue.add(send);
                    return true;
                }
                busy = true;
            }
            run(send);
            return true;
        }

        /** Whether an ACTIVE may be sent at {@code now}; if so, the throttle window starts at {@code now}. */
        synchronized boolean claimActivity(long now, long throttleMs) {
            if (everActive && now - lastActiveAt < throttleMs) {
                return false;
            }
            everActive = true;
            lastActiveAt = now;
            return true;
        }

        void submit(Supplier<Mono<Void>> send) {
            synchronized (this) {
                if (busy) {
                    queue.add(send);
                    return;
                }
                busy = true;
            }
            run(send);
        }

        private void run(Supplier<Mono<Void>> send) {
            Mono<Void> sending;
            try {
                sending = send.get();
            } catch (RuntimeException e) {
                log.warn("Could not prepare a connection event: {}", e.toString());
                sending = Mono.empty();
            }
            sending.onErrorComplete().doFinally(signal -> next()).subscribe();
        }

        private void next() {
            Supplier<Mono<Void>> send;
            synchronized (this) {
                send = queue.poll();
                if (send == null) {
                    busy = false;
                    return;
                }
            }
            run(send);
        }
    }
}
