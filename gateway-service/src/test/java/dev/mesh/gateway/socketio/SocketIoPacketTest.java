package dev.mesh.gateway.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Engine.IO 4 / Socket.IO 5 client packets as the gateway reads them. */
class SocketIoPacketTest {

    @Test
    void enginePingAndPong() {
        assertThat(SocketIoPacket.parse("2").engineType()).isEqualTo(SocketIoPacket.ENGINE_PING);
        assertThat(SocketIoPacket.parse("3").engineType()).isEqualTo(SocketIoPacket.ENGINE_PONG);
    }

    @Test
    void connectWithAnAuthPayload() {
        SocketIoPacket connect = SocketIoPacket.parse("40{\"token\":\"abc\"}");

        assertThat(connect.socketType()).isEqualTo(SocketIoPacket.CONNECT);
        assertThat(connect.namespace()).isEqualTo("/");
        assertThat(connect.payload().get("token").asString()).isEqualTo("abc");
        assertThat(SocketIoPacket.parse("40").payload()).isNull();
    }

    @Test
    void connectToAnotherNamespace() {
        SocketIoPacket connect = SocketIoPacket.parse("40/admin,{\"token\":\"abc\"}");

        assertThat(connect.namespace()).isEqualTo("/admin");
        assertThat(connect.payload().get("token").asString()).isEqualTo("abc");
    }

    @Test
    void eventsWithAndWithoutAnAckId() {
        SocketIoPacket plain = SocketIoPacket.parse("42[\"chat:typing\",{\"roomId\":\"r\"}]");
        SocketIoPacket withAck = SocketIoPacket.parse("4217[\"chat:message\",{\"roomId\":\"r\",\"id\":\"u\"}]");

        assertThat(plain.socketType()).isEqualTo(SocketIoPacket.EVENT);
        assertThat(plain.ackId()).isNull();
        assertThat(withAck.ackId()).isEqualTo(17L);
        assertThat(withAck.payload().get(0).asString()).isEqualTo("chat:message");
        assertThat(withAck.payload().get(1).get("id").asString()).isEqualTo("u");
    }

    @Test
    void binaryPacketsAreRecognisedWithoutParsingTheirPlaceholders() {
        SocketIoPacket binary = SocketIoPacket.parse("451-[\"upload\",{\"_placeholder\":true,\"num\":0}]");

        assertThat(binary.socketType()).isEqualTo(SocketIoPacket.BINARY_EVENT);
    }

    @Test
    void malformedPacketsAreRefusedWithAReason() {
        assertThatThrownBy(() -> SocketIoPacket.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> SocketIoPacket.parse("4x")).hasMessageContaining("packet type");
        assertThatThrownBy(() -> SocketIoPacket.parse("42[\"a\",")).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> SocketIoPacket.parse("9hello")).hasMessageContaining("Engine.IO");
    }
}
