package dev.mesh.notification.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Digest grouping: one email per user for every waiting item that is due, its lines grouped by
 * kind (in the order of {@link Kind}), oldest first within a kind. Items not yet due wait for the
 * next digest.
 */
public final class Digests {

    /** One user's digest. */
    public record Digest(String userId, Map<Kind, List<DigestItem>> byKind) {
        public int size() {
            return byKind.values().stream().mapToInt(List::size).sum();
        }

        public List<DigestItem> items() {
            return byKind.values().stream().flatMap(List::stream).toList();
        }

        public String subject() {
            int n = size();
            return "Your notification digest: " + n + (n == 1 ? " new notification" : " new notifications");
        }
    }

    private Digests() {
    }

    public static List<Digest> due(List<DigestItem> waiting, Instant now) {
        Map<String, Map<Kind, List<DigestItem>>> byUser = new LinkedHashMap<>();
        waiting.stream()
                .filter(item -> !item.dueAt().isAfter(now))
                .sorted(Comparator.comparing(DigestItem::createdAt).thenComparingLong(DigestItem::itemId))
                .forEach(item -> byUser.computeIfAbsent(item.userId(), u -> new EnumMap<>(Kind.class))
                        .computeIfAbsent(item.kind(), k -> new ArrayList<>())
                        .add(item));
        List<Digest> digests = new ArrayList<>();
        byUser.forEach((user, byKind) -> digests.add(new Digest(user, byKind)));
        return digests;
    }
}
