package dev.mesh.quiz.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;

import org.junit.jupiter.api.Test;

class JoinCodesTest {

    @Test
    void givenAnyRandomSource_whenACodeIsMade_thenSixDigitsWithLeadingZeros() {
        Random random = new Random(7);
        for (int i = 0; i < 1000; i++) {
            assertThat(JoinCodes.next(random)).matches("\\d{6}");
        }
        assertThat(JoinCodes.next(new FixedRandom(42))).isEqualTo("000042");
    }

    @Test
    void givenCodes_whenChecked_thenOnlySixDigitsAreWellFormed() {
        assertThat(JoinCodes.isWellFormed("012345")).isTrue();
        assertThat(JoinCodes.isWellFormed("12345")).isFalse();
        assertThat(JoinCodes.isWellFormed("12345a")).isFalse();
        assertThat(JoinCodes.isWellFormed(null)).isFalse();
    }

    private static final class FixedRandom extends Random {
        private final int value;

        FixedRandom(int value) {
            this.value = value;
        }

        @Override
        public int nextInt(int bound) {
            return value;
        }
    }
}
