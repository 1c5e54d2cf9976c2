package dev.mesh.chat.domain;

import static dev.mesh.chat.domain.RoomSpecTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.ErrorCode;

class RoomAccessTest {

    private static final UserRef STUDENT = new UserRef("u-alan", "Alan", List.of("student"));
    private static final UserRef ADMIN = new UserRef("u-grace", "Grace", List.of("admin"));

    @Test
    void givenAPublicRoomWithSpace_whenAStrangerJoins_thenANewMember() {
        assertThat(RoomAccess.join(STUDENT, RoomType.PUBLIC, 100, 3, false, false)).isEqualTo(RoomAccess.Join.NEW_MEMBER);
    }

    @Test
    void givenAnyRoom_whenAMemberJoinsAgain_thenNothingIsAnnounced() {
        assertThat(RoomAccess.join(STUDENT, RoomType.PRIVATE, 2, 2, true, false)).isEqualTo(RoomAccess.Join.ALREADY_MEMBER);
        assertThat(RoomAccess.join(STUDENT, RoomType.PUBLIC, 2, 2, true, false)).isEqualTo(RoomAccess.Join.ALREADY_MEMBER);
    }

    @Test
    void givenAPrivateRoomOrStudyGroup_whenANonMemberJoins_thenForbidden() {
        assertRejected(() -> RoomAccess.join(STUDENT, RoomType.PRIVATE, 100, 1, false, false), ErrorCode.FORBIDDEN);
        assertRejected(() -> RoomAccess.join(STUDENT, RoomType.STUDY_GROUP, 100, 1, false, false), ErrorCode.FORBIDDEN);
    }

    @Test
    void givenAPrivateRoom_whenAnAdminJoins_thenANewMember() {
        assertThat(RoomAccess.join(ADMIN, RoomType.PRIVATE, 100, 1, false, false)).isEqualTo(RoomAccess.Join.NEW_MEMBER);
    }

    @Test
    void givenAFullPublicRoom_whenAStrangerJoins_thenConflict() {
        assertRejected(() -> RoomAccess.join(STUDENT, RoomType.PUBLIC, 2, 2, false, false), ErrorCode.CONFLICT);
    }

    @Test
    void givenANonMember_whenPosting_thenForbidden() {
        assertRejected(() -> RoomAccess.post(false), ErrorCode.FORBIDDEN);
        assertThatCode(() -> RoomAccess.post(true)).doesNotThrowAnyException();
    }

    @Test
    void givenRooms_whenReading_thenPublicIsOpenAndOthersAreForMembersAndAdmins() {
        assertThat(RoomAccess.canRead(STUDENT, RoomType.PUBLIC, false)).isTrue();
        assertThat(RoomAccess.canRead(STUDENT, RoomType.PRIVATE, false)).isFalse();
        assertThat(RoomAccess.canRead(STUDENT, RoomType.PRIVATE, true)).isTrue();
        assertThat(RoomAccess.canRead(ADMIN, RoomType.STUDY_GROUP, false)).isTrue();
    }

    @Test
    void givenADirectConversation_whenAThirdPartyJoinsOrReads_thenForbiddenEvenForAnAdmin() {
        assertRejected(() -> RoomAccess.join(STUDENT, RoomType.DIRECT, 2, 2, false, false), ErrorCode.FORBIDDEN);
        assertRejected(() -> RoomAccess.join(ADMIN, RoomType.DIRECT, 2, 2, false, false), ErrorCode.FORBIDDEN);
        assertThat(RoomAccess.join(STUDENT, RoomType.DIRECT, 2, 2, true, false)).isEqualTo(RoomAccess.Join.ALREADY_MEMBER);
        assertThat(RoomAccess.canRead(ADMIN, RoomType.DIRECT, false)).isFalse();
        assertThat(RoomAccess.canRead(STUDENT, RoomType.DIRECT, true)).isTrue();
    }

    @Test
    void givenADirectMessage_whenTheRecipientIsTheSenderOrNotAUserId_thenValidation() {
        assertThat(RoomAccess.directRecipient(STUDENT, "u-barbara")).isEqualTo("u-barbara");
        assertRejected(() -> RoomAccess.directRecipient(STUDENT, STUDENT.id()), ErrorCode.VALIDATION);
        assertRejected(() -> RoomAccess.directRecipient(STUDENT, "  "), ErrorCode.VALIDATION);
        assertRejected(() -> RoomAccess.directRecipient(STUDENT, "u barbara"), ErrorCode.VALIDATION);
        assertRejected(() -> RoomAccess.directRecipient(STUDENT, "u".repeat(201)), ErrorCode.VALIDATION);
    }

    @Test
    void givenADirectConversation_whenLeaving_thenValidation() {
        assertRejected(() -> RoomAccess.leave(RoomType.DIRECT), ErrorCode.VALIDATION);
        assertThatCode(() -> RoomAccess.leave(RoomType.PUBLIC)).doesNotThrowAnyException();
    }

    @Test
    void givenAnInvitation_whenAStudentJoinsAPrivateRoomOrStudyGroup_thenTheyBecomeAMember() {
        assertThat(RoomAccess.join(STUDENT, RoomType.PRIVATE, 100, 3, false, true)).isEqualTo(RoomAccess.Join.NEW_MEMBER);
        assertThat(RoomAccess.join(STUDENT, RoomType.STUDY_GROUP, 100, 3, false, true)).isEqualTo(RoomAccess.Join.NEW_MEMBER);
    }

    @Test
    void givenAnInvitationToAFullRoom_whenTheInviteeJoins_thenConflict() {
        assertThatThrownBy(() -> RoomAccess.join(STUDENT, RoomType.PRIVATE, 3, 3, false, true))
                .hasMessage("The room is full");
    }
}
