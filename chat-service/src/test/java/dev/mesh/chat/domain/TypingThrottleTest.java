package dev.mesh.chat.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class TypingThrottleTest {

    private final TypingThrottle throttle = new TypingThrottle(Duration.ofSeconds(2), 3);

    @Test
    void givenATypist_whenRefreshingWithinTwoSeconds_thenOnlyTheFirstPassesUntilTwoSecondsHavePassed() {
        assertThat(throttle.allow("r1", "u1", true, 0)).isTrue();
        assertThat(throttle.allow("r1", "u1", true, 1_000)).isFalse();
        assertThat(throttle.allow("r1", "u1", true, 1_999)).isFalse();
        assertThat(throttle.allow("r1", "u1", true, 2_000)).isTrue();
    }

    @Test
    void givenATypist_whenTheyStopRightAfter_thenTheStopPassesOnceAndARestartWaitsForTheInterval() {
        assertThat(throttle.allow("r1", "u1", true, 0)).isTrue();
        assertThat(throttle.allow("r1", "u1", false, 100)).isTrue();
        assertThat(throttle.allow("r1", "u1", false, 200)).isFalse();
        assertThat(throttle.allow("r1", "u1", true, 300)).isFalse();
        assertThat(throttle.allow("r1", "u1", true, 2_100)).isTrue();
    }

    @Test
    void givenOtherRoomsAndUsers_whenTyping_thenEachPairHasItsOwnBudget() {
        assertThat(throttle.allow("r1", "u1", true, 0)).isTrue();
        assertThat(throttle.allow("r2", "u1", true, 0)).isTrue();
        assertThat(throttle.allow("r1", "u2", true, 0)).isTrue();
    }

    @Test
    void givenMorePairsThanTheCapacity_whenTyping_thenTheLeastRecentlyUsedIsForgotten() {
        throttle.allow("r1", "u1", true, 0);
        throttle.allow("r1", "u2", true, 0);
        throttle.allow("r1", "u3", true, 0);
        throttle.allow("r1", "u4", true, 0);

        assertThat(throttle.tracked()).isEqualTo(3);
        // u1 was forgotten: its next refresh passes early, which is all forgetting can cost.
        assertThat(throttle.allow("r1", "u1", true, 500)).isTrue();
        assertThat(throttle.allow("r1", "u4", true, 500)).isFalse();
    }
}
