package dev.mesh.gateway.socket;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.mesh.contracts.wire.CloseCodes;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import reactor.netty.NettyPipeline;

/**
 * A session's frames written straight to its Netty channel: no reactive pipeline per socket,
 * so a fan-out to thousands of sockets costs one event-loop task per loop and one write and
 * flush per socket (ARCHITECTURE §5). Frames come framed for the wire ({@link WireFrame}): a
 * delivery's bytes are framed once and shared by its receivers, not copied.
 */
final class ChannelOutlet implements ClientSession.Outlet {

    private final Channel channel;
    private final Duration closeTimeout;

    ChannelOutlet(Channel channel, Duration closeTimeout) {
        this.channel = channel;
        this.closeTimeout = closeTimeout;
    }

    @Override
    public EventExecutor loop() {
        return channel.eventLoop();
    }

    @Override
    public void write(WireFrame frame) {
        // Already framed: the bytes pass Netty's WebSocket encoder (it encodes WebSocketFrame
        // objects only) to the socket as they are. The unsafe void promise fails quietly: a write
        // to a socket that just reset is not an error to report.
        channel.write(frame.buffer(), channel.unsafe().voidPromise());
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

    /**
     * Reactor Netty's own close writes the close frame and closes the connection at once: with the
     * client's frames still unread, the kernel resets the connection, and a client still writing
     * (a flooder, a client sending behind a bad frame) drops the close frame it had received.
     * Here the close frame is written, and the connection stays open for reading, the client's
     * frames dropped unseen, until the client's own close frame (then nothing is left unread),
     * its end of stream, or {@code closeTimeout}.
     */
    @Override
    public void close(int code) {
        if (!channel.isActive()) {
            return;
        }
        ChannelPipeline pipeline = channel.pipeline();
        if (pipeline.get(NettyPipeline.ReactiveBridge) != null) {
            pipeline.addBefore(NettyPipeline.ReactiveBridge, ClosingHandshake.NAME, new ClosingHandshake());
        } else {
            pipeline.addLast(ClosingHandshake.NAME, new ClosingHandshake());
        }
        channel.writeAndFlush(new CloseWebSocketFrame(code, reasonOf(code)));
        ScheduledFuture<?> timeout = channel.eventLoop().schedule(() -> {
            channel.close();
        }, closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        channel.closeFuture().addListener(closed -> timeout.cancel(false));
        // Reading may have been paused for backpressure; the rest is dropped here, so read on.
        channel.config().setAutoRead(true);
        channel.read();
    }

    /** After the gateway's close frame: reads the client's frames and drops them; its close frame ends the connection. */
    private static final class ClosingHandshake extends ChannelInboundHandlerAdapter {
        static final String NAME = "mesh.closingHandshake";

        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            boolean answered = message instanceof CloseWebSocketFrame;
            ReferenceCountUtil.release(message);
            if (answered) {
                context.close();
            }
        }
    }

    static String reasonOf(int code) {
        return switch (code) {
            case CloseCodes.AUTH_FAILED -> "Authentication failed or expired";
            case CloseCodes.FORBIDDEN -> "Forbidden";
            case CloseCodes.BINARY_NOT_ACCEPTED -> "Only text frames are accepted";
            case CloseCodes.INVALID_UTF8 -> "Text frames must be valid UTF-8";
            case CloseCodes.TRY_AGAIN_LATER -> "Too slow or overloaded; reconnect later";
            case CloseCodes.POLICY -> "Too many frames after being told to wait";
            case CloseCodes.SERVICE_RESTART -> "Server restarting; reconnect";
            case CloseCodes.NORMAL -> "Closing";
            default -> "";
        };
    }
}
