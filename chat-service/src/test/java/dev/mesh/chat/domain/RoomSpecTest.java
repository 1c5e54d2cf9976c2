package dev.mesh.chat.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.ErrorCode;
import dev.mesh.contracts.wire.MeshException;

class RoomSpecTest {

    private static final UserRef INSTRUCTOR = new UserRef("u-ada", "Ada", List.of("instructor"));
    private static final UserRef ADMIN = new UserRef("u-grace", "Grace", List.of("admin"));
    private static final UserRef STUDENT = new UserRef("u-alan", "Alan", List.of("student"));

    @Test
    void givenAnInstructor_whenCreatingWithoutCapacity_thenTheRoomHoldsAHundred() {
        RoomSpec spec = RoomSpec.create(INSTRUCTOR, "  Algebra  ", "public", null, null);

        assertThat(spec).isEqualTo(new RoomSpec("Algebra", RoomType.PUBLIC, null, 100));
    }

    @Test
    void givenAnAdmin_whenCreatingAStudyGroup_thenItIsAccepted() {
        RoomSpec spec = RoomSpec.create(ADMIN, "Group 4", "study_group", " weekly ", 2);

        assertThat(spec.type()).isEqualTo(RoomType.STUDY_GROUP);
        assertThat(spec.description()).isEqualTo("weekly");
        assertThat(spec.maxMembers()).isEqualTo(2);
    }

    @Test
    void givenAStudent_whenCreatingARoom_thenForbidden() {
        assertRejected(() -> RoomSpec.create(STUDENT, "Mine", "public", null, null), ErrorCode.FORBIDDEN);
    }

    @Test
    void givenAnInstructor_whenTheNameIsBlankOrTooLong_thenValidation() {
        assertRejected(() -> RoomSpec.create(INSTRUCTOR, "   ", "public", null, null), ErrorCode.VALIDATION);
        assertRejected(() -> RoomSpec.create(INSTRUCTOR, null, "public", null, null), ErrorCode.VALIDATION);
        assertRejected(() -> RoomSpec.create(INSTRUCTOR, "x".repeat(101), "public", null, null), ErrorCode.VALIDATION);
        assertThat(RoomSpec.create(INSTRUCTOR, "x".repeat(100), "public", null, null).name()).hasSize(100);
    }

    @Test
    void givenAnInstructor_whenTheTypeIsDirectOrUnknown_thenValidation() {
        assertRejected(() -> RoomSpec.create(INSTRUCTOR, "DM", "direct", null, null), ErrorCode.VALIDATION);
        assertRejected(() -> RoomSpec.create(INSTRUCTOR, "Odd", "secret", null, null), ErrorCode.VALIDATION);
        assertRejected(() -> RoomSpec.create(INSTRUCTOR, "None", null, null, null), ErrorCode.VALIDATION);
    }

    @Test
    void givenAnInstructor_whenTheCapacityIsOutside2To1000_thenValidation() {
        assertRejected(() -> RoomSpec.create(INSTRUCTOR, "Tiny", "private", null, 1), ErrorCode.VALIDATION);
        assertRejected(() -> RoomSpec.create(INSTRUCTOR, "Huge", "private", null, 1001), ErrorCode.VALIDATION);
        assertThat(RoomSpec.create(INSTRUCTOR, "Big", "private", null, 1000).maxMembers()).isEqualTo(1000);
    }

    @Test
    void givenALiftedLargestCapacity_whenCreatingABigRoom_thenItIsAcceptedUpToThatCapacity() {
        assertThat(RoomSpec.create(INSTRUCTOR, "Lecture", "public", null, 6000, 10_000).maxMembers()).isEqualTo(6000);
        assertRejected(() -> RoomSpec.create(INSTRUCTOR, "Lecture", "public", null, 10_001, 10_000), ErrorCode.VALIDATION);
    }

    static void assertRejected(Runnable action, ErrorCode code) {
        assertThatThrownBy(action::run)
                .isInstanceOfSatisfying(MeshException.class, e -> {
                    assertThat(e.code()).isEqualTo(code);
                    assertThat(e.getMessage()).isNotBlank();
                });
    }
}
