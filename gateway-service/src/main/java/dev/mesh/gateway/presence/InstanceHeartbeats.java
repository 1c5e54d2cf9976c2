package dev.mesh.gateway.presence;

import java.time.Clock;
import java.time.Duration;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.contracts.presence.InstanceHeartbeat;
import dev.mesh.gateway.admin.GatewayFigures;
import dev.mesh.gateway.config.GatewayProperties;
import dev.mesh.gateway.socket.KafkaReachability;
import dev.mesh.gateway.socket.SessionRegistry;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * This boot's sign of life for presence: an {@link InstanceHeartbeat} on {@code gateway.instances},
 * keyed by instance id, every {@code mesh.gateway.heartbeat-to-presence} (5 s), the first at once.
 * A boot silent for two intervals is dead to presence, which closes its sessions (ARCHITECTURE §5).
 * Every gateway reads them too, for the admins' cluster stats ({@link dev.mesh.gateway.admin.ClusterStats}).
 *
 * <p>Phase: starts before the web server (so presence knows the boot before its first session)
 * and stops after it — after {@link dev.mesh.gateway.socket.GatewayDrain} closed the sockets —
 * once the drain's {@code SessionClosed} events are sent (bounded wait). Sends are
 * fire-and-forget, one per tick: a slow send never delays the next heartbeat.
 *
 * <p>When a heartbeat goes through more than one and a half intervals after the last one that
 * did (Kafka was unreachable for a while), presence may have declared this boot dead — it does
 * after 10 s without a heartbeat — and closed the sessions of sockets that are still open here:
 * every open socket is then announced again ({@link ConnectionEvents#reannounce()}).
 */
@Component
public class InstanceHeartbeats implements SmartLifecycle {

    /** Before the reactive web server's start/stop phase ({@code Integer.MAX_VALUE - 2048}). */
    public static final int PHASE = Integer.MAX_VALUE - 4096;
    private static final Logger log = LoggerFactory.getLogger(InstanceHeartbeats.class);
    private static final Duration FLUSH_ON_STOP = Duration.ofSeconds(5);

    private final PresencePublisher publisher;
    private final GatewayIdentity identity;
    private final IntSupplier sessionCount;
    private final ConnectionEvents connectionEvents;
    private final Duration interval;
    private final Clock clock;
    private volatile Disposable ticker;
    /** Checked at every beat: the heartbeat is also the gateway's probe of Kafka. */
    private KafkaReachability reachability;
    /** Frames from and to clients since this boot started, carried for the admins' cluster stats. */
    private LongSupplier framesIn = () -> 0;
    private LongSupplier framesOut = () -> 0;
    /** When the last heartbeat that went through was made (0: none yet). */
    private volatile long lastBeatThrough;

    @Autowired
    public InstanceHeartbeats(PresencePublisher publisher, GatewayIdentity identity, SessionRegistry registry,
                              ConnectionEvents connectionEvents, GatewayProperties properties,
                              KafkaReachability reachability, GatewayFigures figures) {
        this(publisher, identity, registry::size, connectionEvents, properties.heartbeatToPresence(), Clock.systemUTC());
        this.reachability = reachability;
        this.framesIn = figures::framesIn;
        this.framesOut = figures::framesOut;
    }

    public InstanceHeartbeats(PresencePublisher publisher, GatewayIdentity identity, IntSupplier sessionCount,
                              ConnectionEvents connectionEvents, Duration interval, Clock clock) {
        this.publisher = publisher;
        this.identity = identity;
        this.sessionCount = sessionCount;
        this.connectionEvents = connectionEvents;
        this.interval = interval;
        this.clock = clock;
    }

    @Override
    public synchronized void start() {
        if (ticker != null) {
            return;
        }
        log.info("Gateway {} boot {}: heartbeat to presence every {} ms", identity.instanceId(), identity.bootId(),
                interval.toMillis());
        ticker = Flux.interval(Duration.ZERO, interval)
                .onBackpressureDrop()
                .subscribe(tick -> {
                    beat();
                    if (reachability != null) {
                        reachability.check();
                    }
                }, e -> log.error("Heartbeat ticker stopped", e));
    }

    private void beat() {
        InstanceHeartbeat heartbeat = new InstanceHeartbeat(identity.instanceId(), identity.bootId(),
                sessionCount.getAsInt(), clock.millis(), framesIn.getAsLong(), framesOut.getAsLong());
        publisher.sent(Topics.GATEWAY_INSTANCES, identity.instanceId(), "InstanceHeartbeat", MeshJson.write(heartbeat))
                .publishOn(Schedulers.boundedElastic()) // off the producer's thread: a re-announce walks every socket
                .subscribe(through -> {
                    if (through) {
                        wentThrough(heartbeat.at());
                    }
                });
    }

    /** A heartbeat made at {@code at} reached Kafka; after a silence presence may have taken for death, re-announce. */
    synchronized void wentThrough(long at) {
        long previous = lastBeatThrough;
        if (at <= previous) {
            return; // an older beat answered late
        }
        lastBeatThrough = at;
        if (previous > 0 && clock.millis() - previous > interval.toMillis() * 3 / 2 && connectionEvents != null) {
            connectionEvents.reannounce();
        }
    }

    @Override
    public void stop() {
        // The drain (and the web server) have closed the sockets by now; their SessionClosed
        // events should reach presence from a boot that is still alive to it.
        if (connectionEvents != null && !connectionEvents.awaitClosedAndSent(FLUSH_ON_STOP)) {
            log.warn("Stopping with sockets still open or connection events unsent after {} ms", FLUSH_ON_STOP.toMillis());
        }
        Disposable current;
        synchronized (this) {
            current = ticker;
            ticker = null;
        }
        if (current != null) {
            current.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        return ticker != null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
