package dev.mesh.chat.domain;

import static dev.mesh.chat.domain.RoomSpecTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.mesh.contracts.wire.ErrorCode;

class SearchTest {

    @Test
    void givenWordsAndNoLimit_whenSearching_thenTheyAreTrimmedAndThePageIs20() {
        assertThat(Search.query("  derivative  ", null)).isEqualTo(new Search.Query("derivative", 20));
    }

    @Test
    void givenAnEmptyTooLongOrControlQueryOrABadLimit_whenSearching_thenValidation() {
        assertRejected(() -> Search.query(" ", null), ErrorCode.VALIDATION);
        assertRejected(() -> Search.query("a".repeat(201), null), ErrorCode.VALIDATION);
        assertRejected(() -> Search.query("a\u0002b", null), ErrorCode.VALIDATION);
        assertRejected(() -> Search.query("a", 0), ErrorCode.VALIDATION);
        assertRejected(() -> Search.query("a", 51), ErrorCode.VALIDATION);
    }

    @Test
    void givenAMarkedSnippetWithMarkup_whenShown_thenTheTextIsEscapedAndOnlyTheMatchesAreMarked() {
        String marked = "<script>alert('x')</script> the \u0002integral\u0003 & \"more\"";

        assertThat(Search.snippetHtml(marked)).isEqualTo(
                "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; the <mark>integral</mark> &amp; &quot;more&quot;");
    }
}
