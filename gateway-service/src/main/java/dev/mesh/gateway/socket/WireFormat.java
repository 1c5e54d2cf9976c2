package dev.mesh.gateway.socket;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.wire.ServerFrame;

/**
 * How server frames are written on a socket: the native JSON envelope, or Socket.IO packets.
 * Fan-out encodes an event once per format present among its receivers, not once per receiver.
 */
public interface WireFormat {

    /** The native protocol (ARCHITECTURE §4): the frame as JSON. */
    WireFormat NATIVE = new WireFormat() {
        private final String ping = MeshJson.write(ServerFrame.of(ServerFrame.PING, null));

        @Override
        public String encode(ServerFrame frame) {
            return MeshJson.write(frame);
        }

        @Override
        public String ping() {
            return ping;
        }
    };

    /** A frame as any receiver of this format gets it. */
    String encode(ServerFrame frame);

    /** A reply ({@code ack} or {@code error}) to one session's command; Socket.IO answers the command's ack callback. */
    default String encodeReply(ClientSession session, ServerFrame reply) {
        return encode(reply);
    }

    /** The server's heartbeat frame. */
    String ping();
}
