package dev.mesh.dev;

import static dev.mesh.dev.TestMesh.WAIT;
import static dev.mesh.dev.TestMesh.connectWithHeader;
import static dev.mesh.dev.TestMesh.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.wire.StreamTopics;
import dev.mesh.testkit.infra.MeshInfra;
import dev.mesh.testkit.ws.WsTestClient;

/**
 * Twenty clients on both gateway instances post to one room at once: the room's seq is gap-free,
 * every client sees every message exactly once, and all see the same order (ARCHITECTURE §5).
 */
class ChatConcurrencyEndToEndTest {

    private static final int CLIENTS = 20;
    private static final int MESSAGES_EACH = 5;

    @Test
    void twentyClientsPostingAtOnceSeeOneGapFreeOrder() throws Exception {
        TestMesh mesh = TestMesh.get();
        String run = UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> created = TestMesh.post(mesh.gateway1, "/api/chat/rooms", TestMesh.token("ada", "instructor"),
                MeshJson.write(Map.of("name", "Rush " + run, "type", "public")));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String roomId = MeshJson.read(created.body(), JsonNode.class).get("id").asString();
        String topic = StreamTopics.chatRoom(roomId);

        List<WsTestClient> clients = new ArrayList<>();
        try {
            long lastSeq = 0;
            for (int i = 0; i < CLIENTS; i++) {
                WsTestClient client = connectWithHeader(i % 2 == 0 ? mesh.gateway1 : mesh.gateway2, "rush" + i + "-" + run);
                clients.add(client);
                JsonNode ack = client.awaitReply(client.sendCommand("chat:join", Map.of("roomId", roomId)), WAIT);
                assertThat(text(ack, "type")).as(ack.toString()).isEqualTo("ack");
                lastSeq = ack.get("data").get("lastSeq").asLong();
            }
            long firstSeq = lastSeq + 1;
            int total = CLIENTS * MESSAGES_EACH;

            try (ExecutorService posters = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    WsTestClient client = clients.get(i);
                    int poster = i;
                    done.add(posters.submit(() -> {
                        for (int m = 0; m < MESSAGES_EACH; m++) {
                            JsonNode ack = client.awaitReply(client.sendCommand("chat:message",
                                    Map.of("roomId", roomId, "content", "rush " + poster + "." + m)), WAIT);
                            assertThat(text(ack, "type")).as(ack.toString()).isEqualTo("ack");
                        }
                        return null;
                    }));
                }
                for (Future<?> future : done) {
                    future.get();
                }
            }

            List<Long> expected = LongStream.range(firstSeq, firstSeq + total).boxed().toList();
            List<String> reference = null;
            for (WsTestClient client : clients) {
                client.await(f -> "chat:message".equals(text(f, "type")) && topic.equals(text(f, "topic"))
                        && f.get("seq").asLong() == firstSeq + total - 1, WAIT);
                List<JsonNode> messages = client.received().stream()
                        .filter(f -> "chat:message".equals(text(f, "type")) && topic.equals(text(f, "topic")))
                        .toList();
                assertThat(messages).extracting(f -> f.get("seq").asLong()).containsExactlyElementsOf(expected);
                List<String> order = messages.stream().map(f -> text(f.get("data"), "messageId")).toList();
                if (reference == null) {
                    reference = order;
                }
                assertThat(order).isEqualTo(reference);
            }
            assertThat(reference).doesNotHaveDuplicates().hasSize(total);
            assertThat(storedSeqs(roomId)).containsExactlyElementsOf(expected);
        } finally {
            clients.forEach(WsTestClient::close);
        }
    }

    private static List<Long> storedSeqs(String roomId) throws Exception {
        MeshInfra.Database db = MeshInfra.get().database("e2e_chat");
        List<Long> seqs = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
             PreparedStatement q = c.prepareStatement("SELECT seq FROM chat_messages WHERE room_id = ? ORDER BY seq")) {
            q.setString(1, roomId);
            try (ResultSet rows = q.executeQuery()) {
                while (rows.next()) {
                    seqs.add(rows.getLong(1));
                }
            }
        }
        return seqs;
    }
}
