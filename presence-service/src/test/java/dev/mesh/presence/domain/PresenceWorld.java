package dev.mesh.presence.domain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.mesh.contracts.presence.PresenceCommands;

/**
 * An in-memory stand-in for presence's tables, driven only through {@link PresenceRules},
 * with a clock the test moves: what the store and the scanner do, without a database.
 */
final class PresenceWorld {

    record Session(String userId, String bootId, long lastActiveAt) {
    }

    /** What the world was told: {@code presence:changed} statuses and the domain events. */
    record Published(long at, String userId, String status, String text, PresenceRules.Transition transition) {
    }

    static final PresenceRules.Settings SETTINGS = new PresenceRules.Settings(Duration.ofSeconds(5), Duration.ofMinutes(5));

    long now = 1_000_000;
    final Map<String, Session> sessions = new LinkedHashMap<>();
    final Map<String, Long> boots = new HashMap<>();
    /** Boots whose gateway process runs: they heartbeat every 5 s while the clock moves. */
    final java.util.Set<String> live = new java.util.HashSet<>();
    final Map<String, UserState> users = new HashMap<>();
    final List<Published> published = new ArrayList<>();

    UserState user(String userId) {
        return users.getOrDefault(userId, UserState.unknown());
    }

    String status(String userId) {
        return user(userId).publishedStatus();
    }

    void open(String userId, String sessionId, String bootId) {
        live.add(bootId);
        boots.merge(bootId, now, Math::max);
        sessions.putIfAbsent(sessionId, new Session(userId, bootId, now));
        change(userId, PresenceRules.opened(user(userId), now));
    }

    void close(String sessionId) {
        Session gone = sessions.remove(sessionId);
        if (gone != null) {
            change(gone.userId(), PresenceRules.closed(user(gone.userId()), sessionsOf(gone.userId()).size(), now, SETTINGS));
        }
    }

    void active(String sessionId) {
        Session session = sessions.get(sessionId);
        if (session != null) {
            sessions.put(sessionId, new Session(session.userId(), session.bootId(), now));
            change(session.userId(), PresenceRules.active(user(session.userId()), now));
        }
    }

    void heartbeat(String bootId) {
        live.add(bootId);
        boots.merge(bootId, now, Math::max);
    }

    /** The boot's process dies: no heartbeat, no SessionClosed. Returns its last heartbeat. */
    long crash(String bootId) {
        live.remove(bootId);
        return boots.get(bootId);
    }

    void set(String userId, PresenceCommands.SetPresence command) {
        change(userId, PresenceRules.set(user(userId), command, now));
    }

    /** Moves the clock, running the scanner every second on the way (as the service does). */
    void advance(Duration duration) {
        long end = now + duration.toMillis();
        while (now < end) {
            now = Math.min(end, now + 1_000);
            for (String boot : live) {
                if (now - boots.getOrDefault(boot, 0L) >= 5_000) {
                    heartbeat(boot);
                }
            }
            scan();
        }
    }

    void scan() {
        for (Map.Entry<String, Long> boot : List.copyOf(boots.entrySet())) {
            if (PresenceRules.isDead(boot.getValue(), now)) {
                boots.remove(boot.getKey());
                List<String> affected = sessions.values().stream()
                        .filter(s -> s.bootId().equals(boot.getKey())).map(Session::userId).distinct().toList();
                sessions.values().removeIf(s -> s.bootId().equals(boot.getKey()));
                for (String userId : affected) {
                    change(userId, PresenceRules.bootDied(user(userId), sessionsOf(userId).size(), boot.getValue(), SETTINGS));
                }
            }
        }
        for (String userId : List.copyOf(users.keySet())) {
            change(userId, user(userId));
        }
    }

    List<String> statusesOf(String userId) {
        return published.stream().filter(p -> p.userId().equals(userId)).map(Published::status).toList();
    }

    List<Published> transitionsOf(String userId) {
        return published.stream()
                .filter(p -> p.userId().equals(userId) && p.transition() != PresenceRules.Transition.NONE)
                .toList();
    }

    private List<Long> sessionsOf(String userId) {
        return sessions.values().stream().filter(s -> s.userId().equals(userId)).map(Session::lastActiveAt).toList();
    }

    private void change(String userId, UserState changed) {
        UserState before = user(userId);
        boolean textChanged = !java.util.Objects.equals(before.text(), changed.text())
                || !java.util.Objects.equals(before.emoji(), changed.emoji());
        PresenceRules.Outcome outcome = PresenceRules.reconcile(changed, sessionsOf(userId), now, SETTINGS, textChanged);
        users.put(userId, outcome.state());
        if (outcome.changed()) {
            published.add(new Published(now, userId, outcome.state().publishedStatus(), outcome.state().text(),
                    outcome.transition()));
        }
    }
}
