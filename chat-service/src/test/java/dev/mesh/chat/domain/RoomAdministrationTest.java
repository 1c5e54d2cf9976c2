package dev.mesh.chat.domain;

import static dev.mesh.chat.domain.RoomSpecTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mesh.chat.domain.RoomAdministration.Patch;
import dev.mesh.chat.domain.RoomAdministration.Settings;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.ErrorCode;

class RoomAdministrationTest {

    private static final UserRef OWNER = new UserRef("u-ada", "Ada", List.of("instructor"));
    private static final UserRef MODERATOR = new UserRef("u-mo", "Mo", List.of("student"));
    private static final UserRef STUDENT = new UserRef("u-alan", "Alan", List.of("student"));
    private static final UserRef ADMIN = new UserRef("u-grace", "Grace", List.of("admin"));
    private static final Settings ALGEBRA = new Settings("Algebra", null, 100, 0, true, 365);

    @Test
    void givenTheOwner_whenTheyRenameAndResizeTheRoom_thenTheSettingsChangeAndTheRestStays() {
        Settings after = RoomAdministration.update(OWNER, RoomType.PUBLIC, MemberRole.owner, ALGEBRA, 10,
                new Patch("  Algebra II ", "Tuesdays", 30, null, null, null));

        assertThat(after).isEqualTo(new Settings("Algebra II", "Tuesdays", 30, 0, true, 365));
    }

    @Test
    void givenAnAdminWhoIsNoMember_whenTheyChangeTheRoom_thenAllowed() {
        assertThat(RoomAdministration.update(ADMIN, RoomType.PRIVATE, null, ALGEBRA, 10,
                new Patch(null, null, null, null, false, null)).allowFiles()).isFalse();
    }

    @Test
    void givenAModerator_whenTheySetSlowMode_thenAllowed_butAnythingElseIsForbidden() {
        assertThat(RoomAdministration.update(MODERATOR, RoomType.PUBLIC, MemberRole.moderator, ALGEBRA, 10,
                new Patch(null, null, null, 30, null, null)).slowModeSeconds()).isEqualTo(30);
        assertRejected(() -> RoomAdministration.update(MODERATOR, RoomType.PUBLIC, MemberRole.moderator, ALGEBRA, 10,
                new Patch("Mine now", null, null, null, null, null)), ErrorCode.FORBIDDEN);
    }

    @Test
    void givenTheOwner_whenTheyShortenTheHistoryRetention_thenItChanges_butAModeratorMayNot() {
        assertThat(RoomAdministration.update(OWNER, RoomType.PUBLIC, MemberRole.owner, ALGEBRA, 10,
                new Patch(null, null, null, null, null, 30)).historyRetentionDays()).isEqualTo(30);
        assertRejected(() -> RoomAdministration.update(MODERATOR, RoomType.PUBLIC, MemberRole.moderator, ALGEBRA, 10,
                new Patch(null, null, null, null, null, 30)), ErrorCode.FORBIDDEN);
    }

    @Test
    void givenAPlainMember_whenTheyChangeTheRoom_thenForbidden() {
        assertRejected(() -> RoomAdministration.update(STUDENT, RoomType.PUBLIC, MemberRole.member, ALGEBRA, 10,
                new Patch(null, null, null, 5, null, null)), ErrorCode.FORBIDDEN);
    }

    @Test
    void givenBadValues_whenUpdating_thenValidationOrConflictWithTheLimit() {
        assertRejected(() -> RoomAdministration.update(OWNER, RoomType.PUBLIC, MemberRole.owner, ALGEBRA, 10,
                new Patch(" ", null, null, null, null, null)), ErrorCode.VALIDATION);
        assertRejected(() -> RoomAdministration.update(OWNER, RoomType.PUBLIC, MemberRole.owner, ALGEBRA, 10,
                new Patch(null, null, 1, null, null, null)), ErrorCode.VALIDATION);
        assertRejected(() -> RoomAdministration.update(OWNER, RoomType.PUBLIC, MemberRole.owner, ALGEBRA, 10,
                new Patch(null, null, null, 3601, null, null)), ErrorCode.VALIDATION);
        assertRejected(() -> RoomAdministration.update(OWNER, RoomType.PUBLIC, MemberRole.owner, ALGEBRA, 10,
                new Patch(null, null, null, null, null, 0)), ErrorCode.VALIDATION);
        assertThatThrownBy(() -> RoomAdministration.update(OWNER, RoomType.PUBLIC, MemberRole.owner, ALGEBRA, 10,
                new Patch(null, null, 9, null, null, null)))
                .hasMessage("The room has 10 members; maxMembers cannot be below that");
    }

