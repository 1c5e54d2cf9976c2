package dev.mesh.chat.domain;

import static dev.mesh.chat.domain.RoomSpecTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.ErrorCode;
import dev.mesh.contracts.wire.MeshException;

class MessageRulesTest {

    private static final Duration WINDOW = Duration.ofMinutes(5);
    private static final long POSTED = 1_000_000L;
    private static final UserRef AUTHOR = new UserRef("u-alan", "Alan", List.of("student"));
    private static final UserRef OTHER = new UserRef("u-barbara", "Barbara", List.of("student"));
    private static final UserRef ADMIN = new UserRef("u-grace", "Grace", List.of("admin"));
    private static final MessageRules.Target MESSAGE = new MessageRules.Target(AUTHOR.id(), POSTED, false);
    private static final MessageRules.Target DELETED = new MessageRules.Target(AUTHOR.id(), POSTED, true);

    @Test
    void givenOwnMessage_whenEditedWithinTheWindow_thenAllowed() {
        assertThatCode(() -> MessageRules.edit(AUTHOR, RoomType.PUBLIC, MemberRole.member, MESSAGE,
                POSTED + WINDOW.toMillis(), WINDOW)).doesNotThrowAnyException();
    }

    @Test
    void givenOwnMessage_whenEditedAfterTheWindow_thenForbiddenSayingTheWindowPassed() {
        assertThatThrownBy(() -> MessageRules.edit(AUTHOR, RoomType.PUBLIC, MemberRole.member, MESSAGE,
                POSTED + WINDOW.toMillis() + 1, WINDOW))
                .isInstanceOfSatisfying(MeshException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
                    assertThat(e.getMessage()).contains("edit window of 5 minutes has passed");
                });
    }

    @Test
    void givenSomeoneElsesMessage_whenAMemberEditsIt_thenForbiddenSayingItIsNotTheirs() {
        assertThatThrownBy(() -> MessageRules.edit(OTHER, RoomType.PUBLIC, MemberRole.member, MESSAGE, POSTED, WINDOW))
                .isInstanceOfSatisfying(MeshException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
                    assertThat(e.getMessage()).contains("only your own messages");
                });
    }

    @Test
    void givenAnyMessageLongAfterTheWindow_whenTheOwnerAModeratorOrAnAdminEditsIt_thenAllowed() {
        long late = POSTED + Duration.ofDays(3).toMillis();
        assertThatCode(() -> MessageRules.edit(OTHER, RoomType.PUBLIC, MemberRole.owner, MESSAGE, late, WINDOW))
                .doesNotThrowAnyException();
        assertThatCode(() -> MessageRules.edit(OTHER, RoomType.PRIVATE, MemberRole.moderator, MESSAGE, late, WINDOW))
                .doesNotThrowAnyException();
        assertThatCode(() -> MessageRules.edit(ADMIN, RoomType.PRIVATE, null, MESSAGE, late, WINDOW))
                .doesNotThrowAnyException();
    }

    @Test
    void givenADirectConversation_whenAnAdminWhoIsNotInItEditsOrDeletes_thenForbidden() {
        assertRejected(() -> MessageRules.edit(ADMIN, RoomType.DIRECT, null, MESSAGE, POSTED, WINDOW), ErrorCode.FORBIDDEN);
        assertRejected(() -> MessageRules.delete(ADMIN, RoomType.DIRECT, null, MESSAGE), ErrorCode.FORBIDDEN);
    }

    @Test
    void givenANonMember_whenEditingOrDeletingEvenTheirOwnMessage_thenForbidden() {
        assertRejected(() -> MessageRules.edit(AUTHOR, RoomType.PUBLIC, null, MESSAGE, POSTED, WINDOW), ErrorCode.FORBIDDEN);
        assertRejected(() -> MessageRules.delete(AUTHOR, RoomType.PUBLIC, null, MESSAGE), ErrorCode.FORBIDDEN);
    }

    @Test
    void givenADeletedMessage_whenEvenAModeratorEditsIt_thenConflict() {
        assertRejected(() -> MessageRules.edit(AUTHOR, RoomType.PUBLIC, MemberRole.member, DELETED, POSTED, WINDOW),
                ErrorCode.CONFLICT);
        assertRejected(() -> MessageRules.edit(ADMIN, RoomType.PUBLIC, null, DELETED, POSTED, WINDOW), ErrorCode.CONFLICT);
    }

    @Test
    void givenOwnMessage_whenDeletedAnyTime_thenThereIsSomethingToDo() {
        assertThat(MessageRules.delete(AUTHOR, RoomType.PUBLIC, MemberRole.member, MESSAGE)).isTrue();
    }

    @Test
    void givenSomeoneElsesMessage_whenAMemberDeletesIt_thenForbiddenButAModeratorOrAdminMay() {
        assertRejected(() -> MessageRules.delete(OTHER, RoomType.PUBLIC, MemberRole.member, MESSAGE), ErrorCode.FORBIDDEN);
        assertThat(MessageRules.delete(OTHER, RoomType.PUBLIC, MemberRole.moderator, MESSAGE)).isTrue();
        assertThat(MessageRules.delete(OTHER, RoomType.PUBLIC, MemberRole.owner, MESSAGE)).isTrue();
        assertThat(MessageRules.delete(ADMIN, RoomType.STUDY_GROUP, null, MESSAGE)).isTrue();
    }

    @Test
    void givenADeletedMessage_whenDeletedAgain_thenNothingToDo() {
        assertThat(MessageRules.delete(AUTHOR, RoomType.PUBLIC, MemberRole.member, DELETED)).isFalse();
    }

    @Test
    void givenAReaction_whenTheSenderIsNotAMemberOrTheMessageIsDeleted_thenForbiddenOrConflict() {
        assertRejected(() -> MessageRules.react(null, MESSAGE), ErrorCode.FORBIDDEN);
        assertRejected(() -> MessageRules.react(MemberRole.member, DELETED), ErrorCode.CONFLICT);
        assertThatCode(() -> MessageRules.react(MemberRole.member, MESSAGE)).doesNotThrowAnyException();
    }

    @Test
    void givenAMessageId_whenNotAUuid_thenValidation() {
        assertRejected(() -> MessageRules.messageId("nope"), ErrorCode.VALIDATION);
        assertRejected(() -> MessageRules.messageId(null), ErrorCode.VALIDATION);
    }
}
