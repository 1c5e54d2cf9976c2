package dev.mesh.chat.domain;

import static dev.mesh.chat.domain.RoomSpecTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mesh.contracts.wire.ErrorCode;

class ReactionsTest {

    private static final List<String> ALLOWED = List.of("👍", "👎", "❤️", "😂", "😮", "😢", "😡", "🎉");

    @Test
    void givenTheAllowedSet_whenAnAllowedEmojiIsSent_thenItIsAccepted() {
        assertThat(ALLOWED).allSatisfy(emoji -> assertThat(Reactions.emoji(emoji, ALLOWED)).isEqualTo(emoji));
    }

    @Test
    void givenTheAllowedSet_whenAnotherEmojiOrAPartOrACombinationIsSent_thenValidation() {
        assertThatThrownBy(() -> Reactions.emoji("🦄", ALLOWED)).hasMessage("🦄 is not an allowed reaction");
        // Whole strings: the heart without its variation selector, two allowed emoji, padding.
        assertRejected(() -> Reactions.emoji("❤", ALLOWED), ErrorCode.VALIDATION);
        assertRejected(() -> Reactions.emoji("👍👍", ALLOWED), ErrorCode.VALIDATION);
        assertRejected(() -> Reactions.emoji(" 👍", ALLOWED), ErrorCode.VALIDATION);
        assertRejected(() -> Reactions.emoji("", ALLOWED), ErrorCode.VALIDATION);
        assertRejected(() -> Reactions.emoji(null, ALLOWED), ErrorCode.VALIDATION);
    }

    @Test
    void givenAReaction_whenToggled_thenItIsAddedIfAbsentAndTakenBackIfPresent() {
        assertThat(Reactions.toggle(false)).isTrue();
        assertThat(Reactions.toggle(true)).isFalse();
    }
}
