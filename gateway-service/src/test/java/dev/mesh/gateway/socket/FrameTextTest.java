package dev.mesh.gateway.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.web.reactive.socket.WebSocketMessage;

import dev.mesh.contracts.MeshJson;
import tools.jackson.databind.JsonNode;

/** What text the gateway accepts in a frame, given–when–then. */
class FrameTextTest {

    @Test
    void givenValidUtf8WithEmoji_whenDecodedStrictly_thenTheTextComesBack() {
        assertThat(SocketSessions.strictText(text("{\"c\":\"héllo 👍\"}".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("{\"c\":\"héllo 👍\"}");
    }

    @Test
    void givenInvalidUtf8_whenDecodedStrictly_thenNull() {
        assertThat(SocketSessions.strictText(text(new byte[] {'a', (byte) 0xFF}))).isNull();
        assertThat(SocketSessions.strictText(text(new byte[] {(byte) 0xC0, (byte) 0xAF}))).isNull();
        assertThat(SocketSessions.strictText(text(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}))).isNull();
        assertThat(SocketSessions.strictText(text(new byte[] {'a', (byte) 0xE2}))).isNull();
    }

    @Test
    void givenNulOrALoneSurrogateAnywhereInTheData_whenChecked_thenTheReasonIsGiven() {
        assertThat(SocketSessions.invalidText(json("{\"a\":[{\"b\":\"x\\u0000\"}]}"))).contains("NUL");
        assertThat(SocketSessions.invalidText(json("{\"a\\u0000\":1}"))).contains("NUL");
        assertThat(SocketSessions.invalidText(json("{\"c\":\"a\\ud83db\"}"))).contains("lone surrogate");
        assertThat(SocketSessions.invalidText(json("{\"c\":\"\\ude00\"}"))).contains("lone surrogate");
    }

    @Test
    void givenEmojiZeroWidthAndRtlText_whenChecked_thenItIsValid() {
        assertThat(SocketSessions.invalidText(json("{\"c\":[\"👨‍👩‍👧‍👦\",\"\\u200b\\u202e\",\"\\ud83d\\ude00\",1,null]}"))).isNull();
    }

    private static WebSocketMessage text(byte[] bytes) {
        return new WebSocketMessage(WebSocketMessage.Type.TEXT, DefaultDataBufferFactory.sharedInstance.wrap(bytes));
    }

    private static JsonNode json(String text) {
        return MeshJson.mapper().readTree(text);
    }
}
