package dev.mesh.gateway.socket;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.concurrent.EventExecutor;

/**
 * A session's frames written straight to its Netty channel as text frames: no reactive
 * pipeline per socket, so a fan-out to thousands of sockets costs one event-loop task per loop
 * and one write and flush per socket (ARCHITECTURE §5). Each frame's bytes are wrapped, not
 * copied: a delivery's bytes are shared by its receivers.
 */
final class ChannelOutlet implements ClientSession.Outlet {

    private final Channel channel;

    ChannelOutlet(Channel channel) {
        this.channel = channel;
    }

    @Override
    public EventExecutor loop() {
        return channel.eventLoop();
    }

    @Override
    public void write(byte[] utf8Frame) {
        // The unsafe void promise fails quietly: a write to a socket that just reset is not an error to report.
        channel.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(utf8Frame)), channel.unsafe().voidPromise());
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public void whenWritten(Runnable resume) {
        // An empty buffer's write completes once everything before it has gone to the kernel (or failed).
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> resume.run());
    }

    @Override
    public long pendingBytes() {
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }
}
