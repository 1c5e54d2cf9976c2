package dev.mesh.gateway.socketio;

import static org.assertj.core.api.Assertions.assertThat;


import org.junit.jupiter.api.Test;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.wire.ErrorCode;
import dev.mesh.contracts.wire.ServerFrame;
import dev.mesh.gateway.socket.ClientSession;

/** Server frames as Socket.IO packets. */
class SocketIoFormatTest {

    private final SocketIoFormat format = SocketIoFormat.INSTANCE;

    @Test
    void anEventIsTheNativeFrameWithoutItsTypeAsTheSingleArgument() {
        ServerFrame event = ServerFrame.event("chat:message", "chat:room:r", 42L, MeshJson.object().put("content", "hi"));

        assertThat(format.encode(event))
                .isEqualTo("42[\"chat:message\",{\"topic\":\"chat:room:r\",\"seq\":42,\"data\":{\"content\":\"hi\"}}]");
    }

    @Test
    void aReplyAnswersTheAckCallbackOfItsCommandOnce() {
        ClientSession session = new ClientSession("s", "127.0.0.1", format, 1 << 20, code -> { });
        session.expectReply("cmd-1", 7);

        String first = format.encodeReply(session, ServerFrame.ack("cmd-1", MeshJson.object().put("seq", 3)));
        String again = format.encodeReply(session, ServerFrame.ack("cmd-1", MeshJson.object().put("seq", 3)));

        assertThat(first).isEqualTo("437[{\"type\":\"ack\",\"ref\":\"cmd-1\",\"data\":{\"seq\":3}}]");
        assertThat(again).as("a duplicate reply has no callback left: it comes as an event")
                .isEqualTo("42[\"ack\",{\"ref\":\"cmd-1\",\"data\":{\"seq\":3}}]");
    }

    @Test
    void anErrorWithoutACallbackIsAnErrorEvent() {
        ClientSession session = new ClientSession("s", "127.0.0.1", format, 1 << 20, code -> { });

        assertThat(format.encodeReply(session, ServerFrame.error("x", ErrorCode.CONFLICT, "taken", null)))
                .isEqualTo("42[\"error\",{\"ref\":\"x\",\"code\":\"CONFLICT\",\"message\":\"taken\"}]");
    }

    @Test
    void theHeartbeatIsAnEngineIoPing() {
        assertThat(format.ping()).isEqualTo("2");
    }
}
