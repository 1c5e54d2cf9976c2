package dev.mesh.runtime.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.reactive.TransactionalOperator;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.CommandEnvelope;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.runtime.it.RuntimeTestApplication.AddHandler;
import dev.mesh.runtime.store.StreamLog;
import reactor.core.publisher.Flux;

/**
 * The stream event log: what {@code CommandContext.publish} appends in the command's
 * transaction (and what a rolled-back command leaves out), and a replay's caps.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamLogTest extends CommandPipelineTest {

    private static final UserRef ALAN = new UserRef("u-alan", "Alan", List.of("student"));

    @Autowired
    StreamLog streamLog;
    @Autowired
    TransactionalOperator meshTransactions;

    @Test
    void givenAPublishWithASeq_whenTheCommandCommits_thenTheEventIsInTheLogAndARolledBackOneIsNot() {
        String key = "log-" + UUID.randomUUID();
        String topic = AddHandler.topicOf(key);

        String first = send(key, Map.of("n", 1));
        String rejected = send(key, Map.of("n", 2, "fail", "FORBIDDEN"));
        String second = send(key, Map.of("n", 3));
        awaitReply(first);
        assertThat(awaitReply(rejected).ok()).isFalse();
        awaitReply(second);

        StreamLog.Replay replay = streamLog.replay(topic, 0, 100, 1 << 20).block(WAIT);
        assertThat(replay.complete()).isTrue();
        assertThat(replay.lastSeq()).isEqualTo(2);
        assertThat(replay.events()).extracting(StreamLog.Event::seq).containsExactly(1L, 2L);
        assertThat(replay.events()).extracting(StreamLog.Event::type).containsOnly(AddHandler.EVENT);
        assertThat(replay.events()).extracting(e -> e.data().get("n").asInt()).containsExactly(1, 3);
        assertThat(replay.events().getFirst().data().get("clientRef").asString()).isEqualTo(first);
        assertThat(queryLong("SELECT count(*) FROM mesh_stream_events WHERE stream_id = ?", topic)).isEqualTo(2L);
    }

    @Test
    void givenTenEvents_whenReplayedAfterASeq_thenTheyComeInOrderWithinTheCaps() {
        String stream = "test:stream:caps-" + UUID.randomUUID();
        // Appended out of seq order: the replay orders by seq, not by insertion.
        meshTransactions.transactional(Flux.fromStream(LongStream.of(3, 1, 2, 4, 5, 6, 7, 8, 9, 10).boxed())
                        .concatMap(seq -> streamLog.append(stream, seq, "test:e" + seq % 2,
                                MeshJson.tree(Map.of("pad", "x".repeat(90)))))
                        .then())
                .block(WAIT);
        int eventBytes = MeshJson.write(Map.of("pad", "x".repeat(90))).length();
        assertThat(eventBytes).isEqualTo(100);

        StreamLog.Replay all = streamLog.replay(stream, 4, 6, 600).block(WAIT);
        assertThat(all.complete()).isTrue();
        assertThat(all.events()).extracting(StreamLog.Event::seq).containsExactly(5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(all.events()).extracting(StreamLog.Event::type)
                .containsExactly("test:e1", "test:e0", "test:e1", "test:e0", "test:e1", "test:e0");
        assertThat(all.lastSeq()).isEqualTo(10);

        StreamLog.Replay tooMany = streamLog.replay(stream, 4, 5, 1 << 20).block(WAIT);
        assertThat(tooMany.complete()).isFalse();
        assertThat(tooMany.events()).extracting(StreamLog.Event::seq).containsExactly(5L, 6L, 7L, 8L, 9L);

        StreamLog.Replay tooBig = streamLog.replay(stream, 4, 100, 599).block(WAIT);
        assertThat(tooBig.complete()).isFalse();
        assertThat(tooBig.events()).hasSize(5);
        assertThat(tooBig.lastSeq()).isEqualTo(9);

        StreamLog.Replay nothingMissed = streamLog.replay(stream, 10, 100, 1 << 20).block(WAIT);
        assertThat(nothingMissed.complete()).isTrue();
        assertThat(nothingMissed.events()).isEmpty();
        assertThat(nothingMissed.lastSeq()).isEqualTo(10);

        assertThat(streamLog.replay("test:stream:none-" + UUID.randomUUID(), 0, 100, 1 << 20).block(WAIT).events()).isEmpty();
    }

    // --- helpers

    private String send(String key, Object data) {
        String id = UUID.randomUUID().toString();
        CommandEnvelope envelope = new CommandEnvelope(id, AddHandler.TYPE, MeshJson.tree(data), ALAN,
                new CommandEnvelope.ReplyTo("gw-test", "s-log"), System.currentTimeMillis());
        try {
            commands.send(new ProducerRecord<>(COMMANDS_TOPIC, key, MeshJson.write(envelope))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return id;
    }

    private Delivery.Reply awaitReply(String ref) {
        deliveries.awaitUntil(WAIT, records -> reply(ref) != null);
        return reply(ref);
    }

    private Delivery.Reply reply(String ref) {
        return deliveries.records().stream()
                .map(r -> MeshJson.read(r.value(), Delivery.class))
                .map(Delivery::reply)
                .filter(r -> r != null && ref.equals(r.ref()))
                .findFirst().orElse(null);
    }
}
