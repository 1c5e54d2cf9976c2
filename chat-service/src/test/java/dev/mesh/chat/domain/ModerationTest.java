package dev.mesh.chat.domain;

import static dev.mesh.chat.domain.RoomSpecTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mesh.chat.domain.Moderation.Action;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.ErrorCode;
import dev.mesh.contracts.wire.MeshException;

class ModerationTest {

    private static final UserRef OWNER = new UserRef("u-ada", "Ada", List.of("instructor"));
    private static final UserRef MODERATOR = new UserRef("u-mod", "Mo", List.of("student"));
    private static final UserRef STUDENT = new UserRef("u-alan", "Alan", List.of("student"));
    private static final UserRef ADMIN = new UserRef("u-grace", "Grace", List.of("admin"));
    private static final String TARGET = "u-barbara";
    private static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");

    @Test
    void givenTheOwnerAModeratorOrAnAdmin_whenTheyModerateAMember_thenAllowed() {
        for (Action action : Action.values()) {
            assertThatCode(() -> Moderation.check(OWNER, RoomType.PUBLIC, MemberRole.owner, TARGET, MemberRole.member, action))
                    .doesNotThrowAnyException();
            assertThatCode(() -> Moderation.check(MODERATOR, RoomType.PRIVATE, MemberRole.moderator, TARGET,
                    MemberRole.member, action)).doesNotThrowAnyException();
            assertThatCode(() -> Moderation.check(ADMIN, RoomType.STUDY_GROUP, null, TARGET, MemberRole.moderator, action))
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void givenAPlainMember_whenTheyModerate_thenForbidden() {
        assertRejected(() -> Moderation.check(STUDENT, RoomType.PUBLIC, MemberRole.member, TARGET, MemberRole.member,
                Action.mute), ErrorCode.FORBIDDEN);
        assertRejected(() -> Moderation.check(STUDENT, RoomType.PUBLIC, null, TARGET, MemberRole.member, Action.kick),
                ErrorCode.FORBIDDEN);
    }

    @Test
    void givenADirectConversation_whenAnyoneModeratesIt_thenValidationSayingItHasNone() {
        assertThatThrownBy(() -> Moderation.check(ADMIN, RoomType.DIRECT, MemberRole.member, TARGET, MemberRole.member,
                Action.mute))
                .isInstanceOfSatisfying(MeshException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION);
                    assertThat(e.getMessage()).isEqualTo("direct conversations have no moderation");
                });
    }

    @Test
    void givenAModerator_whenTheyModerateThemselves_thenValidation() {
        assertRejected(() -> Moderation.check(MODERATOR, RoomType.PUBLIC, MemberRole.moderator, MODERATOR.id(),
                MemberRole.moderator, Action.mute), ErrorCode.VALIDATION);
    }

    @Test
    void givenATargetWhoIsNotAMember_whenModerated_thenNotFoundNamingThem() {
        assertThatThrownBy(() -> Moderation.check(OWNER, RoomType.PUBLIC, MemberRole.owner, TARGET, null, Action.kick))
                .isInstanceOfSatisfying(MeshException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                    assertThat(e.getMessage()).isEqualTo(TARGET + " is not a member of this room");
                });
    }

    @Test
    void givenTheOwner_whenAModeratorMutesOrKicksThem_thenForbiddenButAnAdminMay() {
        assertRejected(() -> Moderation.check(MODERATOR, RoomType.PUBLIC, MemberRole.moderator, OWNER.id(),
                MemberRole.owner, Action.mute), ErrorCode.FORBIDDEN);
        assertRejected(() -> Moderation.check(MODERATOR, RoomType.PUBLIC, MemberRole.moderator, OWNER.id(),
                MemberRole.owner, Action.kick), ErrorCode.FORBIDDEN);
        assertThatCode(() -> Moderation.check(ADMIN, RoomType.PUBLIC, null, OWNER.id(), MemberRole.owner, Action.kick))
                .doesNotThrowAnyException();
    }

    @Test
    void givenAnAction_whenParsed_thenOnlyMuteUnmuteAndKick() {
        assertThat(Moderation.Action.parse("mute")).isEqualTo(Action.mute);
        assertThat(Moderation.Action.parse("KICK")).isEqualTo(Action.kick);
        assertRejected(() -> Moderation.Action.parse("ban"), ErrorCode.VALIDATION);
        assertRejected(() -> Moderation.Action.parse(null), ErrorCode.VALIDATION);
    }

    @Test
    void givenMinutes_whenAMuteIsAsked_thenOneToAWeekAndTenByDefault() {
        assertThat(Moderation.muteLength(null)).isEqualTo(Duration.ofMinutes(10));
        assertThat(Moderation.muteLength(1)).isEqualTo(Duration.ofMinutes(1));
        assertThat(Moderation.muteLength(10080)).isEqualTo(Duration.ofDays(7));
        assertRejected(() -> Moderation.muteLength(0), ErrorCode.VALIDATION);
        assertRejected(() -> Moderation.muteLength(10081), ErrorCode.VALIDATION);
    }

    @Test
    void givenAMuteInForce_whenTheUserActs_thenForbiddenSayingUntilWhen() {
        Instant until = NOW.plusSeconds(60);
        assertThatThrownBy(() -> Moderation.requireNotMuted(until, NOW))
                .isInstanceOfSatisfying(MeshException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
                    assertThat(e.getMessage()).isEqualTo("You are muted in this room until 2026-01-01T10:01:00Z");
                });
    }

    @Test
    void givenAMuteThatHasExpiredOrNone_whenTheUserActs_thenAllowed() {
        assertThat(Moderation.muted(NOW, NOW)).isFalse();
        assertThat(Moderation.muted(NOW.minusSeconds(1), NOW)).isFalse();
        assertThat(Moderation.muted(null, NOW)).isFalse();
        assertThatCode(() -> Moderation.requireNotMuted(NOW.minusSeconds(1), NOW)).doesNotThrowAnyException();
    }
}
