package dev.mesh.notification.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;

import org.junit.jupiter.api.Test;

class EmailPolicyTest {

    private static final String ADDRESS = "alan@example.org";
    private static final EmailPolicy POLICY = new EmailPolicy(Duration.ofMinutes(10), Duration.ofHours(1));
    /** 23:30 in Paris (winter: UTC+1). */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-15T22:30:00Z"), ZoneOffset.UTC);
    private static final Preferences PLAIN = Preferences.defaults();
    private static final Preferences QUIET_PARIS = new Preferences(ADDRESS, Set.of(),
            QuietHours.parse("22:00", "07:00", "Europe/Paris"));

    private static EmailDecision decide(Priority priority, Preferences preferences, PresenceState presence) {
        return POLICY.decide(Kind.mention, priority, ADDRESS, preferences, presence, CLOCK.instant());
    }

    @Test
    void givenCriticalOrHigh_whenNoQuietHours_thenSentAtOnceEvenToAnOnlineUser() {
        assertThat(decide(Priority.critical, PLAIN, PresenceState.onlineNow())).isEqualTo(new EmailDecision.Send(CLOCK.instant()));
        assertThat(decide(Priority.high, PLAIN, PresenceState.onlineNow())).isEqualTo(new EmailDecision.Send(CLOCK.instant()));
    }

    @Test
    void givenQuietHoursInTheUsersTimeZone_whenHigh_thenHeldUntilTheyEnd_andCriticalIsNeverHeld() {
        // 23:30 in Paris is within 22:00–07:00; they end at 07:00 Paris = 06:00 UTC the next day.
        assertThat(decide(Priority.high, QUIET_PARIS, PresenceState.onlineNow()))
                .isEqualTo(new EmailDecision.Send(Instant.parse("2026-01-16T06:00:00Z")));
        assertThat(decide(Priority.critical, QUIET_PARIS, PresenceState.onlineNow()))
                .isEqualTo(new EmailDecision.Send(CLOCK.instant()));
        // The same hours in Tokyo (07:30 there) are over: sent at once.
        Preferences tokyo = new Preferences(ADDRESS, Set.of(), QuietHours.parse("22:00", "07:00", "Asia/Tokyo"));
        assertThat(decide(Priority.high, tokyo, PresenceState.onlineNow())).isEqualTo(new EmailDecision.Send(CLOCK.instant()));
    }

    @Test
    void givenNormal_whenTheUserIsOfflineForMoreThanTenMinutes_thenSent_otherwiseNotAtAll() {
        Instant now = CLOCK.instant();
        assertThat(decide(Priority.normal, PLAIN, PresenceState.offlineSince(now.minus(Duration.ofMinutes(11)))))
                .isEqualTo(new EmailDecision.Send(now));
        assertThat(decide(Priority.normal, PLAIN, PresenceState.offlineSince(now.minus(Duration.ofMinutes(10)))))
                .isInstanceOf(EmailDecision.None.class);
        assertThat(decide(Priority.normal, PLAIN, PresenceState.onlineNow())).isInstanceOf(EmailDecision.None.class);
        // Never seen online: offline for as long as we know.
        assertThat(decide(Priority.normal, PLAIN, PresenceState.UNKNOWN)).isEqualTo(new EmailDecision.Send(now));
        // Offline long enough, during quiet hours: held too.
        assertThat(decide(Priority.normal, QUIET_PARIS, PresenceState.UNKNOWN))
                .isEqualTo(new EmailDecision.Send(Instant.parse("2026-01-16T06:00:00Z")));
    }

    @Test
    void givenLow_whenDecided_thenItGoesToTheDigestOfTheHourItFallsIn() {
        assertThat(decide(Priority.low, PLAIN, PresenceState.UNKNOWN))
                .isEqualTo(new EmailDecision.Digest(Instant.parse("2026-01-15T23:00:00Z")));
        assertThat(decide(Priority.low, QUIET_PARIS, PresenceState.UNKNOWN))
                .isEqualTo(new EmailDecision.Digest(Instant.parse("2026-01-16T06:00:00Z")));
    }

    @Test
    void givenNoAddressOrEmailTurnedOffForTheKind_whenDecided_thenNoEmailEvenCritical() {
        assertThat(POLICY.decide(Kind.mention, Priority.critical, null, PLAIN, PresenceState.UNKNOWN, CLOCK.instant()))
                .isEqualTo(new EmailDecision.None("no email address"));
        Preferences noMentions = PLAIN.withEmailOff(Kind.mention);
        assertThat(POLICY.decide(Kind.mention, Priority.high, ADDRESS, noMentions, PresenceState.UNKNOWN, CLOCK.instant()))
                .isEqualTo(new EmailDecision.None("email turned off for mention"));
        assertThat(POLICY.decide(Kind.reply, Priority.high, ADDRESS, noMentions, PresenceState.UNKNOWN, CLOCK.instant()))
                .isInstanceOf(EmailDecision.Send.class);
    }
}
