package dev.mesh.gateway.socket;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;

import io.netty.channel.Channel;
import io.netty.channel.ChannelId;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import reactor.netty.http.server.HttpServer;

/**
 * The server's open client channels by id, so a WebSocket session (which exposes only its
 * channel id) can reach its Netty channel: to bound its kernel send buffer and to count the
 * bytes Netty still holds for it ({@code SocketSessions}). A closed channel leaves the group
 * by itself.
 */
@Component
public class ClientChannels implements NettyServerCustomizer {

    private final ChannelGroup channels = new DefaultChannelGroup("client-channels", ImmediateEventExecutor.INSTANCE);

    @Override
    public HttpServer apply(HttpServer server) {
        return server.doOnConnection(connection -> channels.add(connection.channel()));
    }

    /** The open channel with this id, or null. */
    public Channel find(ChannelId id) {
        return channels.find(id);
    }
}
