package dev.mesh.gateway.socket;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.stereotype.Component;

import dev.mesh.contracts.kafka.Delivery;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The sockets of this gateway instance, indexed by session, user and attached topic, so a
 * delivery finds its audience without scanning every socket.
 */
@Component
public class SessionRegistry {

    private final Map<String, ClientSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, Set<ClientSession>> byUser = new ConcurrentHashMap<>();
    private final Map<String, Set<ClientSession>> byTopic = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();

    public SessionRegistry(MeterRegistry meters) {
        meters.gaugeMapSize("mesh.gateway.connections", List.of(), sessions);
    }

    /** Counts a new socket from an address; false when the address is over its limit. */
    public boolean admit(String address, int limit) {
        AtomicInteger count = perAddress.computeIfAbsent(address, a -> new AtomicInteger());
        if (count.incrementAndGet() > limit) {
            count.decrementAndGet();
            return false;
        }
        return true;
    }

    public void release(String address) {
        perAddress.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    public void register(ClientSession session) {
        sessions.put(session.id(), session);
        byUser.computeIfAbsent(session.user().id(), u -> ConcurrentHashMap.newKeySet()).add(session);
    }

    public void unregister(ClientSession session) {
        if (sessions.remove(session.id()) == null) {
            return;
        }
        if (session.user() != null) {
            byUser.computeIfPresent(session.user().id(), (u, set) -> {
                set.remove(session);
                return set.isEmpty() ? null : set;
            });
        }
        for (String topic : session.topics()) {
            removeFromTopic(topic, session);
        }
    }

    public void attach(ClientSession session, String topic, long fromSeq) {
        session.attach(topic, fromSeq);
        byTopic.computeIfAbsent(topic, t -> ConcurrentHashMap.newKeySet()).add(session);
    }

    public void detach(ClientSession session, String topic) {
        session.detach(topic);
        removeFromTopic(topic, session);
    }

    private void removeFromTopic(String topic, ClientSession session) {
        byTopic.computeIfPresent(topic, (t, set) -> {
            set.remove(session);
            return set.isEmpty() ? null : set;
        });
    }

    public ClientSession session(String id) {
        return sessions.get(id);
    }

    public Collection<ClientSession> ofUser(String userId) {
        return byUser.getOrDefault(userId, Set.of());
    }

    public Collection<ClientSession> ofTopic(String topic) {
        return byTopic.getOrDefault(topic, Set.of());
    }

    public Collection<ClientSession> all() {
        return sessions.values();
    }

    public int size() {
        return sessions.size();
    }

    /** Whether any socket here is in an audience given in its header form ({@code kind:id}); cheap, no parsing of the record. */
    public boolean hasAudience(String header) {
        int colon = header.indexOf(':');
        if (colon < 0) {
            return false;
        }
        String id = header.substring(colon + 1);
        return switch (header.substring(0, colon)) {
            case "topic" -> byTopic.containsKey(id);
            case "user" -> byUser.containsKey(id);
            case "session" -> sessions.containsKey(id);
            case "all" -> !sessions.isEmpty();
            default -> false;
        };
    }

    public Collection<ClientSession> audience(Delivery.Audience audience) {
        return switch (audience.kind()) {
            case topic -> ofTopic(audience.id());
            case user -> ofUser(audience.id());
            case session -> {
                ClientSession s = sessions.get(audience.id());
                yield s == null ? List.of() : List.of(s);
            }
            case all -> all();
        };
    }
}
