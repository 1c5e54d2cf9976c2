package dev.mesh.notification.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

class DigestsTest {

    private static final Instant H1 = Instant.parse("2026-01-15T10:00:00Z");
    private static final Instant H2 = Instant.parse("2026-01-15T11:00:00Z");

    private static DigestItem item(long id, String user, Kind kind, String created, Instant due) {
        return new DigestItem(id, user, kind, "t" + id, "/l" + id, Instant.parse(created), due);
    }

    @Test
    void givenWaitingItemsOfSeveralUsers_whenTheHourEnds_thenOneDigestPerUserGroupedByKindOldestFirst() {
        List<DigestItem> waiting = List.of(
                item(3, "u-alan", Kind.quiz_results, "2026-01-15T09:40:00Z", H1),
                item(1, "u-alan", Kind.announcement, "2026-01-15T09:10:00Z", H1),
                item(2, "u-alan", Kind.quiz_results, "2026-01-15T09:20:00Z", H1),
                item(4, "u-ada", Kind.quiz_results, "2026-01-15T09:30:00Z", H1),
                item(5, "u-alan", Kind.quiz_results, "2026-01-15T10:05:00Z", H2));

        List<Digests.Digest> digests = Digests.due(waiting, H1);

        assertThat(digests).extracting(Digests.Digest::userId).containsExactlyInAnyOrder("u-alan", "u-ada");
        Digests.Digest alan = digests.stream().filter(d -> d.userId().equals("u-alan")).findFirst().orElseThrow();
        assertThat(alan.byKind().keySet()).containsExactly(Kind.quiz_results, Kind.announcement);
        assertThat(alan.byKind().get(Kind.quiz_results)).extracting(DigestItem::itemId).containsExactly(2L, 3L);
        assertThat(alan.size()).isEqualTo(3);
        assertThat(alan.subject()).isEqualTo("Your notification digest: 3 new notifications");
    }

    @Test
    void givenItemsOfTheNextHour_whenThisHourEnds_thenTheyWait() {
        assertThat(Digests.due(List.of(item(5, "u-alan", Kind.quiz_results, "2026-01-15T10:05:00Z", H2)), H1)).isEmpty();
        assertThat(Digests.due(List.of(item(5, "u-alan", Kind.quiz_results, "2026-01-15T10:05:00Z", H2)), H2))
                .singleElement().satisfies(d -> assertThat(d.subject()).isEqualTo("Your notification digest: 1 new notification"));
    }
}
