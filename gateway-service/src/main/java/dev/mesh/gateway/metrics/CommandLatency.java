package dev.mesh.gateway.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.springframework.stereotype.Component;

import dev.mesh.gateway.socket.ClientSession;
import dev.mesh.gateway.socket.SessionRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The latency a client sees for a command: from the moment this gateway forwards the frame to
 * Kafka until its reply ({@code ack} or {@code error}) is handed to the session, as the timer
 * {@code mesh.gateway.command.latency{type, outcome}} (a Prometheus histogram with the fixed
 * {@link #BUCKETS}). Commands in flight are remembered per (session, command id), bounded:
 * beyond {@link #MAX_PENDING} or after {@link #FORGET_AFTER_MS} they are forgotten (the reply
 * never came: the socket or the service died).
 */
@Component
public class CommandLatency implements SessionRegistry.Listener {

    static final int MAX_PENDING = 50_000;
    /**
     * Histogram buckets of the gateway's latency timers: few and fixed, since every bucket is a
     * series per command type and outcome on every gateway.
     */
    public static final Duration[] BUCKETS = Stream.of(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
            .map(Duration::ofMillis).toArray(Duration[]::new);
    static final long FORGET_AFTER_MS = 60_000;

    private record Pending(String type, long startedNanos) {
    }

    private final MeterRegistry meters;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    public CommandLatency(MeterRegistry meters) {
        this.meters = meters;
        meters.gaugeMapSize("mesh.gateway.commands.pending", java.util.List.of(), pending);
    }

    /** A command with an id is on its way to its service. */
    public void forwarded(String sessionId, String commandId, String type) {
        if (pending.size() >= MAX_PENDING) {
            forgetOld();
            if (pending.size() >= MAX_PENDING) {
                return;
            }
        }
        pending.put(key(sessionId, commandId), new Pending(type, System.nanoTime()));
    }

    /** Its reply reached the session; {@code ok} false for an error reply. */
    public void replied(String sessionId, String commandId, boolean ok) {
        if (commandId == null) {
            return;
        }
        Pending started = pending.remove(key(sessionId, commandId));
        if (started == null) {
            return; // answered at the gateway, a replay after a reconnect, or forgotten
        }
        Timer.builder("mesh.gateway.command.latency")
                .description("From forwarding a client command to delivering its reply to the session")
                .tag("type", started.type())
                .tag("outcome", ok ? "ack" : "error")
                .serviceLevelObjectives(BUCKETS)
                .register(meters)
                .record(System.nanoTime() - started.startedNanos(), TimeUnit.NANOSECONDS);
    }

    /** The session closed: its commands will not be answered here. */
    @Override
    public void closed(ClientSession session) {
        String prefix = session.id() + '\u0000';
        pending.keySet().removeIf(k -> k.startsWith(prefix));
    }

    private void forgetOld() {
        long limit = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(FORGET_AFTER_MS);
        pending.values().removeIf(p -> p.startedNanos() - limit < 0);
    }

    private static String key(String sessionId, String commandId) {
        return sessionId + '\u0000' + commandId;
    }
}
