package dev.mesh.dev;

import static dev.mesh.dev.TestMesh.WAIT;
import static dev.mesh.dev.TestMesh.connectWithHeader;
import static dev.mesh.dev.TestMesh.isMessage;
import static dev.mesh.dev.TestMesh.join;
import static dev.mesh.dev.TestMesh.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.mesh.testkit.ws.WsTestClient;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.data.SpanData;

/**
 * One chat message, one trace (ARCHITECTURE §7): the sender's gateway starts it, chat-service
 * applies the command in it, its outbox relay publishes the resulting rows in it, and the
 * receiving gateway (the other instance) delivers the event in it — context carried by Kafka
 * headers and the outbox's {@code trace_parent}. The spans of all apps of the test mesh land in
 * one in-memory exporter ({@link TestSpans}).
 */
class TracingEndToEndTest {

    private static final AttributeKey<String> SERVICE = AttributeKey.stringKey("service.name");
    private static final AttributeKey<String> INSTANCE = AttributeKey.stringKey("mesh.instance");
    private static final AttributeKey<String> TYPE = AttributeKey.stringKey("mesh.command.type");

    @AfterEach
    void stopRecording() {
        TestSpans.stop();
    }

    @Test
    void oneChatMessageIsOneTraceFromTheSendingGatewayThroughChatServiceToTheReceivingGateway() {
        TestMesh mesh = TestMesh.get();
        String run = UUID.randomUUID().toString().substring(0, 8);
        try (WsTestClient ada = connectWithHeader(mesh.gateway1, "trace-ada-" + run);
             WsTestClient alan = connectWithHeader(mesh.gateway2, "trace-alan-" + run)) {
            join(ada);
            join(alan);

            TestSpans.record();
            String content = "traced " + run;
            String id = ada.sendCommand("chat:message", Map.of("roomId", mesh.roomId, "content", content));
            assertThat(text(ada.awaitReply(id, WAIT), "type")).isEqualTo("ack");
            alan.await(frame -> isMessage(frame, content), WAIT);

            // The spans end asynchronously (the relay's after Kafka's ack, the gateways' after the fan-out).
            await().atMost(WAIT).untilAsserted(() -> {
                SpanData command = one(TestSpans.finished(), span -> span.getName().equals("mesh.gateway.command")
                        && "chat:message".equals(span.getAttributes().get(TYPE))
                        && "gateway-a".equals(span.getAttributes().get(INSTANCE)));
                List<SpanData> trace = TestSpans.finished().stream()
                        .filter(span -> span.getTraceId().equals(command.getTraceId())).toList();

                SpanData apply = one(trace, span -> span.getName().equals("mesh.command.apply"));
                assertThat(apply.getResource().getAttribute(SERVICE)).isEqualTo("chat-service");
                assertThat(apply.getParentSpanId()).isEqualTo(command.getSpanId());

                List<SpanData> published = trace.stream().filter(span -> span.getName().equals("mesh.outbox.publish")).toList();
                assertThat(published).as("the relay's publish spans").isNotEmpty()
                        .allSatisfy(span -> {
                            assertThat(span.getResource().getAttribute(SERVICE)).isEqualTo("chat-service");
                            assertThat(span.getParentSpanId()).isEqualTo(apply.getSpanId());
                        });
                List<String> publishIds = published.stream().map(SpanData::getSpanId).toList();

                // The event reaches alan through gateway-b; the ack (and ada's copy) come back through gateway-a.
                for (String gateway : List.of("gateway-b", "gateway-a")) {
                    assertThat(trace).as("deliveries at " + gateway + " among " + names(trace))
                            .filteredOn(span -> span.getName().equals("mesh.gateway.deliver")
                                    && gateway.equals(span.getAttributes().get(INSTANCE)))
                            .isNotEmpty()
                            .allSatisfy(span -> assertThat(publishIds).contains(span.getParentSpanId()));
                }
                assertThat(trace).allSatisfy(span ->
                        assertThat(span.getResource().getAttribute(SERVICE)).isIn("gateway-service", "chat-service"));
            });
        }
    }

    private static SpanData one(List<SpanData> spans, Predicate<SpanData> matching) {
        List<SpanData> found = spans.stream().filter(matching).toList();
        assertThat(found).as("spans matching among " + names(spans)).hasSize(1);
        return found.getFirst();
    }

    private static List<String> names(List<SpanData> spans) {
        return spans.stream().map(span -> span.getName() + Optional.ofNullable(span.getAttributes().get(INSTANCE))
                .map(i -> "@" + i).orElse("")).toList();
    }
}
