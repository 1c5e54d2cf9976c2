package dev.mesh.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.LongStream;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.chat.ChatCommands;
import dev.mesh.contracts.kafka.CommandEnvelope;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.contracts.kafka.UserRef;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * A burst of messages (sent without waiting, so one poll reads many): plain room messages are
 * posted together, the others — a reply, a slow-mode room's — alone in their place, and each
 * command is answered as if it had come alone: the room's seqs follow the order sent, refusals
 * write nothing, every message is stored, logged for resumes and announced.
 */
class ChatMessageBurstTest extends ChatServiceTestSupport {

    @Autowired
    MeterRegistry meters;

    private record Sent(String id, UserRef user, String session, String roomId, String content) {
    }

    @Test
    void aBurstOfMessagesIsPostedTogetherAndEachIsAnsweredAsAlone() throws SQLException {
        String lecture = createRoom(ADA, "Burst lecture", "public").get("id").asString();
        String slow = createRoom(ADA, "Burst slow", "public").get("id").asString();
        http.patch().uri("/api/chat/rooms/{id}", slow).header(HttpHeaders.AUTHORIZATION, bearer(ADA))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("slowModeSeconds", 60))
                .exchange().expectStatus().isOk();
        awaitReply(send(ALAN, "s-alan", lecture, "chat:join", Map.of("roomId", lecture)), "s-alan");
        awaitReply(send(BARBARA, "s-barbara", lecture, "chat:join", Map.of("roomId", lecture)), "s-barbara");
        awaitReply(send(ALAN, "s-alan", slow, "chat:join", Map.of("roomId", slow)), "s-alan");
        Delivery.Reply anchor = awaitReply(send(ALAN, "s-alan", lecture, "chat:message",
                Map.of("roomId", lecture, "content", "anchor")), "s-alan");
        String anchorId = anchor.data().get("messageId").asString();
        long firstSeq = anchor.data().get("seq").asLong() + 1;

        List<Sent> lectureOk = new ArrayList<>();
        List<Sent> all = new ArrayList<>();
        // A resume in the middle of the burst (a second tab of Barbara's): it replays what was posted
        // before it, in the same transaction as those messages.
        Sent resume = null;
        for (int i = 0; i < 30; i++) {
            UserRef user = i % 2 == 0 ? ALAN : BARBARA;
            String session = i % 2 == 0 ? "s-alan" : "s-barbara";
            Map<String, Object> data = i == 10
                    ? Map.of("roomId", lecture, "content", "reply " + i, "replyTo", anchorId) // posted alone, in its place
                    : Map.of("roomId", lecture, "content", "burst " + i, "mentions", List.of("u-ada"));
            Sent sent = sendAsync(user, session, lecture, data);
            lectureOk.add(sent);
            all.add(sent);
            if (i == 20) {
                resume = sendAsync(BARBARA, "s-barbara-resume", lecture, "chat:join",
                        Map.of("roomId", lecture, "sinceSeq", firstSeq - 1));
            }
        }
        // Refused in the middle of the burst, writing nothing: empty content, a non-member, a missing room.
        Sent empty = sendAsync(ALAN, "s-alan", lecture, Map.of("roomId", lecture, "content", "   "));
        Sent stranger = sendAsync(new UserRef("u-edsger", "Edsger", List.of("student")), "s-edsger", lecture,
                Map.of("roomId", lecture, "content", "let me in"));
        String missing = "no-room-" + UUID.randomUUID();
        Sent nowhere = sendAsync(ALAN, "s-alan", missing, Map.of("roomId", missing, "content", "hello?"));
        for (int i = 30; i < 40; i++) {
            Sent sent = sendAsync(ALAN, "s-alan", lecture, Map.of("roomId", lecture, "content", "burst " + i));
            lectureOk.add(sent);
            all.add(sent);
        }
        // Slow mode: the first message passes, the second within the minute does not.
        Sent slowFirst = sendAsync(ALAN, "s-alan", slow, Map.of("roomId", slow, "content", "first"));
        Sent slowSecond = sendAsync(ALAN, "s-alan", slow, Map.of("roomId", slow, "content", "second"));
        commands.flush();

