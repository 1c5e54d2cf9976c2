package dev.mesh.quiz.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ScoringTest {

    @Test
    void givenACorrectAnswerAtOnce_whenScored_thenFullPoints() {
        assertThat(Scoring.score(true, 1000, 30_000, 30_000)).isEqualTo(1000);
    }

    @Test
    void givenACorrectAnswerAtTheDeadlineOrInTheGrace_whenScored_thenSeventyPercent() {
        assertThat(Scoring.score(true, 1000, 30_000, 0)).isEqualTo(700);
        assertThat(Scoring.score(true, 1000, 30_000, -400)).isEqualTo(700);
    }

    @Test
    void givenACorrectAnswerHalfway_whenScored_thenRounded() {
        assertThat(Scoring.score(true, 1000, 30_000, 15_000)).isEqualTo(850);
        // 1000 × (0.7 + 0.3 × 10001/30000) = 800.01 → 800
        assertThat(Scoring.score(true, 1000, 30_000, 10_001)).isEqualTo(800);
        // 333 × (0.7 + 0.3 × 0.5) = 283.05 → 283
        assertThat(Scoring.score(true, 333, 30_000, 15_000)).isEqualTo(283);
    }

    @Test
    void givenAWrongAnswerOrZeroPoints_whenScored_thenNothing() {
        assertThat(Scoring.score(false, 1000, 30_000, 30_000)).isZero();
        assertThat(Scoring.score(true, 0, 30_000, 30_000)).isZero();
    }
}
