package dev.mesh.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.UserRef;

/** Full-text search, threads, and the message facts chat tells other services on {@code chat.events}. */
class ChatSearchAndThreadsTest extends ChatServiceTestSupport {

    @Test
    void searchFindsWordsByTheirStemsRankedAndHighlightedButNeverInRoomsTheUserIsNotIn() {
        String calculus = createRoom(ADA, "Calculus", "public").get("id").asString();
        String staff = createRoom(ADA, "Staff", "private").get("id").asString();
        awaitReply(send(ALAN, "s-alan", calculus, "chat:join", Map.of("roomId", calculus)), "s-alan");
        awaitReply(send(ADA, "s-ada", calculus, "chat:join", Map.of("roomId", calculus)), "s-ada");
        String integrate = post(ADA, "s-ada", calculus, "Today we integrate polynomials", null).messageId;
        post(ALAN, "s-alan", calculus, "Integrals are areas under curves, integrals everywhere", null);
        post(ADA, "s-ada", calculus, "<b>Trick</b>: an integral of x is x²/2", null);
        Posted doomed = post(ALAN, "s-alan", calculus, "integral question I regret", null);
        post(ALAN, "s-alan", calculus, "Nothing to see here", null);
        awaitReply(send(ADA, "s-ada", staff, "chat:join", Map.of("roomId", staff)), "s-ada");
        post(ADA, "s-ada", staff, "The integral exam answers", null);
        awaitReply(send(ALAN, "s-alan", calculus, "chat:delete", Map.of("roomId", calculus, "messageId", doomed.messageId)),
                "s-alan");

        List<JsonNode> hits = search(ALAN, "integrals", null);

        assertThat(hits).extracting(h -> h.get("roomId").asString()).containsOnly(calculus);
        assertThat(hits).hasSize(3);
        // The message that says it twice ranks first.
        assertThat(hits.get(0).get("snippetHtml").asString()).contains("<mark>Integrals</mark>", "<mark>integrals</mark>");
        assertThat(hits).anySatisfy(h -> assertThat(h.get("messageId").asString()).isEqualTo(integrate));
        // A message's own markup never reaches the snippet as markup (PostgreSQL's parser drops tags; the rest is escaped).
        assertThat(hits).anySatisfy(h -> assertThat(h.get("snippetHtml").asString())
                .startsWith("Trick").contains("<mark>integral</mark>").doesNotContain("<b>"));
        assertThat(hits.get(0).get("roomName").asString()).isEqualTo("Calculus");

        assertThat(search(ADA, "integral", null)).extracting(h -> h.get("roomId").asString()).contains(staff, calculus);
        assertThat(search(ALAN, "integral", staff)).isEmpty();
        assertThat(search(ALAN, "\"integrate polynomials\"", calculus)).hasSize(1);
        assertThat(search(ALAN, "integral -trick", calculus)).hasSize(2);
        http.get().uri("/api/chat/search?q=").header(HttpHeaders.AUTHORIZATION, bearer(ALAN))
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.code").isEqualTo("VALIDATION");
    }

    @Test
    void aThreadIsEveryReplyDownTheChainOldestFirst_andTheFactsGoToOtherServices() {
        String roomId = createRoom(ADA, "Threads", "public").get("id").asString();
        String staff = createRoom(ADA, "Threads staff", "private").get("id").asString();
        awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan");
        awaitReply(send(ADA, "s-ada", roomId, "chat:join", Map.of("roomId", roomId)), "s-ada");
        Posted root = post(ADA, "s-ada", roomId, "Question of the day: what is 0^0?", null);
        Posted first = post(ALAN, "s-alan", roomId, "1, by convention", root.messageId);
        post(ADA, "s-ada", roomId, "Unrelated announcement", null);
        Posted second = post(ADA, "s-ada", roomId, "Right, and why?", first.messageId);

        JsonNode thread = get(ALAN, "/api/chat/rooms/" + roomId + "/messages/" + root.messageId + "/thread");
        assertThat(thread.get("items")).extracting(m -> m.get("messageId").asString())
                .containsExactly(first.messageId, second.messageId);
        assertThat(thread.get("hasMore").asBoolean()).isFalse();
        http.get().uri("/api/chat/rooms/{id}/messages/{m}/thread", roomId, "0190a0a0-0000-7000-8000-000000000000")
                .header(HttpHeaders.AUTHORIZATION, bearer(ALAN)).exchange().expectStatus().isNotFound();
        http.get().uri("/api/chat/rooms/{id}/messages/{m}/thread", staff, root.messageId)
                .header(HttpHeaders.AUTHORIZATION, bearer(ALAN)).exchange().expectStatus().isForbidden();

        // What notification-service needs: who was replied to, mentioned, edited, deleted.
        JsonNode posted = chatEventFor("MessagePosted", roomId, second.messageId);
        assertThat(posted.get("replyTo").asString()).isEqualTo(first.messageId);
        assertThat(posted.get("replyToAuthorId").asString()).isEqualTo(ALAN.id());
        assertThat(posted.get("authorId").asString()).isEqualTo(ADA.id());
        assertThat(posted.get("seq").asLong()).isEqualTo(second.seq);

        awaitReply(send(ADA, "s-ada", roomId, "chat:edit", Map.of("roomId", roomId, "messageId", root.messageId,
                "content", "Question of the day: what is 0^0, really?")), "s-ada");
        JsonNode edited = chatEventFor("MessageEdited", roomId, root.messageId);
        assertThat(edited.get("content").asString()).isEqualTo("Question of the day: what is 0^0, really?");
        assertThat(edited.get("editedBy").asString()).isEqualTo(ADA.id());
        awaitReply(send(ADA, "s-ada", roomId, "chat:delete", Map.of("roomId", roomId, "messageId", first.messageId)),
                "s-ada");
        JsonNode deleted = chatEventFor("MessageDeleted", roomId, first.messageId);
        assertThat(deleted.get("authorId").asString()).isEqualTo(ALAN.id());
        assertThat(deleted.get("deletedBy").asString()).isEqualTo(ADA.id());
        assertThat(deleted.has("content")).isFalse();
    }

    // --- helpers

    private record Posted(String messageId, long seq) {
    }

    private Posted post(UserRef author, String sessionId, String roomId, String content, String replyTo) {
        Map<String, Object> data = replyTo == null ? Map.of("roomId", roomId, "content", content)
                : Map.of("roomId", roomId, "content", content, "replyTo", replyTo);
        Delivery.Reply ack = awaitReply(send(author, sessionId, roomId, "chat:message", data), sessionId);
        assertThat(ack.ok()).as(ack.message()).isTrue();
        return new Posted(ack.data().get("messageId").asString(), ack.data().get("seq").asLong());
    }

    private List<JsonNode> search(UserRef user, String q, String roomId) {
        JsonNode body = get(user, "/api/chat/search?q={q}" + (roomId == null ? "" : "&roomId=" + roomId), q);
        List<JsonNode> items = new ArrayList<>();
        body.get("items").forEach(items::add);
        return items;
    }

    private JsonNode get(UserRef user, String uri, Object... variables) {
        byte[] body = http.get().uri(uri, variables).header(HttpHeaders.AUTHORIZATION, bearer(user))
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody();
        return MeshJson.read(new String(body, StandardCharsets.UTF_8), JsonNode.class);
    }

    private JsonNode chatEventFor(String type, String roomId, String messageId) {
        return awaitChatEvent(e -> isChatEvent(e, type, roomId) && messageId.equals(e.get("messageId").asString()));
    }
}
