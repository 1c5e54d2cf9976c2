package dev.mesh.chat.domain;

import static dev.mesh.chat.domain.RoomSpecTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.mesh.contracts.wire.ErrorCode;

class MessageDraftTest {

    @Test
    void givenContentWithSurroundingSpace_whenDrafted_thenItIsTrimmedAndTypedText() {
        MessageDraft draft = MessageDraft.of("  hello \n", null, null, null);

        assertThat(draft.content()).isEqualTo("hello");
        assertThat(draft.type()).isEqualTo("text");
        assertThat(draft.replyTo()).isNull();
        assertThat(draft.mentions()).isEmpty();
    }

    @Test
    void givenEmptyOrBlankContent_whenDrafted_thenValidation() {
        assertRejected(() -> MessageDraft.of("", null, null, null), ErrorCode.VALIDATION);
        assertRejected(() -> MessageDraft.of(" \t\n ", null, null, null), ErrorCode.VALIDATION);
        assertRejected(() -> MessageDraft.of(null, null, null, null), ErrorCode.VALIDATION);
    }

    @Test
    void givenControlCharacters_whenDrafted_thenRefused_butLineBreaksTabsAndInvisibleFormattingAreText() {
        assertRejected(() -> MessageDraft.of("nul \u0000 here", null, null, null), ErrorCode.VALIDATION);
        assertRejected(() -> MessageDraft.of("bell \u0007", null, null, null), ErrorCode.VALIDATION);
        String text = "line one\n\tline two \u200B\u202Eright-to-left";
        assertThat(MessageDraft.of(text, null, null, null).content()).isEqualTo(text);
    }

    @Test
    void givenContentOf2000CharactersAfterTrim_whenDrafted_thenAcceptedAnd2001IsNot() {
        assertThat(MessageDraft.of(" " + "a".repeat(2000) + " ", null, null, null).content()).hasSize(2000);
        assertRejected(() -> MessageDraft.of("a".repeat(2001), null, null, null), ErrorCode.VALIDATION);
    }

    @Test
    void givenEmojiContent_whenCounted_thenCharactersNotUtf16UnitsCount() {
        // 2000 emoji are 4000 UTF-16 units but 2000 characters.
        assertThat(MessageDraft.of("🎉".repeat(2000), null, null, null).content()).hasSize(4000);
    }

    @Test
    void givenAClientTryingASystemMessage_whenDrafted_thenValidation() {
        assertRejected(() -> MessageDraft.of("hi", "system", null, null), ErrorCode.VALIDATION);
        assertThat(MessageDraft.of("a.pdf", "file", null, null).type()).isEqualTo("file");
    }

    @Test
    void givenAReplyTo_whenItIsNotAnId_thenValidation() {
        UUID parent = UuidV7.next();
        assertThat(MessageDraft.of("yes", null, parent.toString(), null).replyTo()).isEqualTo(parent);
        assertRejected(() -> MessageDraft.of("yes", null, "not-an-id", null), ErrorCode.VALIDATION);
    }

    @Test
    void givenMentions_whenMoreThanTenDistinct_thenValidation() {
        List<String> ten = IntStream.range(0, 10).mapToObj(i -> "u" + i).toList();
        List<String> withDuplicates = new ArrayList<>(ten);
        withDuplicates.add("u0");
        assertThat(MessageDraft.of("hi all", null, null, withDuplicates).mentions()).isEqualTo(ten);

        List<String> eleven = IntStream.range(0, 11).mapToObj(i -> "u" + i).toList();
        assertRejected(() -> MessageDraft.of("hi all", null, null, eleven), ErrorCode.VALIDATION);
    }
}
