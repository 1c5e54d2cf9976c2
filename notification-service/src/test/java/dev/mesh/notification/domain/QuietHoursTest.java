package dev.mesh.notification.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.mesh.contracts.wire.ErrorCode;
import dev.mesh.contracts.wire.MeshException;

class QuietHoursTest {

    @Test
    void givenHoursSpanningMidnight_whenAsked_thenTheStartCountsAndTheEndDoesNot() {
        QuietHours quiet = QuietHours.parse("22:00", "07:00", "UTC");
        assertThat(quiet.contains(Instant.parse("2026-03-01T21:59:59Z"))).isFalse();
        assertThat(quiet.contains(Instant.parse("2026-03-01T22:00:00Z"))).isTrue();
        assertThat(quiet.contains(Instant.parse("2026-03-02T03:00:00Z"))).isTrue();
        assertThat(quiet.contains(Instant.parse("2026-03-02T07:00:00Z"))).isFalse();
        assertThat(quiet.endAfter(Instant.parse("2026-03-02T03:00:00Z"))).isEqualTo(Instant.parse("2026-03-02T07:00:00Z"));
        assertThat(quiet.endAfter(Instant.parse("2026-03-01T23:00:00Z"))).isEqualTo(Instant.parse("2026-03-02T07:00:00Z"));
        assertThat(quiet.endAfter(Instant.parse("2026-03-01T12:00:00Z"))).isEqualTo(Instant.parse("2026-03-01T12:00:00Z"));
    }

    @Test
    void givenDaytimeHours_whenAsked_thenWithinTheSameDay() {
        QuietHours quiet = QuietHours.parse("12:00", "14:00", "America/New_York");
        // 17:30 UTC in January is 12:30 in New York.
        assertThat(quiet.contains(Instant.parse("2026-01-10T17:30:00Z"))).isTrue();
        assertThat(quiet.endAfter(Instant.parse("2026-01-10T17:30:00Z"))).isEqualTo(Instant.parse("2026-01-10T19:00:00Z"));
        assertThat(quiet.contains(Instant.parse("2026-01-10T20:00:00Z"))).isFalse();
    }

    @Test
    void givenBadValues_whenParsed_thenValidationWithASentence() {
        assertValidation(() -> QuietHours.parse("25:00", "07:00", "UTC"), "start must be a time as HH:mm");
        assertValidation(() -> QuietHours.parse("22:00", "7", "UTC"), "end must be a time as HH:mm");
        assertValidation(() -> QuietHours.parse("22:00", "07:00", "Mars/Base"),
                "timeZone must be an IANA time zone such as Europe/Paris");
        assertValidation(() -> QuietHours.parse("22:00", "22:00", "UTC"),
                "quiet hours must not start and end at the same time");
        assertValidation(() -> QuietHours.parse(null, "22:00", "UTC"), "quiet hours need start, end and timeZone");
    }

    static void assertValidation(Runnable action, String message) {
        assertThatThrownBy(action::run).isInstanceOfSatisfying(MeshException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }
}
