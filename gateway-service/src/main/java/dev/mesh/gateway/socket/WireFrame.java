package dev.mesh.gateway.socket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * A text frame as it goes on the wire (RFC 6455 §5.2; server to client, so unmasked, one
 * final fragment): header and UTF-8 payload in one buffer, built once and never changed. The
 * socket writes these bytes past Netty's WebSocket encoder, so a delivery to thousands of
 * sockets is framed once per gateway instead of once per socket; a {@link #shared} frame lives
 * off the heap, and every socket writes it from the same memory without copying it.
 */
public final class WireFrame {

    private static final byte FIN_TEXT = (byte) 0x81;

    private final ByteBuffer bytes;
    private final int headerLength;

    private WireFrame(ByteBuffer bytes, int headerLength) {
        this.bytes = bytes;
        this.headerLength = headerLength;
    }

    /** A frame for one socket (a reply, a ping): on the heap. */
    public static WireFrame text(byte[] utf8) {
        return build(utf8, false);
    }

    /** A frame many sockets write (a fan-out): off the heap, freed by the collector once no socket holds it. */
    public static WireFrame shared(byte[] utf8) {
        return build(utf8, true);
    }

    public static WireFrame text(String text) {
        return text(text.getBytes(StandardCharsets.UTF_8));
    }

    private static WireFrame build(byte[] payload, boolean offHeap) {
        int length = payload.length;
        int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
        ByteBuffer buffer = offHeap ? ByteBuffer.allocateDirect(header + length) : ByteBuffer.allocate(header + length);
        buffer.put(FIN_TEXT);
        if (length < 126) {
            buffer.put((byte) length);
        } else if (length <= 0xFFFF) {
            buffer.put((byte) 126).putShort((short) length);
        } else {
            buffer.put((byte) 127).putLong(length);
        }
        buffer.put(payload).flip();
        return new WireFrame(buffer, header);
    }

    /** Bytes on the wire, header included. */
    public int size() {
        return bytes.limit();
    }

    /**
     * A buffer over the frame's bytes for one write, from any thread: the bytes are neither
     * copied nor freed by the buffer's release (the frame owns them).
     */
    ByteBuf buffer() {
        return Unpooled.wrappedBuffer(bytes);
    }

    /** The frame's text (tests, logs). */
    public String text() {
        return StandardCharsets.UTF_8.decode(bytes.duplicate().position(headerLength)).toString();
    }

    @Override
    public String toString() {
        return text();
    }
}
