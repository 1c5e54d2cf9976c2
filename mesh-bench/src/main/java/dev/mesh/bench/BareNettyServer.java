package dev.mesh.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * The physical limit of a JVM edge: a bare Reactor Netty WebSocket server with one room.
 * Every text frame any client sends is encoded once and written to every connected channel,
 * with one write loop per event loop (one task per loop, one flush per channel), no
 * authentication, no parsing. Answers one line with its port; exits when stdin closes.
 */
public final class BareNettyServer {

    private final Map<EventLoop, List<Channel>> channels = new ConcurrentHashMap<>();

    private BareNettyServer() {
    }

    public static void main(String[] args) {
        BareNettyServer room = new BareNettyServer();
        DisposableServer server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .route(routes -> routes.ws("/ws", (in, out) -> {
                    in.withConnection(connection -> {
                        Channel channel = connection.channel();
                        List<Channel> loop = room.channels.computeIfAbsent(channel.eventLoop(), l -> new CopyOnWriteArrayList<>());
                        loop.add(channel);
                        connection.onDispose(() -> loop.remove(channel));
                    });
                    return in.receive().asByteArray().doOnNext(room::broadcast).then();
                }, WebsocketServerSpec.builder().maxFramePayloadLength(65536).build()))
                .bindNow(Duration.ofSeconds(10));
        ChildMain.reply(Map.of("port", server.port()));
        ChildMain.serve(request -> ChildMain.reply(Map.of("ok", true)));
        server.disposeNow(Duration.ofSeconds(5));
        System.exit(0);
    }

    private void broadcast(byte[] text) {
        for (Map.Entry<EventLoop, List<Channel>> loop : channels.entrySet()) {
            List<Channel> targets = loop.getValue();
            if (targets.isEmpty()) {
                continue;
            }
            Channel first = targets.get(0);
            ByteBuf encoded = first.alloc().buffer(text.length).writeBytes(text);
            loop.getKey().execute(() -> {
                try {
                    for (Channel channel : targets) {
                        channel.writeAndFlush(new TextWebSocketFrame(encoded.retainedDuplicate()), channel.voidPromise());
                    }
                } finally {
                    encoded.release();
                }
            });
        }
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
