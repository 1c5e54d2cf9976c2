package dev.mesh.runtime.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.CommandEnvelope;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.runtime.it.RuntimeTestApplication.AddHandler;
import dev.mesh.runtime.tracing.MeshTracing;

/**
 * A command's trace goes on through the service (ARCHITECTURE §7): the {@code traceparent}
 * header of the command record continues in the span that applies it, in the outbox rows its
 * transaction writes ({@code trace_parent}) and in the records the relay publishes from them,
 * and in an error reply sent straight to Kafka. Each hop is a child span: same trace id, its
 * own span id.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommandTracingTest extends CommandPipelineTest {

    private static final UserRef ADA = new UserRef("u-ada", "Ada", List.of("student"));

    @Test
    void givenATracedCommand_whenApplied_thenItsOutboxRowsAndTheRecordsPublishedFromThemContinueItsTrace() {
        String traceId = hex(32);
        String parentSpan = hex(16);
        String key = "stream-" + UUID.randomUUID();
        String id = send(key, Map.of("n", 3), "00-" + traceId + "-" + parentSpan + "-01");

        List<ConsumerRecord<String, String>> records = deliveries.awaitUntil(WAIT, r -> replyTo(r, id) != null);
        ConsumerRecord<String, String> reply = replyTo(records, id);
        assertThat(read(reply).reply().ok()).isTrue();
        ConsumerRecord<String, String> event = records.stream()
                .filter(r -> read(r).event() != null && AddHandler.topicOf(key).equals(read(r).event().topic()))
                .findFirst().orElseThrow();

        for (ConsumerRecord<String, String> record : List.of(event, reply)) {
            String traceparent = traceparentOf(record);
            assertThat(traceparent).as("traceparent of %s", record.value()).startsWith("00-" + traceId + "-").endsWith("-01");
            assertThat(traceparent).doesNotContain(parentSpan);
        }
        // The rows keep the applying span's context: the relay's spans are its children.
        assertThat(queryLong("SELECT count(*) FROM mesh_outbox WHERE payload LIKE ? AND trace_parent LIKE ?",
                "%" + id + "%", "00-" + traceId + "-%")).isEqualTo(2L);
    }

    @Test
    void givenATracedCommandThatIsRejected_whenAnswered_thenTheErrorReplyContinuesItsTrace() {
        String traceId = hex(32);
        String id = send("stream-" + UUID.randomUUID(), Map.of("n", 1, "fail", "FORBIDDEN"), "00-" + traceId + "-" + hex(16) + "-01");

        ConsumerRecord<String, String> reply = replyTo(deliveries.awaitUntil(WAIT, r -> replyTo(r, id) != null), id);

        assertThat(read(reply).reply().code()).isEqualTo("FORBIDDEN");
        assertThat(traceparentOf(reply)).startsWith("00-" + traceId + "-");
    }

    private String send(String key, Object data, String traceparent) {
        String id = UUID.randomUUID().toString();
        CommandEnvelope envelope = new CommandEnvelope(id, AddHandler.TYPE, MeshJson.tree(data), ADA,
                new CommandEnvelope.ReplyTo("gw-test", "s-trace"), System.currentTimeMillis());
        ProducerRecord<String, String> record = new ProducerRecord<>(COMMANDS_TOPIC, key, MeshJson.write(envelope));
        record.headers().add(MeshTracing.TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
        try {
            commands.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return id;
    }

    private static ConsumerRecord<String, String> replyTo(List<ConsumerRecord<String, String>> records, String id) {
        return records.stream()
                .filter(r -> read(r).reply() != null && id.equals(read(r).reply().ref()))
                .findFirst().orElse(null);
    }

    private static Delivery read(ConsumerRecord<String, String> record) {
        return MeshJson.read(record.value(), Delivery.class);
    }

    private static String traceparentOf(ConsumerRecord<String, String> record) {
        Header header = record.headers().lastHeader(MeshTracing.TRACEPARENT);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String hex(int length) {
        return UUID.randomUUID().toString().replace("-", "").repeat(2).substring(0, length);
    }
}
