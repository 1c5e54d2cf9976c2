package dev.mesh.chat.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import dev.mesh.contracts.wire.ErrorCode;
import dev.mesh.contracts.wire.MeshException;

class SlowModeTest {

    private static final long NOW = 1_000_000L;

    @Test
    void givenSlowModeOf30s_whenAMemberPostsAgainAfter10s_thenRateLimitedWithTheWait() {
        assertThatThrownBy(() -> SlowMode.check(false, 30, NOW - 10_000, NOW))
                .isInstanceOfSatisfying(MeshException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                    assertThat(e.getMessage()).isEqualTo("Slow mode: one message every 30 s; wait 20 s");
                    assertThat(e.data().get("retryAfterMs").asLong()).isEqualTo(20_000);
                });
    }

    @Test
    void givenSlowModeOf30s_whenTheMemberWaitedExactly30s_thenAllowed() {
        assertThatCode(() -> SlowMode.check(false, 30, NOW - 30_000, NOW)).doesNotThrowAnyException();
    }

    @Test
    void givenAFirstPostAModeratorOrNoSlowMode_whenPosting_thenAllowed() {
        assertThatCode(() -> SlowMode.check(false, 30, null, NOW)).doesNotThrowAnyException();
        assertThatCode(() -> SlowMode.check(true, 30, NOW - 1, NOW)).doesNotThrowAnyException();
        assertThatCode(() -> SlowMode.check(false, 0, NOW - 1, NOW)).doesNotThrowAnyException();
    }
}