        // The room's deliveries share one partition, in the order written: once the last ack is read,
        // every earlier event and reply of the room has been too.
        awaitReply(lectureOk.getLast().id(), lectureOk.getLast().session());
        long expectedSeq = firstSeq;
        for (Sent sent : lectureOk) {
            Delivery.Reply ack = read(d -> d.reply() != null && sent.id().equals(d.reply().ref())
                    && sent.session().equals(d.reply().sessionId())).reply();
            assertThat(ack.ok()).as(sent.content()).isTrue();
            assertThat(ack.data().get("seq").asLong()).as("seq of %s", sent.content()).isEqualTo(expectedSeq++);
            long seq = ack.data().get("seq").asLong();
            JsonNode event = read(d -> d.audience().kind() == Delivery.Audience.Kind.topic
                    && isEvent(d, "chat:message", lecture, seq)).event().data();
            assertThat(event.get("content").asString()).isEqualTo(sent.content());
            assertThat(event.get("userId").asString()).isEqualTo(sent.user().id());
            assertThat(event.get("clientRef").asString()).isEqualTo(sent.id());
            assertThat(event.get("messageId").asString()).isEqualTo(ack.data().get("messageId").asString());
        }
        Delivery.Reply resumed = awaitReply(resume.id(), "s-barbara-resume");
        assertThat(resumed.data().get("lastSeq").asLong()).isEqualTo(firstSeq + 20);
        assertThat(deliveries.stream()
                .filter(d -> d.event() != null && d.audience().kind() == Delivery.Audience.Kind.session
                        && "s-barbara-resume".equals(d.audience().id()))
                .map(d -> d.event().seq()))
                .containsExactlyElementsOf(LongStream.rangeClosed(firstSeq, firstSeq + 20).boxed().toList());
        assertThat(awaitReply(empty.id(), empty.session()).code()).isEqualTo("VALIDATION");
        assertThat(awaitReply(stranger.id(), stranger.session()).code()).isEqualTo("FORBIDDEN");
        assertThat(awaitReply(nowhere.id(), nowhere.session()).code()).isEqualTo("NOT_FOUND");
        assertThat(awaitReply(slowFirst.id(), slowFirst.session()).ok()).isTrue();
        assertThat(awaitReply(slowSecond.id(), slowSecond.session()).code()).isEqualTo("RATE_LIMITED");

        // Stored once each, with what was sent; logged for resumes; announced to other services.
        assertThat(messageRows(lecture)).isEqualTo(1 + lectureOk.size());
        assertThat(count("SELECT count(*) FROM chat_messages WHERE room_id = ? AND 'u-ada' = ANY(mentions)", lecture))
                .isEqualTo(lectureOk.size() - 11);
        assertThat(count("SELECT count(*) FROM chat_messages WHERE room_id = ? AND reply_to IS NOT NULL", lecture)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM mesh_stream_events WHERE stream_id = ? AND type = 'chat:message' AND seq >= ?",
                "chat:room:" + lecture, firstSeq)).isEqualTo(lectureOk.size());
        assertThat(count("SELECT count(*) FROM chat_messages WHERE room_id = ?", slow)).isEqualTo(1);
        awaitChatEvent(e -> isChatEvent(e, "MessagePosted", lecture) && e.get("seq").asLong() == firstSeq + lectureOk.size() - 1);
        assertThat(chatEvents.stream().filter(e -> isChatEvent(e, "MessagePosted", lecture) && e.get("seq").asLong() >= firstSeq))
                .hasSize(lectureOk.size());

        // A retry of a message posted in the burst gets its first result.
        Sent first = all.getFirst();
        send(first.user(), "s-alan-new", lecture, "chat:message", Map.of("roomId", lecture, "content", first.content(),
                "mentions", List.of("u-ada")), first.id());
        assertThat(awaitReply(first.id(), "s-alan-new").data().get("seq").asLong()).isEqualTo(firstSeq);
        assertThat(messageRows(lecture)).isEqualTo(1 + lectureOk.size());

        // And they were posted together, not one by one.
        assertThat(meters.find("mesh.commands.together").tag("type", ChatCommands.MESSAGE).summary())
                .isNotNull()
                .satisfies(together -> assertThat(together.max()).isGreaterThan(1));
    }

    /** The one delivery read so far that matches. */
    private Delivery read(Predicate<Delivery> what) {
        List<Delivery> matches = deliveries.stream().filter(what).toList();
        assertThat(matches).hasSize(1);
        return matches.getFirst();
    }

    /** A command as the gateway writes it, not waited for (a burst); {@code commands.flush()} sends them. */
    private Sent sendAsync(UserRef user, String sessionId, String roomId, Map<String, Object> data) {
        return sendAsync(user, sessionId, roomId, ChatCommands.MESSAGE, data);
    }

    private Sent sendAsync(UserRef user, String sessionId, String roomId, String type, Map<String, Object> data) {
        String id = UUID.randomUUID().toString();
        CommandEnvelope envelope = new CommandEnvelope(id, type, MeshJson.tree(data), user,
                new CommandEnvelope.ReplyTo("gw-test", sessionId), System.currentTimeMillis());
        commands.send(new ProducerRecord<>(Topics.CHAT_COMMANDS, roomId, MeshJson.write(envelope)));
        return new Sent(id, user, sessionId, roomId, String.valueOf(data.get("content")));
    }
}
