package dev.mesh.runtime.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.CommandEnvelope;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.runtime.command.CommandProcessor;
import dev.mesh.runtime.command.CommandProcessor.Incoming;
import dev.mesh.runtime.it.RuntimeTestApplication.AddHandler;
import dev.mesh.runtime.it.RuntimeTestApplication.PingHandler;

/**
 * The command pipeline end to end: command records on {@code rt.commands} as the gateway writes
 * them, deliveries read from {@code gateway.deliveries} as a gateway reads them, and the
 * runtime's tables checked over JDBC.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommandProcessorTest extends CommandPipelineTest {

    private static final UserRef ALAN = new UserRef("u-alan", "Alan", List.of("student"));
    private static final UserRef BARBARA = new UserRef("u-barbara", "Barbara", List.of("student"));

    @Autowired
    AddHandler handler;

    @Autowired
    CommandProcessor processor;

    @Test
    void givenABatchHoldingARejectedARetriedAConflictingAnExpiredAndAnUnknownCommand_whenAppliedTogether_thenEachGetsItsOwnAnswer() {
        String key = stream();
        String a = UUID.randomUUID().toString(), b = UUID.randomUUID().toString(), c = UUID.randomUUID().toString();
        String d = UUID.randomUUID().toString(), late = UUID.randomUUID().toString(), unknown = UUID.randomUUID().toString();
        long now = System.currentTimeMillis();
        List<Incoming> batch = List.of(
                incoming(key, a, "s-1", AddHandler.TYPE, Map.of("n", 1), now),
                incoming(key, b, "s-1", AddHandler.TYPE, Map.of("n", 2), now),
                // Takes seq 3 and writes its event, then rejects: the batch rolls back and is applied around it.
                incoming(key, c, "s-1", AddHandler.TYPE, Map.of("n", 3, "fail", "FORBIDDEN"), now),
                incoming(key, a, "s-2", AddHandler.TYPE, Map.of("n", 1), now),
                incoming(key, d, "s-1", AddHandler.TYPE, Map.of("n", 4), now),
                incoming(key, late, "s-1", AddHandler.TYPE, Map.of("n", 5), now - Duration.ofSeconds(31).toMillis()),
                incoming(key, unknown, "s-1", "test:nope", Map.of("n", 6), now),
                incoming(key, a, "s-3", AddHandler.TYPE, Map.of("n", 9), now));

        processor.processAll(batch).block(WAIT);

        Delivery.Reply first = awaitReply(a, "s-1", 1).delivery.reply();
        assertThat(first.ok()).isTrue();
        assertThat(first.data()).isEqualTo(MeshJson.tree(Map.of("seq", 1, "n", 1)));
        assertThat(awaitReply(b, "s-1", 1).delivery.reply().data()).isEqualTo(MeshJson.tree(Map.of("seq", 2, "n", 2)));
        assertThat(awaitReply(c, "s-1", 1).delivery.reply().code()).isEqualTo("FORBIDDEN");
        Delivery.Reply retried = awaitReply(a, "s-2", 1).delivery.reply();
        assertThat(retried.ok()).isTrue();
        assertThat(retried.data()).isEqualTo(first.data());
        assertThat(awaitReply(d, "s-1", 1).delivery.reply().data()).isEqualTo(MeshJson.tree(Map.of("seq", 3, "n", 4)));
        assertThat(awaitReply(late, "s-1", 1).delivery.reply().code()).isEqualTo("UNAVAILABLE");
        assertThat(awaitReply(unknown, "s-1", 1).delivery.reply().code()).isEqualTo("VALIDATION");
        assertThat(awaitReply(a, "s-3", 1).delivery.reply().code()).isEqualTo("CONFLICT");
        // Exactly the applied commands' events, once each, gap-free and in the batch's order.
        List<Seen> events = seen(s -> isEvent(s, key));
        assertThat(events).extracting(s -> s.delivery.event().seq()).containsExactly(1L, 2L, 3L);
        assertThat(events).extracting(s -> s.delivery.event().data().get("n").asInt()).containsExactly(1, 2, 4);
        assertThat(lastSeq(key)).isEqualTo(3L);
        assertThat(processed(ALAN, a)).isEqualTo(1L);
        assertThat(processed(ALAN, b)).isEqualTo(1L);
        assertThat(processed(ALAN, d)).isEqualTo(1L);
        assertThat(processed(ALAN, c)).isZero();
        assertThat(processed(ALAN, late)).isZero();
        assertThat(queryLong("SELECT count(*) FROM mesh_outbox WHERE payload LIKE ?", "%" + c + "%")).isZero();
    }

    @Test
    void givenMoreCommandsThanABatchHolds_whenAppliedTogether_thenEveryOneIsAckedWithItsSeqInOrder() {
        String key = stream();
        long now = System.currentTimeMillis();
        List<Incoming> commands = new ArrayList<>();
        for (int n = 1; n <= 70; n++) {
            commands.add(incoming(key, UUID.randomUUID().toString(), "s-1", AddHandler.TYPE, Map.of("n", n), now));
        }

        long started = System.nanoTime();
        processor.processAll(commands).block(WAIT);
        System.out.printf("70 commands applied in %d ms%n", (System.nanoTime() - started) / 1_000_000);

        deliveries.awaitUntil(WAIT, records -> seen(s -> s.delivery.reply() != null && "s-1".equals(s.delivery.reply().sessionId())
                && commands.stream().anyMatch(c -> c.command().commandId().equals(s.delivery.reply().ref()))).size() >= 70);
        Map<String, Seen> replies = new LinkedHashMap<>();
        seen(s -> s.delivery.reply() != null).forEach(s -> replies.put(s.delivery.reply().ref(), s));
        List<Seen> events = seen(s -> isEvent(s, key));
        assertThat(events).extracting(s -> s.delivery.event().seq())
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 70).boxed().toList());
        for (int n = 1; n <= 70; n++) {
            Seen reply = replies.get(commands.get(n - 1).command().commandId());
            assertThat(reply.delivery.reply().data()).isEqualTo(MeshJson.tree(Map.of("seq", n, "n", n)));
            // Each event before its own ack, on one partition.
            assertThat(events.get(n - 1).record.offset()).isLessThan(reply.record.offset());
        }
    }

    @Test
    void givenEventsLoggedEarlierInABatch_whenALaterCommandOfItReplaysTheStream_thenItReadsThem() {
        // The batch's stream-log rows are written together before the commit; a resume within the
        // batch must still see the events appended before it.
        String key = stream();
        long now = System.currentTimeMillis();
        String replay = UUID.randomUUID().toString();
        List<Incoming> batch = List.of(
                incoming(key, UUID.randomUUID().toString(), "s-1", AddHandler.TYPE, Map.of("n", 1), now),
                incoming(key, UUID.randomUUID().toString(), "s-1", AddHandler.TYPE, Map.of("n", 2), now),
                incoming(key, replay, "s-1", RuntimeTestApplication.ReplayHandler.TYPE, Map.of("afterSeq", 0), now),
                incoming(key, UUID.randomUUID().toString(), "s-1", AddHandler.TYPE, Map.of("n", 3), now));

        processor.processAll(batch).block(WAIT);

        deliveries.awaitUntil(WAIT, records -> !seen(s -> s.delivery.reply() != null && replay.equals(s.delivery.reply().ref())).isEmpty());
        Seen reply = seen(s -> s.delivery.reply() != null && replay.equals(s.delivery.reply().ref())).getFirst();
        assertThat(reply.delivery.reply().data()).isEqualTo(MeshJson.tree(Map.of("seqs", List.of(1, 2))));
        assertThat(queryLong("SELECT count(*) FROM mesh_stream_events WHERE stream_id = ?", AddHandler.topicOf(key))).isEqualTo(3L);
    }

    @Test
    void givenACommand_whenApplied_thenItsEventComesBeforeItsOkReplyUnderTheSameKey() {
        String key = stream();

        String id = send(ALAN, "s-1", key, AddHandler.TYPE, Map.of("n", 7));
        Seen reply = awaitReply(id, "s-1", 1);

        assertThat(reply.delivery.reply().ok()).isTrue();
        assertThat(reply.delivery.reply().instanceId()).isEqualTo("gw-test");
        assertThat(reply.delivery.reply().data()).isEqualTo(MeshJson.tree(Map.of("seq", 1, "n", 7)));
        assertThat(reply.audienceHeader()).isEqualTo("session:s-1");
        Seen event = only(s -> isEvent(s, key));
        assertThat(event.delivery.event().seq()).isEqualTo(1L);
        assertThat(event.delivery.event().topic()).isEqualTo(AddHandler.topicOf(key));
        assertThat(event.delivery.event().data().get("clientRef").asString()).isEqualTo(id);
        assertThat(event.audienceHeader()).isEqualTo("topic:" + AddHandler.topicOf(key));
        // Same key, so the same partition: a gateway sees the event before the ack.
        assertThat(event.record.key()).isEqualTo(key).isEqualTo(reply.record.key());
        assertThat(event.record.partition()).isEqualTo(reply.record.partition());
        assertThat(event.record.offset()).isLessThan(reply.record.offset());
        assertThat(lastSeq(key)).isEqualTo(1L);
        assertThat(processed(ALAN, id)).isEqualTo(1L);
    }

    @Test
    void givenAnAppliedCommand_whenRetriedWithTheSameIdAndPayload_thenTheFirstResultIsRepliedAndNothingIsApplied() {
        String key = stream();
        Map<String, Object> payload = Map.of("n", 1);
        String id = send(ALAN, "s-old", key, AddHandler.TYPE, payload);
        Delivery.Reply first = awaitReply(id, "s-old", 1).delivery.reply();
        int appliedBefore = handler.applied();

        // The client reconnected to another gateway session and retries with the same id.
        send(ALAN, "s-new", key, AddHandler.TYPE, payload, id);
        Delivery.Reply retry = awaitReply(id, "s-new", 1).delivery.reply();

        assertThat(retry.ok()).isTrue();
        assertThat(retry.data()).isEqualTo(first.data());
        assertThat(handler.applied()).isEqualTo(appliedBefore);
        assertThat(lastSeq(key)).isEqualTo(1L);
        assertThat(processed(ALAN, id)).isEqualTo(1L);
        assertThat(seen(s -> isEvent(s, key))).hasSize(1);
    }

    @Test
    void givenAnAppliedCommand_whenTheSameIdComesWithAnotherPayload_thenItIsAConflictAndNothingChanges() {
        String key = stream();
        String id = send(ALAN, "s-1", key, AddHandler.TYPE, Map.of("n", 1));
        awaitReply(id, "s-1", 1);

        send(ALAN, "s-1", key, AddHandler.TYPE, Map.of("n", 2), id);
        Delivery.Reply conflict = awaitReply(id, "s-1", 2).delivery.reply();

        assertThat(conflict.ok()).isFalse();
        assertThat(conflict.code()).isEqualTo("CONFLICT");
        assertThat(lastSeq(key)).isEqualTo(1L);
        assertThat(processed(ALAN, id)).isEqualTo(1L);
        // Idempotency is per user: another user's command with that id is a different command.
        send(BARBARA, "s-b", key, AddHandler.TYPE, Map.of("n", 2), id);
        assertThat(awaitReply(id, "s-b", 1).delivery.reply().ok()).isTrue();
        assertThat(lastSeq(key)).isEqualTo(2L);
    }

    @Test
    void givenAHandlerThatRejects_whenApplied_thenTheErrorCarriesItsCodeAndTheTransactionRollsBack() {
        String key = stream();

        // The handler took seq 1 and wrote an event before rejecting: both must roll back.
        String id = send(ALAN, "s-1", key, AddHandler.TYPE, Map.of("n", 1, "fail", "FORBIDDEN"));
        Delivery.Reply error = awaitReply(id, "s-1", 1).delivery.reply();

        assertThat(error.ok()).isFalse();
        assertThat(error.code()).isEqualTo("FORBIDDEN");
        assertThat(error.message()).isEqualTo("Rejected on request");
        assertThat(lastSeq(key)).isNull();
        assertThat(processed(ALAN, id)).isZero();
        assertThat(queryLong("SELECT count(*) FROM mesh_outbox WHERE payload LIKE ?", "%" + id + "%")).isZero();
        // Errors are not stored: a retry with the same id is tried afresh, and takes seq 1.
        send(ALAN, "s-1", key, AddHandler.TYPE, Map.of("n", 1), id);
        Delivery.Reply retry = awaitReply(id, "s-1", 2).delivery.reply();
        assertThat(retry.ok()).isTrue();
        assertThat(retry.data().get("seq").asLong()).isEqualTo(1L);
        assertThat(seen(s -> isEvent(s, key))).hasSize(1);
    }

    @Test
    void givenAHandlerThatThrowsBeforeReturningAMono_whenApplied_thenItIsAnErrorReplyAndTheListenerGoesOn() {
        String key = stream();

        // "n" is not an int: CommandContext.data throws VALIDATION synchronously inside handle().
        String bad = send(ALAN, "s-1", key, AddHandler.TYPE, Map.of("n", "many", "strict", true));
        Delivery.Reply error = awaitReply(bad, "s-1", 1).delivery.reply();
        String next = send(ALAN, "s-1", key, AddHandler.TYPE, Map.of("n", 2));

        assertThat(error.ok()).isFalse();
        assertThat(error.code()).isEqualTo("VALIDATION");
        assertThat(error.message()).startsWith("data does not match test:add");
        assertThat(processed(ALAN, bad)).isZero();
        assertThat(awaitReply(next, "s-1", 1).delivery.reply().data().get("seq").asLong()).isEqualTo(1L);
    }

    @Test
    void givenACommandOlderThanMaxAge_whenConsumed_thenItIsAnsweredUnavailableAndNotApplied() {
        String key = stream();
        int appliedBefore = handler.applied();

        String id = UUID.randomUUID().toString();
        sendEnvelope(key, new CommandEnvelope(id, AddHandler.TYPE, MeshJson.tree(Map.of("n", 1)), ALAN,
                new CommandEnvelope.ReplyTo("gw-test", "s-1"), System.currentTimeMillis() - Duration.ofSeconds(31).toMillis()));
        Delivery.Reply reply = awaitReply(id, "s-1", 1).delivery.reply();

        assertThat(reply.ok()).isFalse();
        assertThat(reply.code()).isEqualTo("UNAVAILABLE");
        assertThat(handler.applied()).isEqualTo(appliedBefore);
        assertThat(lastSeq(key)).isNull();
        assertThat(processed(ALAN, id)).isZero();
    }

    @Test
    void givenAnUnknownType_whenConsumed_thenItIsAnsweredValidationNotAvailableYet() {
        String key = stream();

        String id = send(ALAN, "s-1", key, "test:nope", Map.of("n", 1));
        Delivery.Reply reply = awaitReply(id, "s-1", 1).delivery.reply();

        assertThat(reply.ok()).isFalse();
        assertThat(reply.code()).isEqualTo("VALIDATION");
        assertThat(reply.message()).isEqualTo("test:nope is not available yet");
        assertThat(processed(ALAN, id)).isZero();
    }

    @Test
    void givenFiveCommandsOnOneKeySentBackToBack_whenConsumed_thenTheyAreAppliedInTheOrderSent() {
        // Regression guard for the listener's ordering (STACK.md, spring-kafka#4513). The race: the
        // first command waits 300 ms before taking its seq; a listener that started record 2 while
        // record 1 was still applying would let commands 2..5 take seqs 1..4 and command 1 take 5.
        String key = stream();
        List<String> ids = new ArrayList<>();
        for (int n = 1; n <= 5; n++) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("n", n);
            if (n == 1) {
                data.put("delayMs", 300);
            }
            ids.add(send(ALAN, "s-1", key, AddHandler.TYPE, data));
        }

        for (int n = 1; n <= 5; n++) {
            Delivery.Reply reply = awaitReply(ids.get(n - 1), "s-1", 1).delivery.reply();
            assertThat(reply.ok()).isTrue();
            assertThat(reply.data().get("seq").asLong()).as("seq of command %d", n).isEqualTo(n);
        }
        assertThat(seen(s -> isEvent(s, key)))
                .extracting(s -> s.delivery.event().data().get("n").asInt())
                .containsExactly(1, 2, 3, 4, 5);
        assertThat(seen(s -> isEvent(s, key)))
                .extracting(s -> s.delivery.event().seq())
                .containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void givenAnEphemeralCommand_whenApplied_thenItsEventIsDeliveredWithoutSeqAndNothingIsRepliedOrRecorded() {
        String key = stream();

        String ping = send(ALAN, "s-1", key, PingHandler.TYPE, Map.of("n", 1));
        String rejected = send(ALAN, "s-1", key, PingHandler.TYPE, Map.of("n", 2, "fail", "FORBIDDEN"));
        // Same key, so applied after both pings: once its reply is read, theirs would have been too.
        String after = send(ALAN, "s-1", key, AddHandler.TYPE, Map.of("n", 3));
        awaitReply(after, "s-1", 1);

        List<Seen> pinged = seen(s -> s.delivery.event() != null && PingHandler.EVENT.equals(s.delivery.event().type())
                && AddHandler.topicOf(key).equals(s.delivery.event().topic()));
        assertThat(pinged).hasSize(1);
        assertThat(pinged.getFirst().delivery.event().seq()).isNull();
        assertThat(pinged.getFirst().delivery.event().data().get("clientRef").asString()).isEqualTo(ping);
        assertThat(seen(s -> s.delivery.reply() != null
                && (ping.equals(s.delivery.reply().ref()) || rejected.equals(s.delivery.reply().ref())))).isEmpty();
        assertThat(processed(ALAN, ping)).isZero();
        assertThat(processed(ALAN, rejected)).isZero();
        assertThat(queryLong("SELECT count(*) FROM mesh_outbox WHERE payload LIKE ?", "%" + rejected + "%")).isZero();
        assertThat(queryLong("SELECT count(*) FROM mesh_stream_events WHERE stream_id = ?", AddHandler.topicOf(key)))
                .isEqualTo(1L);
    }

    // --- helpers

    private record Seen(ConsumerRecord<String, String> record, Delivery delivery) {
        String audienceHeader() {
            Header header = record.headers().lastHeader(Topics.AUDIENCE_HEADER);
            return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }
    }

    /** A fresh stream id per test: the database and topics outlive a test. */
    private static String stream() {
        return "stream-" + UUID.randomUUID();
    }

    private String send(UserRef user, String sessionId, String key, String type, Object data) {
        return send(user, sessionId, key, type, data, UUID.randomUUID().toString());
    }

    /** A command as the gateway writes it: keyed by its stream, replying to a session of instance gw-test. */
    private String send(UserRef user, String sessionId, String key, String type, Object data, String commandId) {
        sendEnvelope(key, new CommandEnvelope(commandId, type, MeshJson.tree(data), user,
                new CommandEnvelope.ReplyTo("gw-test", sessionId), System.currentTimeMillis()));
        return commandId;
    }

    private static Incoming incoming(String key, String commandId, String sessionId, String type, Object data, long receivedAt) {
        return new Incoming(new CommandEnvelope(commandId, type, MeshJson.tree(data), ALAN,
                new CommandEnvelope.ReplyTo("gw-test", sessionId), receivedAt), key, null);
    }

    private void sendEnvelope(String key, CommandEnvelope envelope) {
        try {
            commands.send(new ProducerRecord<>(COMMANDS_TOPIC, key, MeshJson.write(envelope))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code nth} reply to a command at a session; every delivery read on the way is kept. */
    private Seen awaitReply(String ref, String sessionId, int nth) {
        Predicate<Seen> isReply = s -> s.delivery.reply() != null && ref.equals(s.delivery.reply().ref())
                && sessionId.equals(s.delivery.reply().sessionId());
        deliveries.awaitUntil(WAIT, records -> all().stream().filter(isReply).count() >= nth);
        return all().stream().filter(isReply).skip(nth - 1).findFirst().orElseThrow();
    }

    private List<Seen> all() {
        return deliveries.records().stream()
                .map(r -> new Seen(r, MeshJson.read(r.value(), Delivery.class)))
                .toList();
    }

    private List<Seen> seen(Predicate<Seen> what) {
        return all().stream().filter(what).toList();
    }

    private Seen only(Predicate<Seen> what) {
        List<Seen> found = seen(what);
        assertThat(found).hasSize(1);
        return found.getFirst();
    }

    private static boolean isEvent(Seen seen, String key) {
        return seen.delivery.event() != null && AddHandler.EVENT.equals(seen.delivery.event().type())
                && Objects.equals(seen.delivery.event().topic(), AddHandler.topicOf(key));
    }

    private static Long lastSeq(String key) {
        return queryLong("SELECT last_seq FROM mesh_streams WHERE stream_id = ?", key);
    }

    private static Long processed(UserRef user, String commandId) {
        return queryLong("SELECT count(*) FROM mesh_processed_commands WHERE user_id = ? AND command_id = ?",
                user.id(), commandId);
    }
}
