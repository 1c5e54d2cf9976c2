package dev.mesh.notification.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static final RetryPolicy POLICY = new RetryPolicy(5, Duration.ofSeconds(2), Duration.ofSeconds(10));
    private static final Instant NOW = Instant.parse("2026-01-15T10:00:00Z");

    @Test
    void givenFailures_whenRetried_thenTheWaitDoublesUpToTheCap() {
        assertThat(POLICY.delayAfter(1)).isEqualTo(Duration.ofSeconds(2));
        assertThat(POLICY.delayAfter(2)).isEqualTo(Duration.ofSeconds(4));
        assertThat(POLICY.delayAfter(3)).isEqualTo(Duration.ofSeconds(8));
        assertThat(POLICY.delayAfter(4)).isEqualTo(Duration.ofSeconds(10));
        assertThat(POLICY.delayAfter(60)).isEqualTo(Duration.ofSeconds(10));
        assertThat(POLICY.afterFailure(2, false, NOW).at()).isEqualTo(NOW.plusSeconds(4));
    }

    @Test
    void givenTheLastAttemptOrAPermanentFailure_whenItFails_thenGiveUp() {
        assertThat(POLICY.afterFailure(5, false, NOW).givesUp()).isTrue();
        assertThat(POLICY.afterFailure(1, true, NOW).givesUp()).isTrue();
        assertThat(POLICY.afterFailure(4, false, NOW).givesUp()).isFalse();
    }
}