    @Test
    void givenADirectConversation_whenAnyoneAdministersIt_thenValidation() {
        assertRejected(() -> RoomAdministration.update(ADMIN, RoomType.DIRECT, MemberRole.member, ALGEBRA, 2,
                new Patch("x", null, null, null, null, null)), ErrorCode.VALIDATION);
        assertRejected(() -> RoomAdministration.delete(ADMIN, RoomType.DIRECT, MemberRole.member), ErrorCode.VALIDATION);
        assertRejected(() -> RoomAdministration.invite(ADMIN, RoomType.DIRECT, MemberRole.member, "u-x", false),
                ErrorCode.VALIDATION);
    }

    @Test
    void givenTheOwnerOrAnAdmin_whenDeleting_thenAllowed_andAModeratorMayNot() {
        RoomAdministration.delete(OWNER, RoomType.PUBLIC, MemberRole.owner);
        RoomAdministration.delete(ADMIN, RoomType.STUDY_GROUP, null);
        assertRejected(() -> RoomAdministration.delete(MODERATOR, RoomType.PUBLIC, MemberRole.moderator), ErrorCode.FORBIDDEN);
    }

    @Test
    void givenAModerator_whenTheyInviteANonMember_thenTheInviteeIsNamed_andMembersOrStudentsAreRefused() {
        assertThat(RoomAdministration.invite(MODERATOR, RoomType.PRIVATE, MemberRole.moderator, "u-barbara", false))
                .isEqualTo("u-barbara");
        assertRejected(() -> RoomAdministration.invite(MODERATOR, RoomType.PRIVATE, MemberRole.moderator, "u-barbara", true),
                ErrorCode.CONFLICT);
        assertRejected(() -> RoomAdministration.invite(STUDENT, RoomType.PRIVATE, MemberRole.member, "u-barbara", false),
                ErrorCode.FORBIDDEN);
        assertRejected(() -> RoomAdministration.invite(OWNER, RoomType.PRIVATE, MemberRole.owner, "bad id", false),
                ErrorCode.VALIDATION);
    }

    @Test
    void givenAnInvitation_whenTheInviteeOrAModeratorWithdrawsIt_thenAllowed_andAnotherStudentMayNot() {
        RoomAdministration.uninvite(STUDENT, RoomType.PRIVATE, null, STUDENT.id());
        RoomAdministration.uninvite(MODERATOR, RoomType.PRIVATE, MemberRole.moderator, STUDENT.id());
        assertRejected(() -> RoomAdministration.uninvite(STUDENT, RoomType.PRIVATE, MemberRole.member, "u-barbara"),
                ErrorCode.FORBIDDEN);
    }

    @Test
    void givenTheOwner_whenTheyNameAModerator_thenTheRoleChanges_butTheOwnersRoleIsFixed() {
        assertThat(RoomAdministration.changeRole(OWNER, RoomType.PUBLIC, MemberRole.owner, MemberRole.member, "moderator"))
                .isEqualTo(MemberRole.moderator);
        assertThat(RoomAdministration.changeRole(ADMIN, RoomType.PUBLIC, null, MemberRole.moderator, "member"))
                .isEqualTo(MemberRole.member);
        assertRejected(() -> RoomAdministration.changeRole(MODERATOR, RoomType.PUBLIC, MemberRole.moderator,
                MemberRole.member, "moderator"), ErrorCode.FORBIDDEN);
        assertRejected(() -> RoomAdministration.changeRole(ADMIN, RoomType.PUBLIC, null, MemberRole.owner, "member"),
                ErrorCode.VALIDATION);
        assertRejected(() -> RoomAdministration.changeRole(OWNER, RoomType.PUBLIC, MemberRole.owner, null, "member"),
                ErrorCode.NOT_FOUND);
        assertRejected(() -> RoomAdministration.changeRole(OWNER, RoomType.PUBLIC, MemberRole.owner, MemberRole.member,
                "owner"), ErrorCode.VALIDATION);
    }
}
