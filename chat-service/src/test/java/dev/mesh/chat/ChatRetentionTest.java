package dev.mesh.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

import dev.mesh.chat.messaging.RetentionSweeper;
import dev.mesh.contracts.kafka.Delivery;

/** History retention: what is older than a room's {@code historyRetentionDays} is deleted by the sweep. */
class ChatRetentionTest extends ChatServiceTestSupport {

    @Autowired
    RetentionSweeper sweeper;

    @Test
    void theSweepDeletesHistoryPastTheRoomsRetentionAndAResumeAcrossItPagesOverHttp() throws SQLException {
        String roomId = createRoom(ADA, "Short memory", "public").get("id").asString();
        http.patch().uri("/api/chat/rooms/{id}", roomId).header(HttpHeaders.AUTHORIZATION, bearer(ADA))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("historyRetentionDays", 1))
                .exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.historyRetentionDays").isEqualTo(1);
        awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan");
        long old = awaitReply(send(ALAN, "s-alan", roomId, "chat:message", Map.of("roomId", roomId, "content", "old news")),
                "s-alan").data().get("seq").asLong();
        long fresh = awaitReply(send(ALAN, "s-alan", roomId, "chat:message", Map.of("roomId", roomId, "content", "news")),
                "s-alan").data().get("seq").asLong();
        execute("UPDATE chat_messages SET created_at = now() - interval '2 days' WHERE room_id = ? AND seq <= ?", roomId, old);
        execute("UPDATE mesh_stream_events SET created_at = now() - interval '2 days' WHERE stream_id = ? AND seq <= ?",
                "chat:room:" + roomId, old);

        assertThat(sweeper.sweepOnce().block(Duration.ofSeconds(30))).isGreaterThanOrEqualTo(2);

        assertThat(count("SELECT count(*) FROM chat_messages WHERE room_id = ?", roomId)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM chat_messages WHERE room_id = ? AND seq = ?", roomId, fresh)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM mesh_stream_events WHERE stream_id = ? AND seq <= ?", "chat:room:" + roomId, old))
                .isZero();
        // A client that last saw the room before the deleted events cannot be replayed a gap: it pages.
        Delivery.Reply resumed = awaitReply(send(ALAN, "s-alan-2", roomId, "chat:join",
                Map.of("roomId", roomId, "sinceSeq", 0)), "s-alan-2");
        assertThat(resumed.data().get("recovered").asBoolean()).isFalse();
        http.get().uri("/api/chat/rooms/{id}/messages?afterSeq=0", roomId).header(HttpHeaders.AUTHORIZATION, bearer(ALAN))
                .exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.items.length()").isEqualTo(1)
                .jsonPath("$.items[0].content").isEqualTo("news");
    }
}
