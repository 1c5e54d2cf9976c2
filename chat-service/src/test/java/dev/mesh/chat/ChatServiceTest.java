package dev.mesh.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.StreamTopics;

/** chat-service's commands and HTTP API, each rule and its errors (see {@link ChatServiceTestSupport}). */
class ChatServiceTest extends ChatServiceTestSupport {

    @Test
    void anInstructorCreatesARoomAndAStudentMayNot() {
        JsonNode room = createRoom(ADA, "Algebra", "public");
        assertThat(room.get("name").asString()).isEqualTo("Algebra");
        assertThat(room.get("type").asString()).isEqualTo("public");
        assertThat(room.get("maxMembers").asInt()).isEqualTo(100);
        assertThat(room.get("createdBy").asString()).isEqualTo(ADA.id());

        http.post().uri("/api/chat/rooms")
                .header(HttpHeaders.AUTHORIZATION, bearer(ALAN))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "Mine", "type", "public"))
                .exchange()
                .expectStatus().isForbidden()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo("FORBIDDEN");

        http.get().uri("/api/chat/rooms/{id}", room.get("id").asString())
                .header(HttpHeaders.AUTHORIZATION, bearer(ALAN))
                .exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.name").isEqualTo("Algebra");
        http.get().uri("/api/chat/rooms/{id}", "no-such-room")
                .header(HttpHeaders.AUTHORIZATION, bearer(ALAN))
                .exchange()
                .expectStatus().isNotFound()
                .expectBody().jsonPath("$.code").isEqualTo("NOT_FOUND");
        http.get().uri("/api/chat/rooms").exchange().expectStatus().isUnauthorized();
    }

    @Test
    void aJoinAnnouncesTheNewMemberAttachesTheSessionAndAnswersWithTheSnapshot() {
        String roomId = createRoom(ADA, "Physics", "public").get("id").asString();

        String joinId = send(ALAN, "s-alan-1", roomId, "chat:join", Map.of("roomId", roomId));
        Delivery.Reply ack = awaitReply(joinId, "s-alan-1");

        assertThat(ack.ok()).isTrue();
        JsonNode data = ack.data();
        assertThat(data.get("room").get("id").asString()).isEqualTo(roomId);
        assertThat(data.get("members").asInt()).isEqualTo(2);
        assertThat(data.get("lastSeq").asLong()).isEqualTo(1);
        assertThat(data.get("recovered").asBoolean()).isTrue();
        assertThat(data.get("messages").isArray()).isTrue();
        assertThat(data.get("messages")).isEmpty();
        int replyAt = indexOf(d -> d.reply() != null && joinId.equals(d.reply().ref()));
        int joinedAt = indexOf(d -> isEvent(d, "chat:user_joined", roomId, 1));
        int attachAt = indexOf(d -> d.attach() != null && d.attach().topic().equals("chat:room:" + roomId)
                && d.attach().sessionId().equals("s-alan-1"));
        assertThat(joinedAt).isNotNegative().isLessThan(attachAt);
        assertThat(attachAt).isLessThan(replyAt);
        assertThat(deliveries.get(attachAt).attach().fromSeq()).isEqualTo(2);

        // A reconnect: already a member, so nothing is announced and the seq does not move.
        String again = send(ALAN, "s-alan-2", roomId, "chat:join", Map.of("roomId", roomId));
        assertThat(awaitReply(again, "s-alan-2").data().get("lastSeq").asLong()).isEqualTo(1);
    }

    @Test
    void aMessageGoesToTheRoomBeforeItsAckAndARetryChangesNothing() throws SQLException {
        String roomId = createRoom(ADA, "Chemistry", "public").get("id").asString();
        awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan");

        Map<String, Object> hello = Map.of("roomId", roomId, "content", "  hello  ");
        String messageId = send(ALAN, "s-alan", roomId, "chat:message", hello);
        Delivery.Reply ack = awaitReply(messageId, "s-alan");

        assertThat(ack.ok()).isTrue();
        long seq = ack.data().get("seq").asLong();
        assertThat(seq).isEqualTo(2);
        int eventAt = indexOf(d -> isEvent(d, "chat:message", roomId, seq));
        assertThat(eventAt).isNotNegative().isLessThan(indexOf(d -> d.reply() != null && messageId.equals(d.reply().ref())));
        JsonNode event = deliveries.get(eventAt).event().data();
        assertThat(event.get("content").asString()).isEqualTo("hello");
        assertThat(event.get("clientRef").asString()).isEqualTo(messageId);
        assertThat(event.get("messageId").asString()).isEqualTo(ack.data().get("messageId").asString());

        // The client reconnected elsewhere and retries: the first result, at its new address.
        send(ALAN, "s-alan-new", roomId, "chat:message", hello, messageId);
        assertThat(awaitReply(messageId, "s-alan-new").data()).isEqualTo(ack.data());
        assertThat(messageRows(roomId)).isEqualTo(1);

        send(ALAN, "s-alan-new", roomId, "chat:message", Map.of("roomId", roomId, "content", "other"), messageId);
        Delivery.Reply conflict = awaitReply(messageId, "s-alan-new", 2);
        assertThat(conflict.ok()).isFalse();
        assertThat(conflict.code()).isEqualTo("CONFLICT");
        assertThat(messageRows(roomId)).isEqualTo(1);
    }

    @Test
    void rejectionsComeAsErrorsWithTheirCode() {
        String roomId = createRoom(ADA, "Biology", "public").get("id").asString();
        awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan");

        Delivery.Reply empty = awaitReply(send(ALAN, "s-alan", roomId, "chat:message",
                Map.of("roomId", roomId, "content", "   ")), "s-alan");
        assertThat(empty.ok()).isFalse();
        assertThat(empty.code()).isEqualTo("VALIDATION");

        Delivery.Reply notMember = awaitReply(send(BARBARA, "s-barbara", roomId, "chat:message",
                Map.of("roomId", roomId, "content", "hi")), "s-barbara");
        assertThat(notMember.code()).isEqualTo("FORBIDDEN");

        String missing = "no-room-" + UUID.randomUUID();
        Delivery.Reply notFound = awaitReply(send(ALAN, "s-alan", missing, "chat:join", Map.of("roomId", missing)), "s-alan");
        assertThat(notFound.code()).isEqualTo("NOT_FOUND");

        String privateRoom = createRoom(ADA, "Staff", "private").get("id").asString();
        Delivery.Reply closed = awaitReply(send(ALAN, "s-alan", privateRoom, "chat:join", Map.of("roomId", privateRoom)), "s-alan");
        assertThat(closed.code()).isEqualTo("FORBIDDEN");
    }

    @Test
    void aResumeReplaysTheMissedMessagesToTheSessionBeforeItsAckAndHistoryPagesOverHttp() {
        String roomId = createRoom(ADA, "History", "public").get("id").asString();
        // Ada is the owner: her join announces nothing, so the room's seqs are the messages'.
        awaitReply(send(ADA, "s-ada", roomId, "chat:join", Map.of("roomId", roomId)), "s-ada");
        for (int i = 1; i <= 3; i++) {
            assertThat(awaitReply(send(ADA, "s-ada", roomId, "chat:message",
                    Map.of("roomId", roomId, "content", "m" + i)), "s-ada").ok()).isTrue();
        }

        String resume = send(ADA, "s-ada-2", roomId, "chat:join", Map.of("roomId", roomId, "sinceSeq", 1));
        Delivery.Reply ack = awaitReply(resume, "s-ada-2");
        assertThat(ack.data().get("recovered").asBoolean()).isTrue();
        assertThat(ack.data().get("lastSeq").asLong()).isEqualTo(3);
        assertThat(ack.data().has("messages")).isFalse();
        List<Long> replayed = deliveries.stream()
                .filter(d -> d.event() != null && d.audience().kind() == Delivery.Audience.Kind.session
                        && "s-ada-2".equals(d.audience().id()))
                .map(d -> d.event().seq())
                .toList();
        assertThat(replayed).containsExactly(2L, 3L);

        http.get().uri("/api/chat/rooms/{id}/messages?afterSeq=1&limit=1", roomId)
                .header(HttpHeaders.AUTHORIZATION, bearer(BARBARA))
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.items.length()").isEqualTo(1)
                .jsonPath("$.items[0].seq").isEqualTo(2)
                .jsonPath("$.items[0].content").isEqualTo("m2")
                .jsonPath("$.hasMore").isEqualTo(true);
        http.get().uri("/api/chat/rooms/{id}/messages", roomId)
                .header(HttpHeaders.AUTHORIZATION, bearer(BARBARA))
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.items[*].seq").isEqualTo(List.of(1, 2, 3))
                .jsonPath("$.hasMore").isEqualTo(false);
        http.get().uri("/api/chat/rooms/{id}/messages?limit=201", roomId)
                .header(HttpHeaders.AUTHORIZATION, bearer(BARBARA))
                .exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.code").isEqualTo("VALIDATION");

        String privateRoom = createRoom(ADA, "Private history", "private").get("id").asString();
        http.get().uri("/api/chat/rooms/{id}/messages", privateRoom)
                .header(HttpHeaders.AUTHORIZATION, bearer(BARBARA))
                .exchange()
                .expectStatus().isForbidden();
        http.get().uri("/api/chat/rooms")
                .header(HttpHeaders.AUTHORIZATION, bearer(ADA))
                .exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.items[?(@.id == '" + privateRoom + "')]").exists();
    }

    @Test
    void aResumeReplaysMissedEventsOfEveryKindInSeqOrderBeforeTheAttachAndTheAck() {
        String roomId = createRoom(ADA, "Geography", "public").get("id").asString();
        String resumed = "s-alan-" + UUID.randomUUID();
        String topic = "chat:room:" + roomId;
        awaitReply(send(ADA, "s-ada", roomId, "chat:join", Map.of("roomId", roomId)), "s-ada");
        long since = awaitReply(send(ALAN, "s-alan-1", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan-1")
                .data().get("lastSeq").asLong();
        assertThat(since).isEqualTo(1);
        // Alan is away: a message, a join, a leave, a message.
        assertThat(awaitReply(send(ADA, "s-ada", roomId, "chat:message", Map.of("roomId", roomId, "content", "m1")), "s-ada").ok()).isTrue();
        assertThat(awaitReply(send(BARBARA, "s-barbara", roomId, "chat:join", Map.of("roomId", roomId)), "s-barbara").ok()).isTrue();
        assertThat(awaitReply(send(BARBARA, "s-barbara", roomId, "chat:leave", Map.of("roomId", roomId)), "s-barbara").ok()).isTrue();
        assertThat(awaitReply(send(ADA, "s-ada", roomId, "chat:message", Map.of("roomId", roomId, "content", "m2")), "s-ada").ok()).isTrue();

        String resume = send(ALAN, resumed, roomId, "chat:join", Map.of("roomId", roomId, "sinceSeq", since));
        Delivery.Reply ack = awaitReply(resume, resumed);

        assertThat(ack.data().get("recovered").asBoolean()).isTrue();
        assertThat(ack.data().get("lastSeq").asLong()).isEqualTo(5);
        List<Delivery.Event> replayed = toSession(resumed);
        assertThat(replayed).extracting(Delivery.Event::seq).containsExactly(2L, 3L, 4L, 5L);
        assertThat(replayed).extracting(Delivery.Event::topic).containsOnly(topic);
        assertThat(replayed).extracting(Delivery.Event::type)
                .containsExactly("chat:message", "chat:user_joined", "chat:user_left", "chat:message");
        assertThat(replayed.get(0).data().get("content").asString()).isEqualTo("m1");
        assertThat(replayed.get(2).data().get("userId").asString()).isEqualTo(BARBARA.id());
        assertThat(replayed.get(2).data().get("memberCount").asInt()).isEqualTo(2);
        int lastReplayed = indexOf(d -> d.event() != null && isToSession(d, resumed) && d.event().seq() == 5L);
        int attachAt = indexOf(d -> d.attach() != null && resumed.equals(d.attach().sessionId()));
        int replyAt = indexOf(d -> d.reply() != null && resume.equals(d.reply().ref()));
        assertThat(lastReplayed).isNotNegative().isLessThan(attachAt);
        assertThat(attachAt).isLessThan(replyAt);
        assertThat(deliveries.get(attachAt).attach().fromSeq()).isEqualTo(6);
    }

    @Test
    void aResumeThatMissedMoreThanTheCapGetsNothingInlineAndPagesTheMessagesOverHttp() {
        String roomId = createRoom(ADA, "Literature", "public").get("id").asString();
        String resumed = "s-alan-" + UUID.randomUUID();
        awaitReply(send(ADA, "s-ada", roomId, "chat:join", Map.of("roomId", roomId)), "s-ada");
        long since = awaitReply(send(ALAN, "s-alan-1", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan-1")
                .data().get("lastSeq").asLong();
        String last = null;
        for (int i = 1; i <= 150; i++) {
            last = send(ADA, "s-ada", roomId, "chat:message", Map.of("roomId", roomId, "content", "n" + i));
        }
        assertThat(awaitReply(last, "s-ada").data().get("seq").asLong()).isEqualTo(since + 150);

        String resume = send(ALAN, resumed, roomId, "chat:join", Map.of("roomId", roomId, "sinceSeq", since));
        Delivery.Reply ack = awaitReply(resume, resumed);

        assertThat(ack.data().get("recovered").asBoolean()).isFalse();
        assertThat(ack.data().get("lastSeq").asLong()).isEqualTo(since + 150);
        assertThat(toSession(resumed)).isEmpty();
        Delivery attach = deliveries.get(indexOf(d -> d.attach() != null && resumed.equals(d.attach().sessionId())));
        assertThat(attach.attach().fromSeq()).isEqualTo(since + 151);
        http.get().uri("/api/chat/rooms/{id}/messages?afterSeq={after}&limit=200", roomId, since)
                .header(HttpHeaders.AUTHORIZATION, bearer(ALAN))
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.items.length()").isEqualTo(150)
                .jsonPath("$.items[0].seq").isEqualTo(since + 1)
                .jsonPath("$.items[0].content").isEqualTo("n1")
                .jsonPath("$.items[149].seq").isEqualTo(since + 150)
                .jsonPath("$.hasMore").isEqualTo(false);
    }

    @Test
    void aLeaveAnnouncesWithASeqDetachesEverySessionOfTheUserAndASecondLeaveChangesNothing() throws SQLException {
        String roomId = createRoom(ADA, "Music", "public").get("id").asString();
        String topic = "chat:room:" + roomId;
        awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan");
        awaitReply(send(BARBARA, "s-barbara", roomId, "chat:join", Map.of("roomId", roomId)), "s-barbara");

        String leave = send(ALAN, "s-alan", roomId, "chat:leave", Map.of("roomId", roomId));
        Delivery.Reply ack = awaitReply(leave, "s-alan");

        assertThat(ack.ok()).isTrue();
        assertThat(ack.data().get("left").asBoolean()).isTrue();
        assertThat(ack.data().get("seq").asLong()).isEqualTo(3);
        int leftAt = indexOf(d -> isEvent(d, "chat:user_left", roomId, 3));
        JsonNode left = deliveries.get(leftAt).event().data();
        assertThat(left.get("userId").asString()).isEqualTo(ALAN.id());
        assertThat(left.get("name").asString()).isEqualTo(ALAN.name());
        assertThat(left.get("memberCount").asInt()).isEqualTo(2);
        assertThat(deliveries.get(leftAt).audience()).isEqualTo(Delivery.Audience.topic(topic));
        int detachAt = indexOf(d -> d.detach() != null && topic.equals(d.detach().topic()));
        assertThat(deliveries.get(detachAt).audience()).isEqualTo(Delivery.Audience.user(ALAN.id()));
        assertThat(deliveries.get(detachAt).detach().userId()).isEqualTo(ALAN.id());
        assertThat(deliveries.get(detachAt).detach().sessionId()).isNull();
        assertThat(leftAt).isNotNegative().isLessThan(detachAt);
        assertThat(detachAt).isLessThan(indexOf(d -> d.reply() != null && leave.equals(d.reply().ref())));
        assertThat(count("SELECT count(*) FROM mesh_outbox WHERE topic = 'chat.events' AND payload LIKE ? AND payload LIKE ?",
                "%\"leftAt\"%", "%" + roomId + "%")).isEqualTo(1);

        // Not a member any more: a second leave is acknowledged and announces nothing.
        Delivery.Reply again = awaitReply(send(ALAN, "s-alan", roomId, "chat:leave", Map.of("roomId", roomId)), "s-alan");
        assertThat(again.ok()).isTrue();
        assertThat(again.data().get("left").asBoolean()).isFalse();
        assertThat(deliveries.stream().filter(d -> d.event() != null && "chat:user_left".equals(d.event().type())
                && topic.equals(d.event().topic()))).hasSize(1);
        assertThat(count("SELECT last_seq FROM mesh_streams WHERE stream_id = ?", topic)).isEqualTo(3);
        assertThat(awaitReply(send(ALAN, "s-alan", roomId, "chat:message", Map.of("roomId", roomId, "content", "still here?")),
                "s-alan").code()).isEqualTo("FORBIDDEN");
        String missing = "no-room-" + UUID.randomUUID();
        assertThat(awaitReply(send(ALAN, "s-alan", missing, "chat:leave", Map.of("roomId", missing)), "s-alan").code())
                .isEqualTo("NOT_FOUND");
    }

    @Test
    void aFirstDirectMessageCreatesTheRoomAndReachesBothUsersWhoAloneMayResumeIt() throws SQLException {
        String suffix = UUID.randomUUID().toString();
        UserRef alan = new UserRef("u-dm-alan-" + suffix, "Alan", List.of("student"));
        UserRef barbara = new UserRef("u-dm-barbara-" + suffix, "Barbara", List.of("student"));
        UserRef carol = new UserRef("u-dm-carol-" + suffix, "Carol", List.of("admin"));
        String dm = StreamTopics.directRoomId(alan.id(), barbara.id());
        String topic = "chat:room:" + dm;

        String first = send(alan, "s-alan", dm, "chat:message", Map.of("recipientId", barbara.id(), "content", "psst"));
        Delivery.Reply ack = awaitReply(first, "s-alan");

        assertThat(ack.ok()).as(String.valueOf(ack.message())).isTrue();
        assertThat(ack.data().get("roomId").asString()).isEqualTo(dm);
        assertThat(ack.data().get("seq").asLong()).isEqualTo(1);
        List<Delivery> events = deliveries.stream()
                .filter(d -> d.event() != null && topic.equals(d.event().topic()) && d.event().seq() == 1L)
                .toList();
        assertThat(events).extracting(Delivery::audience)
                .containsExactly(Delivery.Audience.user(alan.id()), Delivery.Audience.user(barbara.id()));
        assertThat(events).extracting(d -> d.event().data()).containsOnly(events.getFirst().event().data());
        assertThat(events.getFirst().event().data().get("content").asString()).isEqualTo("psst");
        assertThat(indexOf(d -> d.event() != null && topic.equals(d.event().topic())))
                .isLessThan(indexOf(d -> d.reply() != null && first.equals(d.reply().ref())));
        assertThat(count("SELECT count(*) FROM mesh_outbox WHERE topic = 'chat.events' AND payload LIKE ?",
                "%\"recipientId\":\"" + barbara.id() + "\"%")).isEqualTo(1);

        // Barbara answers by recipientId, then by the room's id: one room, one stream, both users get each.
        Delivery.Reply answer = awaitReply(send(barbara, "s-barbara", dm, "chat:message",
                Map.of("recipientId", alan.id(), "content", "yes?")), "s-barbara");
        assertThat(answer.data().get("roomId").asString()).isEqualTo(dm);
        assertThat(answer.data().get("seq").asLong()).isEqualTo(2);
        Delivery.Reply byRoom = awaitReply(send(barbara, "s-barbara", dm, "chat:message",
                Map.of("roomId", dm, "content", "by id")), "s-barbara");
        assertThat(byRoom.data().get("seq").asLong()).isEqualTo(3);
        assertThat(deliveries.stream().filter(d -> d.event() != null && topic.equals(d.event().topic()) && d.event().seq() == 3L))
                .extracting(Delivery::audience)
                .containsExactly(Delivery.Audience.user(barbara.id()), Delivery.Audience.user(alan.id()));

        http.get().uri("/api/chat/rooms")
                .header(HttpHeaders.AUTHORIZATION, bearer(barbara))
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.items[?(@.id == '" + dm + "')].type").isEqualTo(List.of("direct"));

        // A third party (even an admin) may neither join nor post; nobody may DM themselves.
        assertThat(awaitReply(send(carol, "s-carol", dm, "chat:join", Map.of("roomId", dm)), "s-carol").code())
                .isEqualTo("FORBIDDEN");
        assertThat(awaitReply(send(carol, "s-carol", dm, "chat:message", Map.of("roomId", dm, "content", "hi")), "s-carol").code())
                .isEqualTo("FORBIDDEN");
        assertThat(awaitReply(send(alan, "s-alan", StreamTopics.directRoomId(alan.id(), alan.id()), "chat:message",
                Map.of("recipientId", alan.id(), "content", "me")), "s-alan").code()).isEqualTo("VALIDATION");
        assertThat(awaitReply(send(alan, "s-alan", dm, "chat:leave", Map.of("roomId", dm)), "s-alan").code())
                .isEqualTo("VALIDATION");

        // A member resumes the conversation by seq.
        String resumed = "s-barbara-" + UUID.randomUUID();
        String resume = send(barbara, resumed, dm, "chat:join", Map.of("roomId", dm, "sinceSeq", 1));
        Delivery.Reply joined = awaitReply(resume, resumed);
        assertThat(joined.ok()).isTrue();
        assertThat(joined.data().get("recovered").asBoolean()).isTrue();
        assertThat(joined.data().get("members").asInt()).isEqualTo(2);
        assertThat(joined.data().get("room").get("type").asString()).isEqualTo("direct");
        assertThat(toSession(resumed)).extracting(Delivery.Event::seq).containsExactly(2L, 3L);
    }

    @Test
    void anEditReachesTheRoomWithANewSeqKeepsTheHistoryAndTheRulesHold() throws SQLException {
        String roomId = createRoom(ADA, "Edits", "public").get("id").asString();
        awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan");
        awaitReply(send(BARBARA, "s-barbara", roomId, "chat:join", Map.of("roomId", roomId)), "s-barbara");
        Delivery.Reply posted = awaitReply(send(ALAN, "s-alan", roomId, "chat:message",
                Map.of("roomId", roomId, "content", "first")), "s-alan");
        String messageId = posted.data().get("messageId").asString();
        long postedSeq = posted.data().get("seq").asLong();

        String edit = send(ALAN, "s-alan", roomId, "chat:edit",
                Map.of("roomId", roomId, "messageId", messageId, "content", "  second  "));
        Delivery.Reply ack = awaitReply(edit, "s-alan");

        assertThat(ack.ok()).as(String.valueOf(ack.message())).isTrue();
        assertThat(ack.data().get("messageId").asString()).isEqualTo(messageId);
        assertThat(ack.data().get("seq").asLong()).isEqualTo(postedSeq + 1);
        int editedAt = indexOf(d -> isEvent(d, "chat:message_edited", roomId, postedSeq + 1));
        assertThat(editedAt).isNotNegative().isLessThan(indexOf(d -> d.reply() != null && edit.equals(d.reply().ref())));
        JsonNode edited = deliveries.get(editedAt).event().data();
        assertThat(edited.get("messageId").asString()).isEqualTo(messageId);
        assertThat(edited.get("roomId").asString()).isEqualTo(roomId);
        assertThat(edited.get("content").asString()).isEqualTo("second");
        assertThat(edited.get("editedBy").asString()).isEqualTo(ALAN.id());
        assertThat(edited.get("editedAt").asLong()).isPositive();
        assertThat(count("SELECT count(*) FROM chat_message_edits WHERE message_id = ?::uuid AND previous_content = 'first'"
                + " AND edited_by = ?", messageId, ALAN.id())).isEqualTo(1);
        http.get().uri("/api/chat/rooms/{id}/messages/{m}/edits", roomId, messageId)
                .header(HttpHeaders.AUTHORIZATION, bearer(ALAN))
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.items.length()").isEqualTo(1)
                .jsonPath("$.items[0].previousContent").isEqualTo("first")
                .jsonPath("$.items[0].editedBy").isEqualTo(ALAN.id());
        http.get().uri("/api/chat/rooms/{id}/messages", roomId)
                .header(HttpHeaders.AUTHORIZATION, bearer(BARBARA))
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.items[0].seq").isEqualTo((int) postedSeq)
                .jsonPath("$.items[0].content").isEqualTo("second")
                .jsonPath("$.items[0].editedAt").isEqualTo(edited.get("editedAt").asLong())
                .jsonPath("$.items[0].deleted").doesNotExist();

        Map<String, Object> byBarbara = Map.of("roomId", roomId, "messageId", messageId, "content", "mine now");
        Delivery.Reply notYours = awaitReply(send(BARBARA, "s-barbara", roomId, "chat:edit", byBarbara), "s-barbara");
        assertThat(notYours.code()).isEqualTo("FORBIDDEN");
        assertThat(notYours.message()).contains("only your own messages");
        assertThat(awaitReply(send(ALAN, "s-alan", roomId, "chat:edit", Map.of("roomId", roomId,
                "messageId", UUID.randomUUID().toString(), "content", "x")), "s-alan").code()).isEqualTo("NOT_FOUND");
        assertThat(awaitReply(send(ALAN, "s-alan", roomId, "chat:edit", Map.of("roomId", roomId,
                "messageId", messageId, "content", "   ")), "s-alan").code()).isEqualTo("VALIDATION");
        assertThat(awaitReply(send(ALAN, "s-alan", roomId, "chat:edit", Map.of("roomId", roomId,
                "messageId", messageId, "content", "x".repeat(2001))), "s-alan").code()).isEqualTo("VALIDATION");

        // Five minutes later the author may not, the room's owner still may.
        execute("UPDATE chat_messages SET created_at = now() - interval '6 minutes' WHERE id = ?::uuid", messageId);
        Delivery.Reply late = awaitReply(send(ALAN, "s-alan", roomId, "chat:edit",
                Map.of("roomId", roomId, "messageId", messageId, "content", "third")), "s-alan");
        assertThat(late.code()).isEqualTo("FORBIDDEN");
        assertThat(late.message()).contains("edit window of 5 minutes has passed");
        Delivery.Reply byOwner = awaitReply(send(ADA, "s-ada", roomId, "chat:edit",
                Map.of("roomId", roomId, "messageId", messageId, "content", "tidied")), "s-ada");
        assertThat(byOwner.ok()).isTrue();
        assertThat(byOwner.data().get("seq").asLong()).isEqualTo(postedSeq + 2);
        assertThat(count("SELECT count(*) FROM chat_message_edits WHERE message_id = ?::uuid", messageId)).isEqualTo(2);
        assertThat(count("SELECT last_seq FROM mesh_streams WHERE stream_id = ?", "chat:room:" + roomId))
                .isEqualTo(postedSeq + 2);
    }

    @Test
    void aDeleteLeavesATombstoneAnnouncedWithASeqAndASecondDeleteChangesNothing() throws SQLException {
        String roomId = createRoom(ADA, "Deletes", "public").get("id").asString();
        String topic = "chat:room:" + roomId;
        awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan");
        awaitReply(send(BARBARA, "s-barbara", roomId, "chat:join", Map.of("roomId", roomId)), "s-barbara");
        String mine = awaitReply(send(ALAN, "s-alan", roomId, "chat:message",
                Map.of("roomId", roomId, "content", "oops")), "s-alan").data().get("messageId").asString();
        String other = awaitReply(send(ALAN, "s-alan", roomId, "chat:message",
                Map.of("roomId", roomId, "content", "rude")), "s-alan").data().get("messageId").asString();
        awaitReply(send(ALAN, "s-alan", roomId, "chat:edit", Map.of("roomId", roomId, "messageId", mine, "content", "oops!")),
                "s-alan");

        String delete = send(ALAN, "s-alan", roomId, "chat:delete", Map.of("roomId", roomId, "messageId", mine));
        Delivery.Reply ack = awaitReply(delete, "s-alan");

        assertThat(ack.ok()).as(String.valueOf(ack.message())).isTrue();
        long seq = ack.data().get("seq").asLong();
        assertThat(seq).isEqualTo(count("SELECT last_seq FROM mesh_streams WHERE stream_id = ?", topic));
        int deletedAt = indexOf(d -> isEvent(d, "chat:message_deleted", roomId, seq));
        assertThat(deletedAt).isNotNegative().isLessThan(indexOf(d -> d.reply() != null && delete.equals(d.reply().ref())));
        JsonNode deleted = deliveries.get(deletedAt).event().data();
        assertThat(deleted.get("messageId").asString()).isEqualTo(mine);
        assertThat(deleted.get("roomId").asString()).isEqualTo(roomId);
        assertThat(deleted.get("deletedBy").asString()).isEqualTo(ALAN.id());
        assertThat(deleted.get("deletedAt").asLong()).isPositive();
        assertThat(count("SELECT count(*) FROM chat_messages WHERE id = ?::uuid AND content IS NULL AND deleted_at IS NOT NULL",
                mine)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM chat_message_edits WHERE message_id = ?::uuid", mine)).isZero();

        // Again: acknowledged, no event, no seq.
        Delivery.Reply again = awaitReply(send(ALAN, "s-alan", roomId, "chat:delete",
                Map.of("roomId", roomId, "messageId", mine)), "s-alan");
        assertThat(again.ok()).isTrue();
        assertThat(again.data().has("seq")).isFalse();
        assertThat(deliveries.stream().filter(d -> d.event() != null && "chat:message_deleted".equals(d.event().type())
                && topic.equals(d.event().topic()))).hasSize(1);
        assertThat(count("SELECT last_seq FROM mesh_streams WHERE stream_id = ?", topic)).isEqualTo(seq);

        Delivery.Reply editDeleted = awaitReply(send(ALAN, "s-alan", roomId, "chat:edit",
                Map.of("roomId", roomId, "messageId", mine, "content", "back")), "s-alan");
        assertThat(editDeleted.code()).isEqualTo("CONFLICT");
        Delivery.Reply notYours = awaitReply(send(BARBARA, "s-barbara", roomId, "chat:delete",
                Map.of("roomId", roomId, "messageId", other)), "s-barbara");
        assertThat(notYours.code()).isEqualTo("FORBIDDEN");
        assertThat(awaitReply(send(BARBARA, "s-barbara", roomId, "chat:delete",
                Map.of("roomId", roomId, "messageId", UUID.randomUUID().toString())), "s-barbara").code())
                .isEqualTo("NOT_FOUND");
        Delivery.Reply byOwner = awaitReply(send(ADA, "s-ada", roomId, "chat:delete",
                Map.of("roomId", roomId, "messageId", other)), "s-ada");
        assertThat(byOwner.ok()).isTrue();
        assertThat(byOwner.data().get("seq").asLong()).isEqualTo(seq + 1);

        http.get().uri("/api/chat/rooms/{id}/messages", roomId)
                .header(HttpHeaders.AUTHORIZATION, bearer(BARBARA))
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.items.length()").isEqualTo(2)
                .jsonPath("$.items[0].messageId").isEqualTo(mine)
                .jsonPath("$.items[0].deleted").isEqualTo(true)
                .jsonPath("$.items[0].content").doesNotExist()
                .jsonPath("$.items[1].deleted").isEqualTo(true);
    }

    @Test
    void aReactionTogglesAndTheRoomGetsTheCountsWithASeq() throws SQLException {
        String roomId = createRoom(ADA, "Reactions", "public").get("id").asString();
        UserRef carol = new UserRef("u-carol-" + UUID.randomUUID(), "Carol", List.of("student"));
        awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan");
        awaitReply(send(BARBARA, "s-barbara", roomId, "chat:join", Map.of("roomId", roomId)), "s-barbara");
        String messageId = awaitReply(send(ALAN, "s-alan", roomId, "chat:message",
                Map.of("roomId", roomId, "content", "party?")), "s-alan").data().get("messageId").asString();
        Map<String, Object> thumb = Map.of("roomId", roomId, "messageId", messageId, "emoji", "👍");

        String react = send(ALAN, "s-alan", roomId, "chat:react", thumb);
        Delivery.Reply ack = awaitReply(react, "s-alan");

        assertThat(ack.ok()).as(String.valueOf(ack.message())).isTrue();
        assertThat(ack.data().get("added").asBoolean()).isTrue();
        long seq = ack.data().get("seq").asLong();
        int updatedAt = indexOf(d -> isEvent(d, "chat:reaction_updated", roomId, seq));
        assertThat(updatedAt).isNotNegative().isLessThan(indexOf(d -> d.reply() != null && react.equals(d.reply().ref())));
        JsonNode updated = deliveries.get(updatedAt).event().data();
        assertThat(updated.get("messageId").asString()).isEqualTo(messageId);
        assertThat(updated.get("emoji").asString()).isEqualTo("👍");
        assertThat(updated.get("userId").asString()).isEqualTo(ALAN.id());
        assertThat(updated.get("added").asBoolean()).isTrue();
        assertThat(updated.get("counts")).isEqualTo(MeshJson.tree(Map.of("👍", 1)));

        Delivery.Reply barbara = awaitReply(send(BARBARA, "s-barbara", roomId, "chat:react", thumb), "s-barbara");
        assertThat(barbara.data().get("counts")).isEqualTo(MeshJson.tree(Map.of("👍", 2)));
        assertThat(barbara.data().get("seq").asLong()).isEqualTo(seq + 1);
        awaitReply(send(BARBARA, "s-barbara", roomId, "chat:react",
                Map.of("roomId", roomId, "messageId", messageId, "emoji", "🎉")), "s-barbara");
        // Alan's second 👍 takes his back.
        String undo = send(ALAN, "s-alan", roomId, "chat:react", thumb);
        Delivery.Reply undone = awaitReply(undo, "s-alan");
        assertThat(undone.data().get("added").asBoolean()).isFalse();
        assertThat(undone.data().get("seq").asLong()).isEqualTo(seq + 3);
        JsonNode taken = deliveries.get(indexOf(d -> isEvent(d, "chat:reaction_updated", roomId, seq + 3))).event().data();
        assertThat(taken.get("added").asBoolean()).isFalse();
        assertThat(taken.get("counts")).isEqualTo(MeshJson.tree(Map.of("👍", 1, "🎉", 1)));
        assertThat(count("SELECT count(*) FROM chat_reactions WHERE message_id = ?::uuid", messageId)).isEqualTo(2);

        Delivery.Reply unicorn = awaitReply(send(ALAN, "s-alan", roomId, "chat:react",
                Map.of("roomId", roomId, "messageId", messageId, "emoji", "🦄")), "s-alan");
        assertThat(unicorn.code()).isEqualTo("VALIDATION");
        assertThat(unicorn.message()).isEqualTo("🦄 is not an allowed reaction");
        assertThat(awaitReply(send(carol, "s-carol", roomId, "chat:react", thumb), "s-carol").code()).isEqualTo("FORBIDDEN");
        assertThat(awaitReply(send(ALAN, "s-alan", roomId, "chat:react", Map.of("roomId", roomId,
                "messageId", UUID.randomUUID().toString(), "emoji", "👍")), "s-alan").code()).isEqualTo("NOT_FOUND");

        http.get().uri("/api/chat/rooms/{id}/messages", roomId)
                .header(HttpHeaders.AUTHORIZATION, bearer(ALAN))
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.items[0].reactions['👍']").isEqualTo(1)
                .jsonPath("$.items[0].reactions['🎉']").isEqualTo(1);
        // The join's snapshot shows the same state.
        JsonNode snapshot = awaitReply(send(ALAN, "s-alan-2", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan-2")
                .data().get("messages");
        assertThat(snapshot).hasSize(1);
        assertThat(snapshot.get(0).get("reactions")).isEqualTo(MeshJson.tree(Map.of("👍", 1, "🎉", 1)));
    }

    @Test
    void aResumeReplaysMissedEditsDeletesAndReactionsInSeqOrderBeforeTheAck() {
        String roomId = createRoom(ADA, "Resume changes", "public").get("id").asString();
        String resumed = "s-alan-" + UUID.randomUUID();
        awaitReply(send(ADA, "s-ada", roomId, "chat:join", Map.of("roomId", roomId)), "s-ada");
        awaitReply(send(ALAN, "s-alan-1", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan-1");
        String m1 = awaitReply(send(ADA, "s-ada", roomId, "chat:message", Map.of("roomId", roomId, "content", "m1")), "s-ada")
                .data().get("messageId").asString();
        String m2 = awaitReply(send(ADA, "s-ada", roomId, "chat:message", Map.of("roomId", roomId, "content", "m2")), "s-ada")
                .data().get("messageId").asString();
        long since = awaitReply(send(ALAN, "s-alan-1", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan-1")
                .data().get("lastSeq").asLong();

        // While Alan is away: an edit, a message, a delete, a reaction.
        awaitReply(send(ADA, "s-ada", roomId, "chat:edit", Map.of("roomId", roomId, "messageId", m1, "content", "m1'")), "s-ada");
        awaitReply(send(ADA, "s-ada", roomId, "chat:message", Map.of("roomId", roomId, "content", "m3")), "s-ada");
        awaitReply(send(ADA, "s-ada", roomId, "chat:delete", Map.of("roomId", roomId, "messageId", m2)), "s-ada");
        awaitReply(send(ADA, "s-ada", roomId, "chat:react", Map.of("roomId", roomId, "messageId", m1, "emoji", "🎉")), "s-ada");

        String resume = send(ALAN, resumed, roomId, "chat:join", Map.of("roomId", roomId, "sinceSeq", since));
        Delivery.Reply ack = awaitReply(resume, resumed);

        assertThat(ack.data().get("recovered").asBoolean()).isTrue();
        assertThat(ack.data().get("lastSeq").asLong()).isEqualTo(since + 4);
        List<Delivery.Event> replayed = toSession(resumed);
        assertThat(replayed).extracting(Delivery.Event::seq)
                .containsExactly(since + 1, since + 2, since + 3, since + 4);
        assertThat(replayed).extracting(Delivery.Event::type)
                .containsExactly("chat:message_edited", "chat:message", "chat:message_deleted", "chat:reaction_updated");
        assertThat(replayed.get(0).data().get("content").asString()).isEqualTo("m1'");
        assertThat(replayed.get(2).data().get("messageId").asString()).isEqualTo(m2);
        assertThat(replayed.get(3).data().get("counts")).isEqualTo(MeshJson.tree(Map.of("🎉", 1)));
        int lastReplayed = indexOf(d -> d.event() != null && isToSession(d, resumed) && d.event().seq() == since + 4);
        assertThat(lastReplayed).isLessThan(indexOf(d -> d.reply() != null && resume.equals(d.reply().ref())));
    }

    @Test
    void typingGoesToTheRoomButNotTheSendersSessionWithoutSeqOrReplyAndIsThrottled() throws SQLException {
        String roomId = createRoom(ADA, "Typing", "public").get("id").asString();
        String topic = "chat:room:" + roomId;
        UserRef carol = new UserRef("u-carol-" + UUID.randomUUID(), "Carol", List.of("student"));
        awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan");
        awaitReply(send(BARBARA, "s-barbara", roomId, "chat:join", Map.of("roomId", roomId)), "s-barbara");

        String typing = send(ALAN, "s-alan", roomId, "chat:typing", Map.of("roomId", roomId, "isTyping", true));
        String refresh = send(ALAN, "s-alan", roomId, "chat:typing", Map.of("roomId", roomId, "isTyping", true));
        String stopped = send(ALAN, "s-alan", roomId, "chat:typing", Map.of("roomId", roomId, "isTyping", false));
        String stranger = send(carol, "s-carol", roomId, "chat:typing", Map.of("roomId", roomId, "isTyping", true));
        String invalid = send(ALAN, "s-alan", roomId, "chat:typing", Map.of("roomId", roomId));
        // Same room, same partition: once this is answered, the typing commands before it were applied.
        String after = send(BARBARA, "s-barbara", roomId, "chat:message", Map.of("roomId", roomId, "content", "hm?"));
        awaitReply(after, "s-barbara");

        List<Delivery> updates = deliveries.stream()
                .filter(d -> d.event() != null && "chat:typing_update".equals(d.event().type())
                        && topic.equals(d.event().topic()))
                .toList();
        // The refresh within the interval was throttled, the stop passed, Carol (not a member) was ignored.
        assertThat(updates).extracting(d -> d.event().data().get("isTyping").asBoolean()).containsExactly(true, false);
        assertThat(updates).allSatisfy(d -> {
            assertThat(d.audience()).isEqualTo(Delivery.Audience.topic(topic));
            assertThat(d.excludeSessionId()).isEqualTo("s-alan");
            assertThat(d.event().seq()).isNull();
            assertThat(d.event().data().get("roomId").asString()).isEqualTo(roomId);
            assertThat(d.event().data().get("userId").asString()).isEqualTo(ALAN.id());
            assertThat(d.event().data().get("name").asString()).isEqualTo(ALAN.name());
        });
        List<String> ephemeral = List.of(typing, refresh, stopped, stranger, invalid);
        assertThat(deliveries.stream().filter(d -> d.reply() != null && ephemeral.contains(d.reply().ref()))).isEmpty();
        assertThat(count("SELECT count(*) FROM mesh_processed_commands WHERE command_id IN (?, ?, ?, ?, ?)",
                typing, refresh, stopped, stranger, invalid)).isZero();
        assertThat(count("SELECT count(*) FROM mesh_stream_events WHERE stream_id = ? AND type = 'chat:typing_update'", topic))
                .isZero();
    }

    @Test
    void aMuteForbidsTheMutedUsersMessagesTellsThemAndAnUnmuteLetsThemPostAgain() throws SQLException {
        String roomId = createRoom(ADA, "Geometry", "public").get("id").asString();
        awaitReply(send(ADA, "s-ada", roomId, "chat:join", Map.of("roomId", roomId)), "s-ada");
        awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan");

        Delivery.Reply zero = awaitReply(send(ADA, "s-ada", roomId, "chat:moderate",
                Map.of("roomId", roomId, "action", "mute", "userId", ALAN.id(), "minutes", 0)), "s-ada");
        assertThat(zero.ok()).isFalse();
        assertThat(zero.code()).isEqualTo("VALIDATION");

        long before = System.currentTimeMillis();
        String mute = send(ADA, "s-ada", roomId, "chat:moderate",
                Map.of("roomId", roomId, "action", "mute", "userId", ALAN.id(), "minutes", 5));
        Delivery.Reply muted = awaitReply(mute, "s-ada");
        assertThat(muted.ok()).isTrue();
        assertThat(muted.data().get("roomId").asString()).isEqualTo(roomId);
        assertThat(muted.data().get("userId").asString()).isEqualTo(ALAN.id());
        assertThat(muted.data().get("action").asString()).isEqualTo("mute");
        long until = muted.data().get("until").asLong();
        assertThat(until).isBetween(before + Duration.ofMinutes(5).toMillis() - 1000,
                System.currentTimeMillis() + Duration.ofMinutes(5).toMillis());
        Delivery told = deliveries.get(indexOf(d -> d.event() != null && "chat:moderated".equals(d.event().type())
                && roomId.equals(d.event().data().get("roomId").asString())
                && "mute".equals(d.event().data().get("action").asString())));
        assertThat(told.audience()).isEqualTo(Delivery.Audience.user(ALAN.id()));
        assertThat(told.event().seq()).isNull();
        assertThat(told.event().data().get("by").asString()).isEqualTo(ADA.id());
        assertThat(told.event().data().get("until").asLong()).isEqualTo(until);
        assertThat(count("SELECT count(*) FROM mesh_outbox WHERE topic = 'chat.events' AND payload LIKE ? AND payload LIKE ?",
                "%\"until\"%", "%" + roomId + "%")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM mesh_stream_events WHERE stream_id = ? AND type = 'chat:moderated'",
                "chat:room:" + roomId)).isZero();

        Delivery.Reply refused = awaitReply(send(ALAN, "s-alan", roomId, "chat:message",
                Map.of("roomId", roomId, "content", "let me speak")), "s-alan");
        assertThat(refused.ok()).isFalse();
        assertThat(refused.code()).isEqualTo("FORBIDDEN");
        assertThat(refused.message()).startsWith("You are muted in this room until ");
        assertThat(messageRows(roomId)).isZero();
        // Others still post.
        assertThat(awaitReply(send(ADA, "s-ada", roomId, "chat:message", Map.of("roomId", roomId, "content", "hi")),
                "s-ada").ok()).isTrue();

        Delivery.Reply unmuted = awaitReply(send(ADA, "s-ada", roomId, "chat:moderate",
                Map.of("roomId", roomId, "action", "unmute", "userId", ALAN.id())), "s-ada");
        assertThat(unmuted.ok()).isTrue();
        assertThat(unmuted.data().get("action").asString()).isEqualTo("unmute");
        assertThat(unmuted.data().has("until")).isFalse();
        assertThat(indexOf(d -> d.event() != null && "chat:moderated".equals(d.event().type())
                && Delivery.Audience.user(ALAN.id()).equals(d.audience())
                && roomId.equals(d.event().data().get("roomId").asString())
                && "unmute".equals(d.event().data().get("action").asString()))).isNotNegative();
        assertThat(awaitReply(send(ALAN, "s-alan", roomId, "chat:message",
                Map.of("roomId", roomId, "content", "thanks")), "s-alan").ok()).isTrue();
        assertThat(messageRows(roomId)).isEqualTo(2);
    }

    @Test
    void aKickRemovesTheMemberWithASeqDetachesTheirSessionsAndTellsThem() throws SQLException {
        String roomId = createRoom(ADA, "Astronomy", "public").get("id").asString();
        String topic = "chat:room:" + roomId;
        awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan");
        awaitReply(send(BARBARA, "s-barbara", roomId, "chat:join", Map.of("roomId", roomId)), "s-barbara");

        String kick = send(ADA, "s-ada", roomId, "chat:moderate",
                Map.of("roomId", roomId, "action", "kick", "userId", ALAN.id()));
        Delivery.Reply ack = awaitReply(kick, "s-ada");

        assertThat(ack.ok()).isTrue();
        assertThat(ack.data().get("action").asString()).isEqualTo("kick");
        assertThat(ack.data().get("userId").asString()).isEqualTo(ALAN.id());
        int leftAt = indexOf(d -> isEvent(d, "chat:user_left", roomId, 3));
        assertThat(leftAt).isNotNegative();
        JsonNode left = deliveries.get(leftAt).event().data();
        assertThat(left.get("userId").asString()).isEqualTo(ALAN.id());
        assertThat(left.get("name").asString()).isEqualTo(ALAN.name());
        assertThat(left.get("memberCount").asInt()).isEqualTo(2);
        int detachAt = indexOf(d -> d.detach() != null && topic.equals(d.detach().topic()));
        assertThat(deliveries.get(detachAt).audience()).isEqualTo(Delivery.Audience.user(ALAN.id()));
        assertThat(deliveries.get(detachAt).detach().sessionId()).isNull();
        assertThat(leftAt).isLessThan(detachAt);
        Delivery told = deliveries.get(indexOf(d -> d.event() != null && "chat:moderated".equals(d.event().type())
                && roomId.equals(d.event().data().get("roomId").asString())));
        assertThat(told.audience()).isEqualTo(Delivery.Audience.user(ALAN.id()));
        assertThat(told.event().data().get("action").asString()).isEqualTo("kick");
        assertThat(told.event().seq()).isNull();
        assertThat(count("SELECT count(*) FROM chat_members WHERE room_id = ? AND user_id = ?", roomId, ALAN.id())).isZero();
        assertThat(count("SELECT count(*) FROM mesh_outbox WHERE topic = 'chat.events' AND payload LIKE ? AND payload LIKE ?",
                "%\"leftAt\"%", "%" + roomId + "%")).isEqualTo(1);

        Delivery.Reply refused = awaitReply(send(ALAN, "s-alan", roomId, "chat:message",
                Map.of("roomId", roomId, "content", "still here?")), "s-alan");
        assertThat(refused.code()).isEqualTo("FORBIDDEN");
    }

    @Test
    void onlyModeratorsModerateMembersOtherThanThemselves() {
        String roomId = createRoom(ADA, "Geography", "public").get("id").asString();
        awaitReply(send(ALAN, "s-alan", roomId, "chat:join", Map.of("roomId", roomId)), "s-alan");
        awaitReply(send(BARBARA, "s-barbara", roomId, "chat:join", Map.of("roomId", roomId)), "s-barbara");

        Delivery.Reply student = awaitReply(send(BARBARA, "s-barbara", roomId, "chat:moderate",
                Map.of("roomId", roomId, "action", "mute", "userId", ALAN.id())), "s-barbara");
        assertThat(student.ok()).isFalse();
        assertThat(student.code()).isEqualTo("FORBIDDEN");
        assertThat(awaitReply(send(ADA, "s-ada", roomId, "chat:moderate",
                Map.of("roomId", roomId, "action", "kick", "userId", ADA.id())), "s-ada").code()).isEqualTo("VALIDATION");
        Delivery.Reply stranger = awaitReply(send(ADA, "s-ada", roomId, "chat:moderate",
                Map.of("roomId", roomId, "action", "mute", "userId", "u-nobody")), "s-ada");
        assertThat(stranger.code()).isEqualTo("NOT_FOUND");
        assertThat(stranger.message()).isEqualTo("u-nobody is not a member of this room");
        assertThat(awaitReply(send(ADA, "s-ada", roomId, "chat:moderate",
                Map.of("roomId", roomId, "action", "ban", "userId", ALAN.id())), "s-ada").code()).isEqualTo("VALIDATION");
        assertThat(awaitReply(send(ALAN, "s-alan", roomId, "chat:message", Map.of("roomId", roomId, "content", "free")),
                "s-alan").ok()).isTrue();
    }
}
