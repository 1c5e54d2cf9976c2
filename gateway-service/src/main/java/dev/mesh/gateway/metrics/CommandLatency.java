package dev.mesh.gateway.metrics;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * {@link #BUCKETS}). Commands in flight are remembered per session, at most
 * {@link #MAX_PER_SESSION} each (the oldest go first: a reply that never came), and forgotten
 * with their session. Every operation costs the same however many commands wait: an earlier
 * version scanned one map of all sessions' commands, and under a backlog each command paid for
 * all the others (the benchmark's profile).
 */
@Component
public class CommandLatency implements SessionRegistry.Listener {

    static final int MAX_PER_SESSION = 256;
    /**
     * Histogram buckets of the gateway's latency timers: few and fixed, since every bucket is a
     * series per command type and outcome on every gateway.
     */
    public static final Duration[] BUCKETS = Stream.of(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
            .map(Duration::ofMillis).toArray(Duration[]::new);

    private record Pending(String type, long startedNanos) {
    }

    private final MeterRegistry meters;
    /** session id → its commands in flight (command id → when forwarded), oldest first. */
    private final Map<String, LinkedHashMap<String, Pending>> bySession = new ConcurrentHashMap<>();
    private final AtomicInteger pending = new AtomicInteger();

    public CommandLatency(MeterRegistry meters) {
        this.meters = meters;
        meters.gauge("mesh.gateway.commands.pending", java.util.List.of(), pending);
    }

    /** A command with an id is on its way to its service. */
    public void forwarded(String sessionId, String commandId, String type) {
        LinkedHashMap<String, Pending> commands = bySession.computeIfAbsent(sessionId, id -> new LinkedHashMap<>());
        synchronized (commands) {
            if (commands.put(commandId, new Pending(type, System.nanoTime())) == null) {
                pending.incrementAndGet();
            }
            if (commands.size() > MAX_PER_SESSION) {
                commands.pollFirstEntry();
                pending.decrementAndGet();
            }
        }
    }

    /** Its reply reached the session; {@code ok} false for an error reply. */
    public void replied(String sessionId, String commandId, boolean ok) {
        if (commandId == null) {
            return;
        }
        LinkedHashMap<String, Pending> commands = bySession.get(sessionId);
        if (commands == null) {
            return;
        }
        Pending started;
        synchronized (commands) {
            started = commands.remove(commandId);
        }
        if (started == null) {
            return; // answered at the gateway, a replay after a reconnect, or forgotten
        }
        pending.decrementAndGet();
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
        LinkedHashMap<String, Pending> commands = bySession.remove(session.id());
        if (commands != null) {
            synchronized (commands) {
                pending.addAndGet(-commands.size());
            }
        }
    }
}
