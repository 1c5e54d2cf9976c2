package dev.mesh.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.UserRef;

/** {@code chat:read}: markers, unread counts in the join's ack and over HTTP, read receipts. */
class ChatReadMarkersTest extends ChatServiceTestSupport {

    @Test
    void aReadMovesTheMarkerForwardOnlyUpdatesTheReadersDevicesAndTellsTheAuthors() throws SQLException {
        String roomId = createRoom(ADA, "Reading", "public").get("id").asString();
        awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan");
        awaitReply(send(BARBARA, "s-barbara", roomId, "chat:join", Map.of("roomId", roomId)), "s-barbara");
        long first = post(ADA, "s-ada", roomId, "one");
        post(ADA, "s-ada", roomId, "two");
        long third = post(BARBARA, "s-barbara", roomId, "three");
        long fourth = post(ADA, "s-ada", roomId, "four");
        post(ALAN, "s-alan", roomId, "mine");

        // A reconnect: four messages by others since Alan joined; his own does not count.
        Delivery.Reply rejoin = awaitReply(send(ALAN, "s-alan-2", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan-2");
        assertThat(rejoin.data().get("unreadCount").asInt()).isEqualTo(4);
        assertThat(unreadOverHttp(roomId)).isEqualTo(4);

        Delivery.Reply read = awaitReply(send(ALAN, "s-alan", roomId, "chat:read",
                Map.of("roomId", roomId, "upToSeq", third)), "s-alan");
        assertThat(read.ok()).as(read.message()).isTrue();
        assertThat(read.data().get("lastReadSeq").asLong()).isEqualTo(third);
        assertThat(read.data().get("unreadCount").asLong()).isEqualTo(1);
        assertThat(unreadOverHttp(roomId)).isEqualTo(1);
        assertThat(count("SELECT last_read_seq FROM chat_members WHERE room_id = ? AND user_id = ?", roomId, ALAN.id()))
                .isEqualTo(third);

        Delivery.Event toDevices = eventTo(Delivery.Audience.user(ALAN.id()), "chat:unread");
        assertThat(toDevices.seq()).isNull();
        assertThat(toDevices.data().get("unreadCount").asLong()).isEqualTo(1);
        for (String author : List.of(ADA.id(), BARBARA.id())) {
            Delivery.Event receipt = eventTo(Delivery.Audience.user(author), "chat:read_receipt");
            assertThat(receipt.seq()).isNull();
            assertThat(receipt.topic()).isEqualTo("chat:room:" + roomId);
            assertThat(receipt.data().get("userId").asString()).isEqualTo(ALAN.id());
            assertThat(receipt.data().get("name").asString()).isEqualTo(ALAN.name());
            assertThat(receipt.data().get("upToSeq").asLong()).isEqualTo(third);
        }

        // Another device read less: the marker stays, nobody is told again.
        long receiptsBefore = receipts();
        Delivery.Reply behind = awaitReply(send(ALAN, "s-alan-2", roomId, "chat:read",
                Map.of("roomId", roomId, "upToSeq", first)), "s-alan-2");
        assertThat(behind.data().get("lastReadSeq").asLong()).isEqualTo(third);
        assertThat(receipts()).isEqualTo(receiptsBefore);

        // A deleted message is no longer unread.
        awaitReply(send(ADA, "s-ada", roomId, "chat:delete", Map.of("roomId", roomId,
                "messageId", messageIdAt(roomId, fourth))), "s-ada");
        assertThat(unreadOverHttp(roomId)).isZero();
    }

    @Test
    void readsAreRefusedPastTheEndOutsideTheRoomAndWithoutASeq() {
        String roomId = createRoom(ADA, "Reading errors", "public").get("id").asString();
        awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan");

        Delivery.Reply past = awaitReply(send(ALAN, "s-alan", roomId, "chat:read",
                Map.of("roomId", roomId, "upToSeq", 99)), "s-alan");
        assertThat(past.code()).isEqualTo("VALIDATION");
        assertThat(past.message()).isEqualTo("upToSeq 99 is past the room's last seq 1");
        assertThat(awaitReply(send(ALAN, "s-alan", roomId, "chat:read", Map.of("roomId", roomId)), "s-alan").code())
                .isEqualTo("VALIDATION");
        assertThat(awaitReply(send(BARBARA, "s-barbara", roomId, "chat:read",
                Map.of("roomId", roomId, "upToSeq", 1)), "s-barbara").code()).isEqualTo("FORBIDDEN");
        assertThat(awaitReply(send(ALAN, "s-alan", "no-such-room", "chat:read",
                Map.of("roomId", "no-such-room", "upToSeq", 1)), "s-alan").code()).isEqualTo("NOT_FOUND");
    }

    @Test
    void aRoomOfMoreThanTwentyMembersSendsNoReceipts() throws SQLException {
        String roomId = createRoom(ADA, "Lecture hall", "public").get("id").asString();
        awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan");
        for (int i = 0; i < 19; i++) {
            execute("INSERT INTO chat_members (room_id, user_id, user_name, role) VALUES (?, ?, ?, 'member')",
                    roomId, "u-listener-" + i, "Listener " + i);
        }
        long seq = post(ADA, "s-ada", roomId, "welcome, all 21 of you");
        long receiptsBefore = receipts();

        Delivery.Reply read = awaitReply(send(ALAN, "s-alan", roomId, "chat:read",
                Map.of("roomId", roomId, "upToSeq", seq)), "s-alan");

        assertThat(read.data().get("unreadCount").asLong()).isZero();
        assertThat(receipts()).isEqualTo(receiptsBefore);
    }

    private long post(UserRef author, String sessionId, String roomId, String content) {
        Delivery.Reply ack = awaitReply(send(author, sessionId, roomId, "chat:message",
                Map.of("roomId", roomId, "content", content)), sessionId);
        assertThat(ack.ok()).as(ack.message()).isTrue();
        return ack.data().get("seq").asLong();
    }

    private long unreadOverHttp(String roomId) {
        byte[] body = http.get().uri("/api/chat/rooms/unread")
                .header(HttpHeaders.AUTHORIZATION, bearer(ALAN))
                .exchange()
                .expectStatus().isOk()
                .expectBody().returnResult().getResponseBody();
        for (JsonNode item : MeshJson.read(new String(body, StandardCharsets.UTF_8), JsonNode.class)
                .get("items")) {
            if (item.get("roomId").asString().equals(roomId)) {
                return item.get("unreadCount").asLong();
            }
        }
        throw new AssertionError("no unread count for room " + roomId);
    }

    private Delivery.Event eventTo(Delivery.Audience audience, String type) {
        return deliveries.stream()
                .filter(d -> d.event() != null && audience.equals(d.audience()) && type.equals(d.event().type()))
                .reduce((a, b) -> b).map(Delivery::event)
                .orElseThrow(() -> new AssertionError("no " + type + " to " + audience));
    }

    private long receipts() {
        return deliveries.stream().filter(d -> d.event() != null && "chat:read_receipt".equals(d.event().type())).count();
    }

    private static String messageIdAt(String roomId, long seq) throws SQLException {
        try (Connection c = DriverManager.getConnection(DB.jdbcUrl(), DB.username(), DB.password());
             PreparedStatement q = c.prepareStatement("SELECT id::text FROM chat_messages WHERE room_id = ? AND seq = ?")) {
            q.setString(1, roomId);
            q.setLong(2, seq);
            try (ResultSet rows = q.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        }
    }
}
