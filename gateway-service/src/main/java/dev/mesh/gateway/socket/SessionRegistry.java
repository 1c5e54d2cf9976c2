package dev.mesh.gateway.socket;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.mesh.contracts.kafka.Delivery;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The sockets of this gateway instance, indexed by session, user and attached topic, so a
 * delivery finds its audience without scanning every socket. {@link Listener}s hear of each
 * authenticated socket's life (presence reporting lives there, not here).
 */
@Component
public class SessionRegistry {

    private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);

    /**
     * Hears of authenticated sockets: {@link #opened} once after {@code welcome}, {@link #active}
     * on client frames (unthrottled: the listener throttles), {@link #closed} once when the socket
     * ends for any reason. Called on the thread that saw it (often an event loop): must not block.
     */
    public interface Listener {
        default void opened(ClientSession session) {
        }

        default void active(ClientSession session) {
        }

        default void closed(ClientSession session) {
        }
    }

    private final Map<String, ClientSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, Set<ClientSession>> byUser = new ConcurrentHashMap<>();
    /**
     * topic → its sessions with their cursors, an array replaced on every change (attaches are
     * rare, deliveries many): a fan-out walks it without locks, node hops or a lookup per receiver.
     */
    private final Map<String, Attached[]> byTopic = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();

    private final List<Listener> listeners;

    public SessionRegistry(MeterRegistry meters) {
        this(meters, List.of());
    }

    @Autowired
    public SessionRegistry(MeterRegistry meters, ObjectProvider<Listener> listeners) {
        this(meters, listeners.orderedStream().toList());
    }

    public SessionRegistry(MeterRegistry meters, List<Listener> listeners) {
        this.listeners = List.copyOf(listeners);
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
        tell(session, Listener::opened);
    }

    /** A client frame arrived on a registered socket (ignored for others). */
    public void active(ClientSession session) {
        if (listeners.isEmpty() || !sessions.containsKey(session.id())) {
            return;
        }
        tell(session, Listener::active);
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
        tell(session, Listener::closed);
    }

    private void tell(ClientSession session, BiConsumer<Listener, ClientSession> event) {
        for (Listener listener : listeners) {
            try {
                event.accept(listener, session);
            } catch (RuntimeException e) {
                log.warn("Session listener {} failed on {}: {}", listener.getClass().getSimpleName(), session.id(), e.toString());
            }
        }
    }

    /** A session attached to a topic, with its cursor on that topic. */
    public record Attached(ClientSession session, ClientSession.TopicCursor cursor) {
    }

    public void attach(ClientSession session, String topic, long fromSeq) {
        Attached attached = new Attached(session, session.attach(topic, fromSeq));
        byTopic.compute(topic, (t, all) -> {
            if (all == null) {
                return new Attached[] {attached};
            }
            for (int i = 0; i < all.length; i++) {
                if (all[i].session() == session) {
                    Attached[] copy = all.clone();
                    copy[i] = attached;
                    return copy;
                }
            }
            Attached[] grown = Arrays.copyOf(all, all.length + 1);
            grown[all.length] = attached;
            return grown;
        });
    }

    public void detach(ClientSession session, String topic) {
        session.detach(topic);
        removeFromTopic(topic, session);
    }

    private void removeFromTopic(String topic, ClientSession session) {
        byTopic.computeIfPresent(topic, (t, all) -> {
            Attached[] kept = Arrays.stream(all).filter(a -> a.session() != session).toArray(Attached[]::new);
            return kept.length == 0 ? null : kept.length == all.length ? all : kept;
        });
    }

    public ClientSession session(String id) {
        return sessions.get(id);
    }

    public Collection<ClientSession> ofUser(String userId) {
        return byUser.getOrDefault(userId, Set.of());
    }

    public Collection<ClientSession> ofTopic(String topic) {
        return Arrays.stream(attachedTo(topic)).map(Attached::session).toList();
    }

    /** The sessions attached to {@code topic} with their cursors: a snapshot, not to be changed. */
    public Attached[] attachedTo(String topic) {
        return byTopic.getOrDefault(topic, NONE);
    }

    private static final Attached[] NONE = {};

    public Collection<ClientSession> all() {
        return sessions.values();
    }

    /** How many stream topics have at least one socket attached here. */
    public int topicCount() {
        return byTopic.size();
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
