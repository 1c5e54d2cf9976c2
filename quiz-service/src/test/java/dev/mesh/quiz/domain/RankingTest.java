package dev.mesh.quiz.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class RankingTest {

    @Test
    void givenParticipants_whenRanked_thenByScoreThenByTotalAnswerTime() {
        List<Ranking.Ranked> ranked = Ranking.rank(List.of(
                new Ranking.Standing("u1", "Alan", 1700, 2, 9_000),
                new Ranking.Standing("u2", "Barbara", 1900, 2, 20_000),
                new Ranking.Standing("u3", "Edsger", 1700, 2, 4_000),
                new Ranking.Standing("u4", "Grace", 1700, 2, 4_000),
                new Ranking.Standing("u5", "Margaret", 0, 0, 60_000)));
        assertThat(ranked).extracting(r -> r.standing().userId()).containsExactly("u2", "u3", "u4", "u1", "u5");
        assertThat(ranked).extracting(Ranking.Ranked::rank).containsExactly(1, 2, 2, 4, 5);
    }

    @Test
    void givenNobody_whenRanked_thenEmpty() {
        assertThat(Ranking.rank(List.of())).isEmpty();
    }
}
