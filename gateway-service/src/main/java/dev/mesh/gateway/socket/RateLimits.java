package dev.mesh.gateway.socket;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import dev.mesh.contracts.chat.ChatCommands;
import dev.mesh.gateway.config.GatewayProperties;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The gateway's rate limits (FEATURES.md, Gateway; ARCHITECTURE §6): a token bucket per
 * connection for every frame, a bucket per user for {@code chat:message} (60/min, burst 20),
 * and a flood guard that closes a connection which keeps sending after being told to wait
 * (more than twice its budget within a minute → 1008). Buckets live as long as their socket
 * or their user's last socket on this instance.
 */
@Component
public class RateLimits implements SessionRegistry.Listener {

    /** What to do with a frame. */
    public record Verdict(boolean allowed, long retryAfterMs, boolean flood) {
        static final Verdict ALLOW = new Verdict(true, 0, false);
    }

    private record ConnectionBuckets(Bucket frames, Bucket flood) {
    }

    private final GatewayProperties.RateLimits limits;
    private final MeterRegistry meters;
    private final Map<String, Integer> userSessions = new ConcurrentHashMap<>();
    private final Map<String, ConnectionBuckets> connections = new ConcurrentHashMap<>();
    private final Map<String, Bucket> userMessages = new ConcurrentHashMap<>();

    public RateLimits(GatewayProperties properties, MeterRegistry meters) {
        this.limits = properties.rateLimits();
        this.meters = meters;
    }

    /** Counts a frame of {@code type} from an authenticated session and says whether it may pass. */
    public Verdict admit(ClientSession session, String type) {
        ConnectionBuckets buckets = connections.computeIfAbsent(session.id(), id -> newConnectionBuckets());
        if (!buckets.flood().tryConsume(1)) {
            meters.counter("mesh.gateway.rate_limited", "limit", "flood").increment();
            return new Verdict(false, 0, true);
        }
        ConsumptionProbe frame = buckets.frames().tryConsumeAndReturnRemaining(1);
        if (!frame.isConsumed()) {
            meters.counter("mesh.gateway.rate_limited", "limit", "connection").increment();
            return new Verdict(false, nanosToMillis(frame.getNanosToWaitForRefill()), false);
        }
        if (ChatCommands.MESSAGE.equals(type)) {
            Bucket user = userMessages.computeIfAbsent(session.user().id(), id -> newUserMessageBucket());
            ConsumptionProbe message = user.tryConsumeAndReturnRemaining(1);
            if (!message.isConsumed()) {
                meters.counter("mesh.gateway.rate_limited", "limit", "user_messages").increment();
                return new Verdict(false, nanosToMillis(message.getNanosToWaitForRefill()), false);
            }
        }
        return Verdict.ALLOW;
    }

    @Override
    public void opened(ClientSession session) {
        userSessions.merge(session.user().id(), 1, Integer::sum);
    }

    /** A user's bucket goes with their last socket on this instance. */
    @Override
    public void closed(ClientSession session) {
        connections.remove(session.id());
        userSessions.computeIfPresent(session.user().id(), (user, count) -> {
            if (count > 1) {
                return count - 1;
            }
            userMessages.remove(user);
            return null;
        });
    }

    private ConnectionBuckets newConnectionBuckets() {
        Bucket frames = Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(limits.connectionBurst())
                        .refillGreedy(limits.connectionPerSecond(), Duration.ofSeconds(1)).build())
                .build();
        long perMinute = (long) limits.connectionPerSecond() * 60 + limits.connectionBurst();
        Bucket flood = Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(perMinute * limits.floodFactor())
                        .refillGreedy(perMinute * limits.floodFactor(), Duration.ofMinutes(1)).build())
                .build();
        return new ConnectionBuckets(frames, flood);
    }

    private Bucket newUserMessageBucket() {
        return Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(limits.userMessageBurst())
                        .refillGreedy(limits.userMessagesPerMinute(), Duration.ofMinutes(1)).build())
                .build();
    }

    private static long nanosToMillis(long nanos) {
        return Math.max(1, (nanos + 999_999) / 1_000_000);
    }
}
