package dev.mesh.gateway.socketio;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.wire.ServerFrame;
import dev.mesh.gateway.socket.ClientSession;
import dev.mesh.gateway.socket.WireFormat;

/**
 * Server frames as Socket.IO packets inside Engine.IO message packets (ARCHITECTURE §4): an
 * event is {@code 42["<type>",{topic?,seq?,data}]} — the native frame without {@code type} as
 * its single argument; a reply answers the command's ack callback,
 * {@code 43<ackId>[{type:"ack"|"error",ref,…}]}, or without one comes as an {@code ack} /
 * {@code error} event.
 */
final class SocketIoFormat implements WireFormat {

    static final SocketIoFormat INSTANCE = new SocketIoFormat();

    /** Engine.IO ping; the client answers {@code 3}. */
    static final String PING = "2";

    private SocketIoFormat() {
    }

    @Override
    public String encode(ServerFrame frame) {
        ObjectNode argument = (ObjectNode) MeshJson.tree(frame);
        argument.remove("type");
        ArrayNode packet = MeshJson.mapper().createArrayNode().add(frame.type()).add(argument);
        return "42" + MeshJson.write(packet);
    }

    @Override
    public String encodeReply(ClientSession session, ServerFrame reply) {
        Long ackId = session.takeAck(reply.ref());
        if (ackId == null) {
            return encode(reply);
        }
        ArrayNode arguments = MeshJson.mapper().createArrayNode().add(MeshJson.tree(reply));
        return "43" + ackId + MeshJson.write(arguments);
    }

    @Override
    public String ping() {
        return PING;
    }
}
