package dev.mesh.chat.domain;

import static dev.mesh.chat.domain.RoomSpecTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mesh.contracts.wire.ErrorCode;

class AttachmentsTest {

    private static final List<String> ALLOWED = List.of("image/png", "application/pdf", "text/plain");
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13};
    private static final long TEN_MB = 10 * 1024 * 1024;

    @Test
    void givenAPngDeclaredAsPngWithParameters_whenUploaded_thenItsTypeIsKept() {
        assertThat(Attachments.contentType("IMAGE/PNG; charset=binary", PNG, TEN_MB, ALLOWED)).isEqualTo("image/png");
    }

    @Test
    void givenBytesThatAreNotWhatTheTypeSays_whenUploaded_thenValidation() {
        assertThatThrownBy(() -> Attachments.contentType("application/pdf", PNG, TEN_MB, ALLOWED))
                .hasMessage("The file's content is not application/pdf");
        assertRejected(() -> Attachments.contentType("text/plain", new byte[] {(byte) 0xC3, 0x28}, TEN_MB, ALLOWED),
                ErrorCode.VALIDATION);
    }

    @Test
    void givenATypeOffTheListAnEmptyFileOrATooBigOne_whenUploaded_thenValidation() {
        assertThatThrownBy(() -> Attachments.contentType("application/x-msdownload", PNG, TEN_MB, ALLOWED))
                .hasMessageStartingWith("Files of type 'application/x-msdownload' are not accepted");
        assertRejected(() -> Attachments.contentType("text/plain", new byte[0], TEN_MB, ALLOWED), ErrorCode.VALIDATION);
        assertThatThrownBy(() -> Attachments.contentType("text/plain", "x".repeat(11).getBytes(StandardCharsets.UTF_8),
                10, ALLOWED)).hasMessage("A file can be at most 0 MB");
    }

    @Test
    void givenNamesWithPathsAndControlCharacters_whenStored_thenOnlyTheCleanLastSegmentRemains() {
        assertThat(Attachments.name("../../etc/passwd")).isEqualTo("passwd");
        assertThat(Attachments.name("C:\\Users\\ada\\notes\u0000.txt")).isEqualTo("notes.txt");
        assertThat(Attachments.name("  ")).isEqualTo("file");
        assertThat(Attachments.name("é".repeat(250))).hasSize(200);
    }

    @Test
    void givenAFileOfAnotherRoomOrUser_whenAttached_thenValidation_andMembersOfFileRoomsMayUpload() {
        Attachments.attach("u-ada", "r1", "r1", "u-ada");
        assertRejected(() -> Attachments.attach("u-ada", "r2", "r1", "u-ada"), ErrorCode.VALIDATION);
        assertRejected(() -> Attachments.attach("u-alan", "r1", "r1", "u-ada"), ErrorCode.VALIDATION);
        Attachments.mayUpload(true, true);
        assertRejected(() -> Attachments.mayUpload(false, true), ErrorCode.FORBIDDEN);
        assertRejected(() -> Attachments.mayUpload(true, false), ErrorCode.FORBIDDEN);
    }
}
