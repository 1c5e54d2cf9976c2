package dev.mesh.chat.domain;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * At most one typing update per user per room per interval: a refresh of "typing" within the
 * interval is dropped (receivers keep a typist for 5 s). A "stopped" right after a forwarded
 * "typing" always passes, so nobody is shown typing after they stopped. Keeps the last
 * forwarded update of at most {@code capacity} (room, user) pairs, least recently used dropped
 * first: it is ephemeral, per instance, and forgetting one only lets one extra update through.
 */
public final class TypingThrottle {

    private record Last(long at, boolean typing) {
    }

    private final long intervalMillis;
    private final Map<String, Last> last;

    public TypingThrottle(Duration interval, int capacity) {
        this.intervalMillis = interval.toMillis();
        this.last = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Last> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Whether this update goes out; if it does, it is remembered as the last one. */
    public synchronized boolean allow(String roomId, String userId, boolean typing, long nowMillis) {
        String key = roomId + "\u0000" + userId;
        Last previous = last.get(key);
        boolean pass = previous == null
                || nowMillis - previous.at() >= intervalMillis
                || (previous.typing() && !typing);
        if (pass) {
            last.put(key, new Last(nowMillis, typing));
        }
        return pass;
    }

    /** How many pairs are remembered. */
    public synchronized int tracked() {
        return last.size();
    }
}
