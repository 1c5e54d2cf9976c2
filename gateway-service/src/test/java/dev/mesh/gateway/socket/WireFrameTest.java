package dev.mesh.gateway.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;

/** Frames built once for the wire read back, by Netty's own client-side decoder, as the text they carry. */
class WireFrameTest {

    @ParameterizedTest(name = "payload of {0} bytes")
    @ValueSource(ints = {0, 1, 125, 126, 127, 65_535, 65_536, 200_000})
    void givenATextOfAnyLengthClass_whenFramedAndDecodedByAClient_thenTheSameTextArrives(int length) {
        String text = "é".repeat(length / 2) + "x".repeat(length % 2); // multi-byte UTF-8 included
        for (WireFrame frame : new WireFrame[] {WireFrame.text(text), WireFrame.shared(text.getBytes(StandardCharsets.UTF_8))}) {
            EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
                    .expectMaskedFrames(false).maxFramePayloadLength(1 << 20).build()));

            ByteBuf written = frame.buffer();
            assertThat(frame.size()).isEqualTo(written.readableBytes());
            client.writeInbound(written);

            TextWebSocketFrame decoded = client.readInbound();
            assertThat(decoded).isNotNull();
            assertThat(decoded.isFinalFragment()).isTrue();
            assertThat(decoded.text()).isEqualTo(text);
            assertThat(frame.text()).isEqualTo(text);
            decoded.release();
            assertThat(client.finishAndReleaseAll()).isFalse();
        }
    }

    @ParameterizedTest(name = "payload of {0} bytes")
    @ValueSource(ints = {3, 70_000})
    void givenOneSharedFrame_whenManySocketsWriteIt_thenEachGetsAllOfItAndItStaysWhole(int length) {
        WireFrame frame = WireFrame.shared("y".repeat(length).getBytes(StandardCharsets.UTF_8));
        ByteBuf first = frame.buffer();
        first.skipBytes(first.readableBytes()); // one socket wrote it all
        first.release();

        ByteBuf second = frame.buffer();

        assertThat(second.readableBytes()).isEqualTo(frame.size());
        assertThat(frame.text()).hasSize(length);
        second.release();
    }
}
